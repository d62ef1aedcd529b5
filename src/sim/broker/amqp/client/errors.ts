/**
 * Errors as amqplib reports them: an RPC that closed its channel rejects with
 * `Operation failed: QueueDeclare; 404 (NOT-FOUND) with message "NOT_FOUND - no queue 'q' in vhost '/'"`,
 * the channel emits `Channel closed by server: …`, and using a closed channel throws an
 * `IllegalOperationError` (`Channel closed`). Each carries the AMQP reply `code` (amqplib
 * `lib/channel.js`, `lib/format.js`, `lib/error.js`).
 */

import type { RpcMethod } from '../protocol.ts';

/** amqplib's name for a misuse of a closed channel or connection. */
export class IllegalOperationError extends Error {
  override name = 'IllegalOperationError';
}

/** An error with the AMQP reply code that caused it. */
export interface AmqpClientError extends Error {
  code?: number;
  classId?: number;
  methodId?: number;
}

/** amqplib `defs.constant_strs`. */
const CODE_NAMES: Record<number, string> = {
  200: 'REPLY-SUCCESS',
  311: 'CONTENT-TOO-LARGE',
  312: 'NO-ROUTE',
  313: 'NO-CONSUMERS',
  320: 'CONNECTION-FORCED',
  402: 'INVALID-PATH',
  403: 'ACCESS-REFUSED',
  404: 'NOT-FOUND',
  405: 'RESOURCE-LOCKED',
  406: 'PRECONDITION-FAILED',
  501: 'FRAME-ERROR',
  502: 'SYNTAX-ERROR',
  503: 'COMMAND-INVALID',
  504: 'CHANNEL-ERROR',
  505: 'UNEXPECTED-FRAME',
  506: 'RESOURCE-ERROR',
  530: 'NOT-ALLOWED',
  540: 'NOT-IMPLEMENTED',
  541: 'INTERNAL-ERROR',
};

/** The class and method ids of the methods that can fail, for `error.classId` / `error.methodId`. */
const METHODS: Record<string, { name: string; classId: number; methodId: number }> = {
  'channel.open': { name: 'ChannelOpen', classId: 20, methodId: 10 },
  'channel.close': { name: 'ChannelClose', classId: 20, methodId: 40 },
  'exchange.declare': { name: 'ExchangeDeclare', classId: 40, methodId: 10 },
  'exchange.delete': { name: 'ExchangeDelete', classId: 40, methodId: 20 },
  'exchange.bind': { name: 'ExchangeBind', classId: 40, methodId: 30 },
  'exchange.unbind': { name: 'ExchangeUnbind', classId: 40, methodId: 40 },
  'queue.declare': { name: 'QueueDeclare', classId: 50, methodId: 10 },
  'queue.bind': { name: 'QueueBind', classId: 50, methodId: 20 },
  'queue.purge': { name: 'QueuePurge', classId: 50, methodId: 30 },
  'queue.delete': { name: 'QueueDelete', classId: 50, methodId: 40 },
  'queue.unbind': { name: 'QueueUnbind', classId: 50, methodId: 50 },
  'basic.qos': { name: 'BasicQos', classId: 60, methodId: 10 },
  'basic.consume': { name: 'BasicConsume', classId: 60, methodId: 20 },
  'basic.cancel': { name: 'BasicCancel', classId: 60, methodId: 30 },
  'basic.publish': { name: 'BasicPublish', classId: 60, methodId: 40 },
  'basic.get': { name: 'BasicGet', classId: 60, methodId: 70 },
  'basic.ack': { name: 'BasicAck', classId: 60, methodId: 80 },
  'basic.reject': { name: 'BasicReject', classId: 60, methodId: 90 },
  'basic.recover': { name: 'BasicRecover', classId: 60, methodId: 110 },
  'basic.nack': { name: 'BasicNack', classId: 60, methodId: 120 },
  'confirm.select': { name: 'ConfirmSelect', classId: 85, methodId: 10 },
};

/** `format.closeMessage`: `404 (NOT-FOUND) with message "NOT_FOUND - …"`. */
export function closeMessage(code: number, text: string): string {
  return `${code} (${CODE_NAMES[code] ?? 'UNKNOWN'}) with message "${text}"`;
}

function withCode(message: string, code: number, method: string | undefined): AmqpClientError {
  const e: AmqpClientError = new Error(message);
  e.code = code;
  const m = method === undefined ? undefined : METHODS[method];
  e.classId = m?.classId ?? 0;
  e.methodId = m?.methodId ?? 0;
  return e;
}

/** What the channel emits as 'error' when the server closes it. */
export function channelClosedError(code: number, text: string, method: string | undefined): AmqpClientError {
  return withCode(`Channel closed by server: ${closeMessage(code, text)}`, code, method);
}

/** `convertCloseFrameToError`: the RPC that caused the close gets "Operation failed"; others "Channel closed by server". */
export function rpcError(pending: RpcMethod, code: number, text: string, closeMethod: string | undefined): AmqpClientError {
  if (closeMethod === pending) return withCode(`Operation failed: ${METHODS[pending]?.name ?? pending}; ${closeMessage(code, text)}`, code, closeMethod);
  return withCode(`Channel closed by server: ${closeMessage(code, text)}`, code, closeMethod);
}

/** `Connection closed: 320 (CONNECTION-FORCED) with message "…"`. */
export function connectionClosedError(code: number, text: string): AmqpClientError {
  return withCode(`Connection closed: ${closeMessage(code, text)}`, code, undefined);
}
