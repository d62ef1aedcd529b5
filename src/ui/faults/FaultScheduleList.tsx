import { useId, useState } from 'react';
import { describeFault, sortByTime, type FaultEntry } from './fault-entry';

interface Props {
  faults: readonly FaultEntry[];
  onChange: (faults: FaultEntry[]) => void;
}

/**
 * The schedule that goes with the next run, as an editable list: change an entry's time, remove
 * it, or edit the whole schedule as JSON (the same JSON `brokerlab run --faults` reads).
 */
export function FaultScheduleList({ faults, onChange }: Props) {
  const id = useId();
  const [jsonOpen, setJsonOpen] = useState(false);
  const [json, setJson] = useState('');
  const [jsonError, setJsonError] = useState<string>();

  function setAt(i: number, value: string): void {
    const n = Number(value);
    const at = value.trim() !== '' && Number.isFinite(n) ? n : value;
    onChange(faults.map((f, k) => (k === i ? { ...f, at } : f)));
  }

  function openJson(): void {
    setJson(JSON.stringify(faults, null, 2));
    setJsonError(undefined);
    setJsonOpen(true);
  }

  function applyJson(): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (e) {
      return setJsonError(`Not JSON: ${(e as Error).message}. Nothing was changed.`);
    }
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x))) {
      return setJsonError('A schedule is a JSON array of entries like {"at": 500, "kind": "crash", "node": "n1"}. Nothing was changed.');
    }
    onChange(parsed as FaultEntry[]);
    setJsonOpen(false);
  }

  return (
    <section className="panel schedule" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Fault schedule</h2>
      {faults.length === 0 ? (
        <p className="view-note">No faults yet. The scenario's own nemesis still runs.</p>
      ) : (
        <ol className="schedule-list" data-testid="fault-schedule">
          {faults.map((f, i) => (
            <li key={i}>
              <span className="schedule-what">{describeFault(f)}</span>
              <label className="schedule-at">
                <span>at</span>
                <input inputMode="decimal" value={String(f.at)} onChange={(e) => setAt(i, e.target.value)} onBlur={() => onChange(sortByTime(faults))} aria-label={`Time of entry ${i + 1} (ms)`} />
                <span aria-hidden="true">ms</span>
              </label>
              <button type="button" className="secondary small" onClick={() => onChange(faults.filter((_, k) => k !== i))} aria-label={`Remove entry ${i + 1}: ${describeFault(f)}`}>
                Remove
              </button>
            </li>
          ))}
        </ol>
      )}
      <div className="inline">
        <button type="button" className="secondary" onClick={() => (jsonOpen ? setJsonOpen(false) : openJson())} aria-expanded={jsonOpen}>
          {jsonOpen ? 'Close JSON' : 'Edit as JSON'}
        </button>
        {faults.length > 0 && (
          <button type="button" className="secondary" onClick={() => onChange([])}>
            Clear schedule
          </button>
        )}
      </div>
      {jsonOpen && (
        <div className="json-edit">
          <label htmlFor={`${id}-json`}>Schedule as JSON</label>
          <textarea id={`${id}-json`} rows={8} value={json} onChange={(e) => setJson(e.target.value)} spellCheck={false} />
          {jsonError && (
            <p role="alert" className="error">
              {jsonError}
            </p>
          )}
          <button type="button" onClick={applyJson}>
            Apply JSON
          </button>
        </div>
      )}
    </section>
  );
}
