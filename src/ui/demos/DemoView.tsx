import { useEffect, useMemo, useState } from 'react';
import type { ScenarioListing, ScenarioRunResult } from '../../host/engine';
import { engine } from '../engine-client';
import { runIntoSession } from '../playground/run-scenario';
import { RunSession } from '../workspace/run-session';
import { Workspace } from '../workspace/Workspace';
import { DemoMoments } from './DemoMoments';
import { DemoOutcome } from './DemoOutcome';
import { demoHref } from './demo-route';

interface Props {
  listing: ScenarioListing;
  fix: boolean;
}

/**
 * One demo, laid out for a projector: on the left the outcome in large figures, the moments to
 * jump to and the fix; on the right what to watch (foldable) above the workspace with its
 * timeline (play, pause, step, speed) and every view. The demo runs on its own seed when the page opens
 * and again when the fix is switched on or off; the address says which (`?variant=fix`).
 */
export function DemoView({ listing, fix }: Props) {
  const demo = listing.demo!;
  const session = useMemo(() => new RunSession(), []);
  const [result, setResult] = useState<ScenarioRunResult>();
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => {
    let live = true;
    setResult(undefined);
    setError(undefined);
    setRunning(true);
    (async () => {
      try {
        const info = await engine().scenarioInfo(listing.name);
        const reply = await runIntoSession(engine(), session, { scenario: listing.name, seed: demo.seed, variant: fix ? 'fix' : undefined }, info.nodeNames);
        if (!live) return;
        if (reply.ok) setResult(reply.result);
        else setError(reply.error);
      } catch (e) {
        if (live) setError(`The engine failed: ${(e as Error).message}`);
      } finally {
        if (live) setRunning(false);
      }
    })();
    return () => {
      live = false;
    };
  }, [listing.name, demo.seed, fix, session]);

  // Playback belongs to this page: leaving it stops the frames.
  useEffect(() => () => session.timeline.pause(), [session]);

  return (
    <div className="demo-page">
      <aside className="demo-story" aria-label="The demo">
        <p className="demo-back">
          <a href="#/demos">← All demos</a>
        </p>
        <div className="demo-title">
          <h1>{demo.title}</h1>
          <span className="broker-badge">{demo.broker}</span>
        </div>
        <div className="demo-variant" role="group" aria-label="Configuration">
          <a href={demoHref(listing.name)} aria-current={fix ? undefined : 'page'} className="demo-variant-choice">
            As shown
          </a>
          <a href={demoHref(listing.name, true)} aria-current={fix ? 'page' : undefined} className="demo-variant-choice">
            With the fix: {breakAtDots(demo.fix.label)}
          </a>
        </div>
        {fix && <p className="demo-fix">{demo.fix.explain}</p>}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <DemoOutcome report={result?.demo} running={running} fix={fix} fixLabel={demo.fix.label} />
        {result?.demo && <DemoMoments moments={result.demo.moments} session={session} />}
        <section className="demo-docs" aria-labelledby="demo-docs-title">
          <h2 id="demo-docs-title">Read more</h2>
          <ul>
            {demo.docs.map((d) => (
              <li key={d.url}>
                <a href={d.url} target="_blank" rel="noopener noreferrer">
                  {d.label}
                </a>
              </li>
            ))}
          </ul>
          {result && (
            <p className="demo-repro">
              Reproduce: <code>npx brokerlab run {listing.name}{fix ? ' --fix' : ''}</code> · seed {result.seed} · history <span className="mono" data-testid="demo-history-hash">{result.historyHash}</span>
            </p>
          )}
        </section>
      </aside>
      <div className="demo-views">
        {/* Open when the demo opens; the lecturer can fold it away once it has been read. */}
        <details className="demo-watch-box" open>
          <summary>
            <h2>What to watch</h2>
          </summary>
          <p className="demo-watch">{demo.watch}</p>
        </details>
        <Workspace session={session} />
      </div>
    </div>
  );
}

/** A config name that may wrap after its dots (`unclean.leader.election.enable=false`) in a narrow column. */
function breakAtDots(text: string) {
  return text.split('.').map((part, i) => (
    <span key={i}>
      {i > 0 && (
        <>
          .<wbr />
        </>
      )}
      {part}
    </span>
  ));
}
