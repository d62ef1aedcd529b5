import { useSyncExternalStore } from 'react';
import { useSession } from '../../workspace/workspace-context';
import { ViewBoundary } from '../../workspace/ViewBoundary';
import { AmqpInspector } from './AmqpInspector';
import { GroupInspector } from './GroupInspector';
import { KafkaInspector } from './KafkaInspector';
import './inspectors.css';

/**
 * The inspectors of the brokers the history shows: Kafka partitions and consumer groups once a
 * Kafka entry has arrived, RabbitMQ queues once a queue has been declared, nothing for a run
 * without brokers. Re-renders only when that answer changes; each panel follows the stream itself.
 */
export function InspectorsRow() {
  const { history } = useSession();
  const kafka = useSyncExternalStore(history.subscribe, () => history.kafka.present);
  const amqp = useSyncExternalStore(history.subscribe, () => history.amqp.present);
  if (!kafka && !amqp) return null;
  return (
    <div className="workspace-row inspectors" data-testid="inspectors">
      {kafka && (
        <ViewBoundary name="The Kafka inspector">
          <KafkaInspector />
        </ViewBoundary>
      )}
      {kafka && (
        <ViewBoundary name="The consumer-group inspector">
          <GroupInspector />
        </ViewBoundary>
      )}
      {amqp && (
        <ViewBoundary name="The RabbitMQ inspector">
          <AmqpInspector />
        </ViewBoundary>
      )}
    </div>
  );
}
