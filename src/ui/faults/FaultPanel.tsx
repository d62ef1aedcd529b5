import { useId, useState } from 'react';
import { buildFault, type FaultDraft } from './fault-draft';
import { KIND_NAMES, PANEL_KINDS, type FaultEntry, type PanelKind } from './fault-entry';

interface Props {
  nodes: readonly string[];
  /** Reads the timeline's moment in milliseconds, offered as the fault's time (read on demand, so the panel does not re-render as the timeline moves). */
  nowMs: () => number;
  onAdd: (entry: FaultEntry) => void;
}

const NODE_KINDS: readonly PanelKind[] = ['crash', 'restart', 'pause', 'resume', 'clockSkew'];
const LINK_KINDS: readonly PanelKind[] = ['latency', 'loss'];

/**
 * The fault buttons. Faults are data: each press appends one `{at, kind, …}` entry to the
 * schedule (shown below it), which goes with the next run; nothing here touches a running engine.
 */
export function FaultPanel({ nodes, nowMs, onAdd }: Props) {
  const id = useId();
  const [draft, setDraft] = useState<FaultDraft>({ kind: 'crash', atMs: '500', node: '', isolated: [], oneWay: false, from: '', to: '', addMs: '50', p: '0.3', offsetMs: '200' });
  const [error, setError] = useState<string>();
  const set = (patch: Partial<FaultDraft>): void => setDraft((d) => ({ ...d, ...patch }));
  const node = nodes.includes(draft.node) ? draft.node : (nodes[0] ?? '');

  function add(): void {
    const r = buildFault({ ...draft, node }, nodes);
    if (!r.ok) return setError(r.error);
    setError(undefined);
    onAdd(r.entry);
  }

  return (
    <form
      className="panel fault-panel"
      aria-labelledby={`${id}-title`}
      onSubmit={(e) => {
        e.preventDefault();
        add();
      }}
    >
      <h2 id={`${id}-title`}>Faults</h2>
      <div className="field">
        <label htmlFor={`${id}-kind`}>Fault</label>
        <select id={`${id}-kind`} value={draft.kind} onChange={(e) => set({ kind: e.target.value as PanelKind })}>
          {PANEL_KINDS.map((k) => (
            <option key={k} value={k}>
              {KIND_NAMES[k]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-at`}>At (ms)</label>
        <div className="inline">
          <input id={`${id}-at`} inputMode="decimal" value={draft.atMs} onChange={(e) => set({ atMs: e.target.value })} />
          <button type="button" className="secondary" onClick={() => set({ atMs: String(Math.round(nowMs() * 1000) / 1000) })}>
            Use timeline time
          </button>
        </div>
      </div>
      {NODE_KINDS.includes(draft.kind) && (
        <div className="field">
          <label htmlFor={`${id}-node`}>Node</label>
          <select id={`${id}-node`} value={node} onChange={(e) => set({ node: e.target.value })}>
            {nodes.map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </div>
      )}
      {draft.kind === 'clockSkew' && (
        <div className="field">
          <label htmlFor={`${id}-offset`}>Offset (ms)</label>
          <input id={`${id}-offset`} inputMode="decimal" value={draft.offsetMs} onChange={(e) => set({ offsetMs: e.target.value })} />
        </div>
      )}
      {draft.kind === 'partition' && (
        <fieldset className="field partition-pick">
          <legend>Cut off these nodes (the rest form the other side)</legend>
          <div className="node-checks">
            {nodes.map((n) => (
              <label key={n} className="check">
                <input
                  type="checkbox"
                  checked={draft.isolated.includes(n)}
                  onChange={(e) => set({ isolated: e.target.checked ? [...draft.isolated, n] : draft.isolated.filter((x) => x !== n) })}
                />
                {n}
              </label>
            ))}
          </div>
          <label className="check">
            <input type="checkbox" checked={draft.oneWay} onChange={(e) => set({ oneWay: e.target.checked })} />
            One way (only messages from the cut-off side are lost)
          </label>
        </fieldset>
      )}
      {LINK_KINDS.includes(draft.kind) && (
        <div className="field-pair">
          <div className="field">
            <label htmlFor={`${id}-from`}>From</label>
            <select id={`${id}-from`} value={draft.from} onChange={(e) => set({ from: e.target.value })}>
              <option value="">any node</option>
              {nodes.map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-to`}>To</label>
            <select id={`${id}-to`} value={draft.to} onChange={(e) => set({ to: e.target.value })}>
              <option value="">any node</option>
              {nodes.map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          </div>
        </div>
      )}
      {draft.kind === 'latency' && (
        <div className="field">
          <label htmlFor={`${id}-add`}>Extra latency (ms)</label>
          <input id={`${id}-add`} inputMode="decimal" value={draft.addMs} onChange={(e) => set({ addMs: e.target.value })} />
        </div>
      )}
      {draft.kind === 'loss' && (
        <div className="field">
          <label htmlFor={`${id}-p`}>Probability of loss (0–1)</label>
          <input id={`${id}-p`} inputMode="decimal" value={draft.p} onChange={(e) => set({ p: e.target.value })} />
        </div>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" disabled={nodes.length === 0}>
        Add to schedule
      </button>
    </form>
  );
}
