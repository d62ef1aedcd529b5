import * as Comlink from 'comlink';
import { RunStopped } from '../engine-client';
import type { RunSession } from './run-session';

/** The run each session is streaming now: a later run's token makes an earlier run's batches harmless. */
const current = new WeakMap<RunSession, object>();

/**
 * Runs something in the engine worker (`engine()`, whose calls reject with RunStopped on Stop) and
 * streams its history into a session: JSON batches go
 * straight into the store (no React state per batch; the store tells the views at most once per
 * frame), and `onJson` sees each batch's text too. The one place the scenario, lab and playground
 * runners share:
 * - a later run on the same session drops an earlier run's late batches (`current` is false for it);
 * - a reply that is not ok clears the history back to the lanes;
 * - Stop (RunStopped) keeps what had streamed and drops batches the stopped worker had already
 *   queued, so the views keep what they showed at Stop; the error is rethrown for the page to say so.
 */
export async function streamIntoSession<R extends { ok: boolean }>(
  session: RunSession,
  nodeNames: readonly string[],
  start: (onBatch: (json: string) => void) => Promise<R>,
  onJson?: (json: string) => void,
): Promise<{ reply: R; current: boolean }> {
  const token = {};
  current.set(session, token);
  session.history.begin(nodeNames);
  session.timeline.toEnd();
  const onBatch = Comlink.proxy((json: string) => {
    if (current.get(session) !== token) return;
    session.history.appendJson(json);
    onJson?.(json);
  });
  try {
    const reply = await start(onBatch);
    const isCurrent = current.get(session) === token;
    if (isCurrent) {
      if (reply.ok) session.history.complete();
      else session.history.clear(nodeNames);
    }
    return { reply, current: isCurrent };
  } catch (e) {
    if (current.get(session) === token) {
      if (e instanceof RunStopped) {
        current.delete(session);
        session.history.complete();
      } else session.history.clear(nodeNames);
    }
    throw e;
  }
}
