/**
 * The RabbitMQ (AMQP 0-9-1) model's pure, network-independent parts: routing, matching, queue
 * stores, dead-lettering and prefetch. The broker node and client build on these.
 *
 * Modelled version: RabbitMQ 3.13.7 (the curriculum targets 3.12/3.13; where 3.12 differs — headers
 * value comparison, `x-last-death-*`, the `CC` header on dead-lettered messages — 3.13 wins and the
 * module says so). Everything takes the current time as an argument and has no timers.
 */

/** The RabbitMQ release whose behaviour this folder reproduces. */
export const MODELLED_RABBITMQ_VERSION = '3.13.7';

export { amqpError, fail, ok, REPLY_CODE, resourceName, VHOST } from './amqp-error.ts';
export type { AmqpError, AmqpResult, ReplyName } from './amqp-error.ts';

export {
  compareBinaries,
  fieldValueFromJs,
  fieldValueToJs,
  INTEGER_FIELD_TYPES,
  isIntegerField,
  long,
  longstr,
  table,
  tableDeleteFirst,
  tableFromJs,
  tableLookup,
  tableSet,
  tableToJs,
  VOID,
} from './field-value.ts';
export type { FieldEntry, FieldTable, FieldValue, IntegerFieldType } from './field-value.ts';

export { splitTopicKey, topicMatches } from './topic-match.ts';
export { headersMatch, routingEquals, validateHeadersBinding, xMatchOf } from './headers-match.ts';
export type { XMatch } from './headers-match.ts';

export { alternateExchangeOf, bindingMatches, DEFAULT_EXCHANGE, PREDECLARED_EXCHANGES } from './exchange.ts';
export type { Binding, DestinationKind, ExchangeDef, ExchangeType, RoutingInput } from './exchange.ts';
export { DEFAULT_TOPOLOGY_LIMITS, Topology } from './topology.ts';
export type { TopologyLimits } from './topology.ts';
export { routeFrom, routePublish } from './router.ts';
export type { BasicReturn, PublishRoute, RouteTrace } from './router.ts';

export {
  deliveredHeaders,
  deliveredProperties,
  deliveryRoutingKey,
  MAX_EXPIRY_MS,
  messageId,
  parseExpiration,
  publishMessage,
  routingHeaders,
  routingInputOf,
  utf8ByteLength,
} from './message.ts';
export type { AmqpMessage, BasicProperties, DeliveryAnnotations, PublishInput } from './message.ts';

export { DEAD_LETTER_REASONS, deathsFromHeaders, recordDeath, xDeathHeader } from './x-death.ts';
export type { DeadLetterReason, DeathEvent, DeathRecord } from './x-death.ts';
export { deadLetter, deadLetteredMessage, dropDeathCycles } from './dead-letter.ts';
export type { CycleCheck, DeadLetterInput, DeadLetterOutcome } from './dead-letter.ts';

export { MAX_SUPPORTED_PRIORITY, parseQueueArguments } from './queue-args.ts';
export type { Overflow, QueueConfig, QueueType } from './queue-args.ts';
export { QueueLease } from './queue-lease.ts';
export { ReadyMessages } from './ready-messages.ts';
export type { QueuedMessage } from './ready-messages.ts';
export { DEFAULT_QUEUE_LIMITS, QueueStore } from './queue.ts';
export type { QueueLimits } from './queue.ts';
export type {
  ConsumeRequest,
  ConsumeStep,
  DeadLetterRequest,
  Delivery,
  GetStep,
  PublishStep,
  QueueStep,
} from './queue-step.ts';
export { isBelowSoftLimit, isOverLimit, QUORUM_LOW_LIMIT, wouldOverflow } from './length-limit.ts';
export type { ReadyTotals } from './length-limit.ts';
export { messageExpiryAtMs } from './message-ttl.ts';
export { ConsumerRing, consumerKey } from './prefetch.ts';
export type { ChannelCanSend, ConsumerSpec, ConsumerState } from './prefetch.ts';

// ---------------------------------------------------------------- the network-integrated model

export { RabbitCluster } from './cluster.ts';
export type { ConsumerView, MessageView, NodeView, QueueView, RabbitClusterOptions } from './cluster.ts';
export { DEFAULT_RABBIT_CONFIG } from './config.ts';
export type { RabbitConfig } from './config.ts';
export { AmqpKinds } from './kinds.ts';
export type { AmqpKind } from './kinds.ts';
export type { DeadLetterRecord, QueueRecord } from './metadata.ts';
export { RabbitNode } from './rabbit-node.ts';
export { connect } from './client/connect.ts';
export type { ConnectOptions, SocketOptions } from './client/connect.ts';
export { Connection } from './client/connection.ts';
export { Channel, ConfirmChannel } from './client/channel.ts';
export type { AssertExchangeOptions, AssertQueueOptions, AssertQueueReply, ConsumeCallback, ConsumeOptions } from './client/channel.ts';
export type { Message, MessageFields, MessageProperties, PublishOptions, ReturnedMessage } from './client/message.ts';
export { IllegalOperationError } from './client/errors.ts';
export type { AmqpClientError } from './client/errors.ts';
export type { AmqpPacket, ClientFrame, ServerFrame, NodeMessage } from './protocol.ts';
