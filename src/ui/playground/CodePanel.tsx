import { useId, useState } from 'react';
import type { PlaygroundFamily } from '../../labs/playground/config';
import { PLAYGROUND_STARTERS } from '../../labs/playground/starters';
import { CodeEditor } from '../editor/CodeEditor';
import type { Problem } from '../editor/problem';
import { SaveStatus } from '../lab/SaveStatus';
import type { SaveState } from '../storage/autosave';

interface Props {
  family: PlaygroundFamily;
  code: string;
  onChange: (code: string) => void;
  /** The family's `.d.ts` from the engine (undefined until it arrives). */
  dts: string | undefined;
  markers: readonly Problem[];
  saveState: SaveState;
  onRun: () => void;
}

const FAMILY_NAMES: Record<PlaygroundFamily, string> = { kafka: 'Kafka', rabbitmq: 'RabbitMQ' };

/**
 * The learner's producer and consumer code for the chosen family: the editor with the family's
 * `.d.ts` (IntelliSense for `ctx.producer` or `ctx.channel`), problems from the last run marked at
 * their lines, autosave, and a way back to the starter that can be undone.
 */
export function CodePanel({ family, code, onChange, dts, markers, saveState, onRun }: Props) {
  const id = useId();
  const [undo, setUndo] = useState<{ family: PlaygroundFamily; code: string }>();
  const starter = PLAYGROUND_STARTERS[family];
  return (
    <section className="panel pg-code" aria-labelledby={`${id}-title`}>
      <div className="view-head">
        <h2 id={`${id}-title`}>Your code</h2>
        <button
          type="button"
          className="secondary small"
          disabled={code === starter}
          onClick={() => {
            setUndo({ family, code });
            onChange(starter);
          }}
        >
          Starter code
        </button>
      </div>
      <p className="view-note pg-code-note">
        Runs on every producer node (<code>produce</code>) and every consumer node (<code>handleMessage</code>) in a sandbox, as lab code does. Hover and complete <code>ctx</code> for the {FAMILY_NAMES[family]} API.
      </p>
      {undo && undo.family === family && (
        <div className="pg-undo" role="status">
          <p>The starter is in the editor.</p>
          <button
            type="button"
            className="secondary small"
            onClick={() => {
              onChange(undo.code);
              setUndo(undefined);
            }}
          >
            Bring my code back
          </button>
        </div>
      )}
      <CodeEditor
        value={code}
        onChange={(v) => {
          if (undo && v !== starter) setUndo(undefined);
          onChange(v);
        }}
        dts={dts}
        dtsPath={`file:///playground/${family}/brokerlab.d.ts`}
        path={`file:///playground/${family}/handler.ts`}
        label={`Your ${FAMILY_NAMES[family]} playground code, TypeScript`}
        heightPx={380}
        onRun={onRun}
        markers={markers}
      />
      <SaveStatus state={saveState} />
    </section>
  );
}
