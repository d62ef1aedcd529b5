/**
 * The history kinds the RabbitMQ model records. Views and lab checkers read these names; the
 * data of each is small plain JSON (message id, queue, reason), never a payload.
 *
 * Message ids (`id`) are the simulator's identity for one publish (`messageId`: `origin:serial`),
 * the same in every record that follows the message through exchanges, queues and dead-letter
 * exchanges.
 */
import { DataShape } from '../../history.ts';

export const AmqpKinds = {
  /** Client: `ch.publish` handed a message to the connection. `{ id, exchange, routingKey, mid?, seq? }` (mid: the `messageId` property; seq: the confirm sequence number) */
  publish: 'amqp.publish',
  /** Broker: the exchange routed it. `{ id, queues }` (empty: unroutable) */
  route: 'amqp.route',
  /** Broker: a mandatory message that reached no queue went back to its publisher. `{ id, exchange, routingKey }` */
  return: 'amqp.return',
  /** Client: a publisher confirm arrived. `{ ch, seq, ack, multiple }` */
  confirm: 'amqp.confirm',
  /** Broker: a queue handed a message to a consumer or to `basic.get`. `{ id, q, ch, redelivered?, noAck? }` (flags only when true) */
  deliver: 'amqp.deliver',
  /** Broker: a consumer was registered on a queue (`basic.consume-ok`). `{ q, ch, consumer, noAck? }` */
  consume: 'amqp.consume',
  /**
   * Broker: a consumer ended. `{ q, ch, consumer, why }`: `cancel` (basic.cancel), `channel-closed`
   * (its channel or connection closed), `queue-gone` (the queue was deleted; the client gets a
   * basic.cancel), `node-down` (the classic queue's node became unreachable). A broker crash
   * records no cancel: the crash entry ends every consumer of the node's connections.
   */
  cancel: 'amqp.cancel',
  /** Broker: a queue settled a message with an ack (also automatic acks). `{ id, q }` */
  ack: 'amqp.ack',
  /** Broker: a nack or reject reached the queue. `{ id, q, requeue }` */
  nack: 'amqp.nack',
  /** Broker: an unacknowledged message went back to its queue. `{ id, q, why }` (nack, reject, channel-closed, recover) */
  requeue: 'amqp.requeue',
  /** Broker: a message was dead-lettered. `{ id, q, reason, dlx, queues }` */
  deadletter: 'amqp.deadletter',
  /** Broker: a message expired (TTL) at the head of its queue. `{ id, q }` */
  expire: 'amqp.expire',
  /** Broker: a message left a queue without an ack or a dead-letter copy. `{ id, q, reason }` */
  drop: 'amqp.drop',
  /** Broker: messages a node lost when it crashed or restarted. `{ q, count, ids }` */
  lost: 'amqp.lost',
  /** Both ends: a connection opened. `{ conn, client, node, heartbeatS }` */
  connectionOpen: 'amqp.connection.open',
  /** Both ends: a connection closed. `{ conn, reason, code? }` */
  connectionClose: 'amqp.connection.close',
  /** Broker: a channel was closed by an error. `{ ch, code, text }` */
  channelClose: 'amqp.channel.close',
  /** Broker: a queue was created or deleted. `{ q, type, durable, node? }` / `{ q, why }` */
  queueDeclare: 'amqp.queue.declare',
  queueDelete: 'amqp.queue.delete',
  /** Broker: a quorum queue member became leader. `{ q, node, term }` */
  leader: 'amqp.leader',
  /** Broker: a memory alarm was set or cleared on a node. `{ set, usedBytes, watermarkBytes }` */
  alarm: 'amqp.alarm',
  /** Broker: a publishing connection was blocked or unblocked by an alarm. `{ conn, blocked }` */
  blocked: 'amqp.blocked',
  /** Broker: a node decided a cluster peer is down, or up again. `{ peer, up }` */
  peer: 'amqp.peer',
  /** Client: a consumer callback threw. `{ ch, consumer, error }` */
  handlerError: 'amqp.handler.error',
} as const;

export type AmqpKind = (typeof AmqpKinds)[keyof typeof AmqpKinds];

/**
 * The per-message entries, recorded as shaped entries (`History.recordShaped`): a run at a few
 * hundred thousand messages a second records four of these a message, and building and
 * serialising an object for each cost more than the broker's own work. Readers see the same data
 * as the kinds above describe; an undefined value leaves its field out.
 */
export const AmqpShapes = {
  publish: new DataShape(AmqpKinds.publish, ['id', 'exchange', 'routingKey', 'mid', 'seq'], ['exchange', 'routingKey']),
  route: new DataShape(AmqpKinds.route, ['id', 'queues'], ['queues']),
  deliver: new DataShape(AmqpKinds.deliver, ['id', 'q', 'ch', 'redelivered', 'noAck'], ['q', 'ch']),
  ack: new DataShape(AmqpKinds.ack, ['id', 'q'], ['q']),
} as const;
