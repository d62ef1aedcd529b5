import { useId } from 'react';
import type { ConfigProblem, PlaygroundFamily } from '../../labs/playground/config';
import { KafkaTopologyForm } from './KafkaTopologyForm';
import { RabbitTopologyForm } from './RabbitTopologyForm';
import { problemsByField, type KafkaDraft, type RabbitDraft, type TopologyDraft } from './topology-draft';

interface Props {
  family: PlaygroundFamily;
  draft: TopologyDraft;
  onChange: (draft: TopologyDraft) => void;
  problems: readonly ConfigProblem[];
  onReset: () => void;
}

/** The topology form of the chosen family, with how many problems stand between it and a run. */
export function TopologyPanel({ family, draft, onChange, problems, onReset }: Props) {
  const id = useId();
  const byField = problemsByField(problems);
  return (
    <section className="panel pg-topology-panel" aria-labelledby={`${id}-title`} data-testid="pg-topology">
      <div className="view-head">
        <h2 id={`${id}-title`}>Topology</h2>
        <button type="button" className="secondary small" onClick={onReset}>
          Default topology
        </button>
      </div>
      <p className={`pg-topology-status${problems.length ? ' pg-bad' : ''}`} role="status" data-testid="pg-topology-status">
        {problems.length === 0 ? 'Ready to run.' : `${problems.length} problem${problems.length === 1 ? '' : 's'} to fix before a run.`}
      </p>
      {family === 'kafka' ? (
        <KafkaTopologyForm formId={id} draft={draft as KafkaDraft} onChange={onChange} problems={byField} />
      ) : (
        <RabbitTopologyForm formId={id} draft={draft as RabbitDraft} onChange={onChange} problems={byField} />
      )}
    </section>
  );
}
