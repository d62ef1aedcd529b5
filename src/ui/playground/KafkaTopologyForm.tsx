import { kafkaBrokerNames, LIMITS } from '../../labs/playground/config';
import { CheckField, Entry, FormSection, SelectField, TextField } from './TopologyFields';
import { countOf, freshName, nodeList, patchAt, removeAt, type KafkaDraft } from './topology-draft';

interface Props {
  formId: string;
  draft: KafkaDraft;
  onChange: (draft: KafkaDraft) => void;
  problems: ReadonlyMap<string, string>;
}

const ACKS = [
  { value: 'all', label: 'all (-1)' },
  { value: '1', label: '1' },
  { value: '0', label: '0' },
];

/** What each acks setting waits for, said where it is chosen. */
const ACKS_HELP: Record<string, string> = {
  all: 'The leader answers once every in-sync replica has the record (at least min.insync.replicas of them).',
  '1': 'The leader answers once it has written the record; followers copy it later.',
  '0': 'The producer does not wait for an answer at all.',
};

/** Kafka's topology: brokers, topics, producers and consumer groups, under Kafka's config names. */
export function KafkaTopologyForm({ formId, draft, onChange, problems }: Props) {
  const set = (patch: Partial<KafkaDraft>): void => onChange({ ...draft, ...patch });
  const topicNames = draft.topics.map((t) => t.name);
  const topicOptions = topicNames.filter((n) => n !== '').map((n) => ({ value: n, label: n }));
  const brokers = countOf(draft.brokers);
  let producerNo = 0;

  return (
    <div className="pg-topology">
      <TextField
        formId={formId}
        path="brokers"
        label="Brokers"
        numeric
        value={draft.brokers}
        onChange={(v) => set({ brokers: v })}
        problems={problems}
        help={`${brokers ? `${nodeList(kafkaBrokerNames(brokers))}, plus a controller` : 'Brokers b1, b2, …, plus a controller'} (${LIMITS.kafkaBrokers.min} to ${LIMITS.kafkaBrokers.max} brokers).`}
      />

      <FormSection
        formId={formId}
        path="topics"
        title="Topics"
        problems={problems}
        addLabel="Add topic"
        canAdd={draft.topics.length < LIMITS.topics.max}
        onAdd={() => set({ topics: [...draft.topics, { name: freshName('events', topicNames), partitions: 3, replicationFactor: Math.min(3, brokers ?? 1), 'min.insync.replicas': 1 }] })}
      >
        {draft.topics.map((t, i) => (
          <Entry key={i} legend={`Topic ${i + 1}`} removeLabel={`Remove topic ${i + 1}`} onRemove={draft.topics.length > 1 ? () => set({ topics: removeAt(draft.topics, i) }) : undefined}>
            <TextField formId={formId} path={`topics[${i}].name`} label="Name" value={t.name} onChange={(v) => set({ topics: patchAt(draft.topics, i, { name: v }) })} problems={problems} className="pg-wide" />
            <TextField formId={formId} path={`topics[${i}].partitions`} label="Partitions" numeric value={t.partitions} onChange={(v) => set({ topics: patchAt(draft.topics, i, { partitions: v }) })} problems={problems} />
            <TextField formId={formId} path={`topics[${i}].replicationFactor`} label="Replication factor" numeric value={t.replicationFactor} onChange={(v) => set({ topics: patchAt(draft.topics, i, { replicationFactor: v }) })} problems={problems} />
            <TextField formId={formId} path={`topics[${i}].min.insync.replicas`} label="min.insync.replicas" numeric value={t['min.insync.replicas']} onChange={(v) => set({ topics: patchAt(draft.topics, i, { 'min.insync.replicas': v }) })} problems={problems} className="pg-wide" />
          </Entry>
        ))}
      </FormSection>

      <FormSection
        formId={formId}
        path="producers"
        title="Producers"
        problems={problems}
        addLabel="Add producer"
        canAdd={draft.producers.length < LIMITS.producerEntries.max}
        onAdd={() => set({ producers: [...draft.producers, { count: 1, topic: topicNames[0] ?? '', acks: 'all', 'enable.idempotence': true, messages: 20, keyed: true }] })}
      >
        {draft.producers.map((p, i) => {
          const n = countOf(p.count) ?? 0;
          const names = Array.from({ length: n }, () => `producer-${++producerNo}`);
          return (
            <Entry key={i} legend={`Producer ${i + 1}`} nodes={nodeList(names)} removeLabel={`Remove producer ${i + 1}`} onRemove={() => set({ producers: removeAt(draft.producers, i) })}>
              <TextField formId={formId} path={`producers[${i}].count`} label="Producer nodes" numeric value={p.count} onChange={(v) => set({ producers: patchAt(draft.producers, i, { count: v }) })} problems={problems} />
              <SelectField formId={formId} path={`producers[${i}].topic`} label="Topic" value={p.topic} options={topicOptions} onChange={(v) => set({ producers: patchAt(draft.producers, i, { topic: v }) })} problems={problems} />
              <SelectField formId={formId} path={`producers[${i}].acks`} label="acks" value={p.acks} options={ACKS} onChange={(v) => set({ producers: patchAt(draft.producers, i, { acks: v as KafkaDraft['producers'][number]['acks'] }) })} problems={problems} className="pg-wide" help={ACKS_HELP[p.acks]} />
              <TextField formId={formId} path={`producers[${i}].messages`} label="Messages to send" numeric value={p.messages} onChange={(v) => set({ producers: patchAt(draft.producers, i, { messages: v }) })} problems={problems} className="pg-wide" help="Each node's produce() gets it as start.messages." />
              <CheckField formId={formId} path={`producers[${i}].enable.idempotence`} label="enable.idempotence" checked={p['enable.idempotence']} onChange={(v) => set({ producers: patchAt(draft.producers, i, { 'enable.idempotence': v }) })} problems={problems} className="pg-wide" />
              <CheckField formId={formId} path={`producers[${i}].keyed`} label="Keyed records (start.keyed)" checked={p.keyed} onChange={(v) => set({ producers: patchAt(draft.producers, i, { keyed: v }) })} problems={problems} className="pg-wide" />
            </Entry>
          );
        })}
      </FormSection>

      <FormSection
        formId={formId}
        path="groups"
        title="Consumer groups"
        problems={problems}
        addLabel="Add group"
        canAdd={draft.groups.length < LIMITS.groups.max}
        onAdd={() => set({ groups: [...draft.groups, { 'group.id': freshName('audit', draft.groups.map((g) => g['group.id'])), topic: topicNames[0] ?? '', members: 1, 'enable.auto.commit': true }] })}
      >
        {draft.groups.map((g, i) => {
          const n = countOf(g.members) ?? 0;
          const names = Array.from({ length: n }, (_, k) => `${g['group.id']}-${k + 1}`);
          return (
            <Entry key={i} legend={`Group ${i + 1}`} nodes={nodeList(names)} removeLabel={`Remove group ${i + 1}`} onRemove={() => set({ groups: removeAt(draft.groups, i) })}>
              <TextField formId={formId} path={`groups[${i}].group.id`} label="group.id" value={g['group.id']} onChange={(v) => set({ groups: patchAt(draft.groups, i, { 'group.id': v }) })} problems={problems} />
              <SelectField formId={formId} path={`groups[${i}].topic`} label="Topic" value={g.topic} options={topicOptions} onChange={(v) => set({ groups: patchAt(draft.groups, i, { topic: v }) })} problems={problems} />
              <TextField formId={formId} path={`groups[${i}].members`} label="Members" numeric value={g.members} onChange={(v) => set({ groups: patchAt(draft.groups, i, { members: v }) })} problems={problems} />
              <CheckField
                formId={formId}
                path={`groups[${i}].enable.auto.commit`}
                label="enable.auto.commit"
                checked={g['enable.auto.commit']}
                onChange={(v) => set({ groups: patchAt(draft.groups, i, { 'enable.auto.commit': v }) })}
                problems={problems}
                className="pg-wide"
                help={g['enable.auto.commit'] ? 'Offsets of handled records are committed every second.' : 'Only ctx.commit(msg) commits.'}
              />
            </Entry>
          );
        })}
      </FormSection>
    </div>
  );
}
