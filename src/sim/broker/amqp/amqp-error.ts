/**
 * AMQP 0-9-1 reply codes and RabbitMQ's error texts, as values.
 *
 * A closed channel or a returned message is an ordinary outcome in the simulation (the world's
 * fault, or the learner's), so these are data the caller turns into a `channel.close` or a
 * `basic.return`, never exceptions.
 */

/** The reply codes this model produces (AMQP 0-9-1 spec, constants section). */
export const REPLY_CODE = {
  NO_ROUTE: 312,
  ACCESS_REFUSED: 403,
  NOT_FOUND: 404,
  RESOURCE_LOCKED: 405,
  PRECONDITION_FAILED: 406,
  NOT_IMPLEMENTED: 540,
} as const;

/** The name RabbitMQ prints in front of the text, e.g. `NOT_FOUND - no queue 'q' in vhost '/'`. */
export type ReplyName = keyof typeof REPLY_CODE;

/** A channel-level (or, for 312, return-level) outcome with RabbitMQ's wording. */
export interface AmqpError {
  readonly replyCode: number;
  readonly replyName: ReplyName;
  /** Full reply text exactly as RabbitMQ formats it: `NAME - detail`. */
  readonly replyText: string;
}

/** Builds an error the way `rabbit_misc:protocol_error/3` formats it. */
export function amqpError(name: ReplyName, detail: string): AmqpError {
  return { replyCode: REPLY_CODE[name], replyName: name, replyText: `${name} - ${detail}` };
}

/** The only vhost the simulator models; it appears in RabbitMQ's messages, so we print it too. */
export const VHOST = '/';

/** `rabbit_misc:rs/1`: how RabbitMQ names a resource in messages, e.g. `queue 'q' in vhost '/'`. */
export function resourceName(kind: 'queue' | 'exchange', name: string): string {
  return `${kind} '${name}' in vhost '${VHOST}'`;
}

/** A result that is either a value or an AMQP error, for operations a learner can get wrong. */
export type AmqpResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: AmqpError };

/** Success wrapper, so call sites read `return ok(x)`. */
export function ok<T>(value: T): AmqpResult<T> {
  return { ok: true, value };
}

/** Failure wrapper, so call sites read `return fail(amqpError(...))`. */
export function fail<T>(error: AmqpError): AmqpResult<T> {
  return { ok: false, error };
}
