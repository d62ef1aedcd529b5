import { LIMITS, rabbitNodeNames } from '../../labs/playground/config';
import { Entry, FormSection, SelectField, TextField } from './TopologyFields';
import { countOf, freshName, nodeList, patchAt, removeAt, type RabbitDraft } from './topology-draft';

interface Props {
  formId: string;
  draft: RabbitDraft;
  onChange: (draft: RabbitDraft) => void;
  problems: ReadonlyMap<string, string>;
}

type Queue = RabbitDraft['queues'][number];

const EXCHANGE_TYPES = [
  { value: 'direct', label: 'direct: exact routing key' },
  { value: 'fanout', label: 'fanout: every bound queue' },
  { value: 'topic', label: 'topic: key patterns (* and #)' },
];
const QUEUE_TYPES = [
  { value: 'classic', label: 'classic' },
  { value: 'quorum', label: 'quorum (replicated, Raft)' },
];
const ACK_MODES = [
  { value: 'manual', label: 'manual: your code acks' },
  { value: 'auto', label: 'auto: noAck, acked when sent' },
];

/** RabbitMQ's topology: nodes, exchanges, queues with their bindings and dead-letter exchange, producers and consumers. */
export function RabbitTopologyForm({ formId, draft, onChange, problems }: Props) {
  const set = (patch: Partial<RabbitDraft>): void => onChange({ ...draft, ...patch });
  const setQueue = (i: number, patch: Partial<Queue>): void => set({ queues: patchAt(draft.queues, i, patch) });
  const exchangeNames = draft.exchanges.map((x) => x.name).filter((n) => n !== '');
  const queueNames = draft.queues.map((q) => q.name).filter((n) => n !== '');
  const exchangeOptions = exchangeNames.map((n) => ({ value: n, label: n }));
  const nodes = countOf(draft.nodes);
  let producerNo = 0;
  const perQueue = new Map<string, number>();

  return (
    <div className="pg-topology">
      <TextField
        formId={formId}
        path="nodes"
        label="RabbitMQ nodes"
        numeric
        value={draft.nodes}
        onChange={(v) => set({ nodes: v })}
        problems={problems}
        help={`${nodes ? rabbitNodeNames(nodes).join(', ') : 'rabbit1, …'} (${LIMITS.rabbitNodes.min} to ${LIMITS.rabbitNodes.max} nodes). A quorum queue keeps a replica on each.`}
      />

      <FormSection
        formId={formId}
        path="exchanges"
        title="Exchanges"
        problems={problems}
        addLabel="Add exchange"
        canAdd={draft.exchanges.length < LIMITS.exchanges.max}
        onAdd={() => set({ exchanges: [...draft.exchanges, { name: freshName('events', exchangeNames), type: 'topic' }] })}
      >
        {draft.exchanges.map((x, i) => (
          <Entry key={i} legend={`Exchange ${i + 1}`} removeLabel={`Remove exchange ${i + 1}`} onRemove={() => set({ exchanges: removeAt(draft.exchanges, i) })}>
            <TextField formId={formId} path={`exchanges[${i}].name`} label="Name" value={x.name} onChange={(v) => set({ exchanges: patchAt(draft.exchanges, i, { name: v }) })} problems={problems} className="pg-wide" />
            <SelectField formId={formId} path={`exchanges[${i}].type`} label="Type" value={x.type} options={EXCHANGE_TYPES} onChange={(v) => set({ exchanges: patchAt(draft.exchanges, i, { type: v as RabbitDraft['exchanges'][number]['type'] }) })} problems={problems} className="pg-wide" />
          </Entry>
        ))}
      </FormSection>

      <FormSection
        formId={formId}
        path="queues"
        title="Queues"
        problems={problems}
        addLabel="Add queue"
        canAdd={draft.queues.length < LIMITS.queues.max}
        onAdd={() => set({ queues: [...draft.queues, { name: freshName('work', queueNames), 'x-queue-type': 'classic', 'x-dead-letter-exchange': '', bindings: exchangeNames[0] ? [{ exchange: exchangeNames[0], bindingKey: '' }] : [] }] })}
      >
        {draft.queues.map((q, i) => (
          <Entry key={i} legend={`Queue ${i + 1}`} removeLabel={`Remove queue ${i + 1}`} onRemove={draft.queues.length > 1 ? () => set({ queues: removeAt(draft.queues, i) }) : undefined}>
            <TextField formId={formId} path={`queues[${i}].name`} label="Name" value={q.name} onChange={(v) => setQueue(i, { name: v })} problems={problems} className="pg-wide" />
            <SelectField formId={formId} path={`queues[${i}].x-queue-type`} label="x-queue-type" value={q['x-queue-type']} options={QUEUE_TYPES} onChange={(v) => setQueue(i, { 'x-queue-type': v as Queue['x-queue-type'] })} problems={problems} className="pg-wide" />
            <SelectField
              formId={formId}
              path={`queues[${i}].x-dead-letter-exchange`}
              label="x-dead-letter-exchange"
              value={q['x-dead-letter-exchange']}
              options={[{ value: '', label: '(none)' }, ...exchangeOptions]}
              onChange={(v) => setQueue(i, { 'x-dead-letter-exchange': v })}
              problems={problems}
              className="pg-wide"
              help="Where rejected (requeue false) and expired messages go."
            />
            <div className="pg-wide pg-bindings">
              <p className="pg-subhead">Bindings</p>
              {q.bindings.length === 0 && <p className="help">None: this queue gets messages only through the default exchange (routing key {JSON.stringify(q.name)}).</p>}
              {q.bindings.map((b, k) => (
                <div className="pg-binding" key={k}>
                  <SelectField formId={formId} path={`queues[${i}].bindings[${k}].exchange`} label="From exchange" value={b.exchange} options={exchangeOptions} onChange={(v) => setQueue(i, { bindings: patchAt(q.bindings, k, { exchange: v }) })} problems={problems} />
                  <TextField formId={formId} path={`queues[${i}].bindings[${k}].bindingKey`} label="Binding key" value={b.bindingKey} onChange={(v) => setQueue(i, { bindings: patchAt(q.bindings, k, { bindingKey: v }) })} problems={problems} />
                  <button type="button" className="secondary small pg-remove" onClick={() => setQueue(i, { bindings: removeAt(q.bindings, k) })} aria-label={`Remove binding ${k + 1} of queue ${i + 1}`}>
                    Remove
                  </button>
                </div>
              ))}
              <button type="button" className="secondary small" disabled={q.bindings.length >= LIMITS.bindings.max || exchangeNames.length === 0} onClick={() => setQueue(i, { bindings: [...q.bindings, { exchange: exchangeNames[0] ?? '', bindingKey: '' }] })}>
                Add binding
              </button>
            </div>
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
        onAdd={() => set({ producers: [...draft.producers, { count: 1, exchange: exchangeNames[0] ?? '', routingKeys: '', messages: 20 }] })}
      >
        {draft.producers.map((p, i) => {
          const names = Array.from({ length: countOf(p.count) ?? 0 }, () => `producer-${++producerNo}`);
          return (
            <Entry key={i} legend={`Producer ${i + 1}`} nodes={nodeList(names)} removeLabel={`Remove producer ${i + 1}`} onRemove={() => set({ producers: removeAt(draft.producers, i) })}>
              <TextField formId={formId} path={`producers[${i}].count`} label="Producer nodes" numeric value={p.count} onChange={(v) => set({ producers: patchAt(draft.producers, i, { count: v }) })} problems={problems} />
              <TextField formId={formId} path={`producers[${i}].messages`} label="Messages to send" numeric value={p.messages} onChange={(v) => set({ producers: patchAt(draft.producers, i, { messages: v }) })} problems={problems} />
              <SelectField formId={formId} path={`producers[${i}].exchange`} label="Exchange" value={p.exchange} options={[...exchangeOptions, { value: '', label: '(default exchange)' }]} onChange={(v) => set({ producers: patchAt(draft.producers, i, { exchange: v }) })} problems={problems} className="pg-wide" />
              <TextField formId={formId} path={`producers[${i}].routingKeys`} label="Routing keys" value={p.routingKeys} onChange={(v) => set({ producers: patchAt(draft.producers, i, { routingKeys: v }) })} problems={problems} className="pg-wide" help="Separated by commas; start.routingKeys in produce()." />
            </Entry>
          );
        })}
      </FormSection>

      <FormSection
        formId={formId}
        path="consumers"
        title="Consumers"
        problems={problems}
        addLabel="Add consumer"
        canAdd={draft.consumers.length < LIMITS.consumerEntries.max}
        onAdd={() => set({ consumers: [...draft.consumers, { count: 1, queue: queueNames[0] ?? '', ack: 'manual', prefetch: 10 }] })}
      >
        {draft.consumers.map((c, i) => {
          const names = Array.from({ length: countOf(c.count) ?? 0 }, () => {
            const n = (perQueue.get(c.queue) ?? 0) + 1;
            perQueue.set(c.queue, n);
            return `${c.queue}-${n}`;
          });
          return (
            <Entry key={i} legend={`Consumer ${i + 1}`} nodes={nodeList(names)} removeLabel={`Remove consumer ${i + 1}`} onRemove={() => set({ consumers: removeAt(draft.consumers, i) })}>
              <TextField formId={formId} path={`consumers[${i}].count`} label="Consumer nodes" numeric value={c.count} onChange={(v) => set({ consumers: patchAt(draft.consumers, i, { count: v }) })} problems={problems} />
              <TextField formId={formId} path={`consumers[${i}].prefetch`} label="prefetch" numeric value={c.prefetch} onChange={(v) => set({ consumers: patchAt(draft.consumers, i, { prefetch: v }) })} problems={problems} />
              <SelectField formId={formId} path={`consumers[${i}].queue`} label="Queue" value={c.queue} options={queueNames.map((n) => ({ value: n, label: n }))} onChange={(v) => set({ consumers: patchAt(draft.consumers, i, { queue: v }) })} problems={problems} className="pg-wide" />
              <SelectField formId={formId} path={`consumers[${i}].ack`} label="Ack mode" value={c.ack} options={ACK_MODES} onChange={(v) => set({ consumers: patchAt(draft.consumers, i, { ack: v as RabbitDraft['consumers'][number]['ack'] }) })} problems={problems} className="pg-wide" />
            </Entry>
          );
        })}
      </FormSection>
    </div>
  );
}
