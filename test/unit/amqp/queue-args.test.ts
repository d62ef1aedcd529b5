/**
 * Queue argument validation and defaults, and message publish validation.
 *
 * Sources: rabbitmq-server v3.13.7 deps/rabbit/src/rabbit_amqqueue.erl (`check_declare_arguments/3`,
 * `declare_args/0`, `check_*_arg/2`), deps/rabbit/src/rabbit_classic_queue.erl and
 * rabbit_quorum_queue.erl (`capabilities/0`, `overflow/3`), deps/rabbit/src/rabbit_priority_queue.erl
 * (`priorities/1`), deps/rabbit/src/rabbit_basic.erl (`parse_expiration/1`, `header_routes/1`),
 * deps/rabbit/src/rabbit_channel.erl (`check_expiration_header/1`).
 * Docs: https://www.rabbitmq.com/docs/3.13/queues#optional-arguments,
 * https://www.rabbitmq.com/docs/3.13/quorum-queues#feature-matrix, https://www.rabbitmq.com/docs/3.13/ttl.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fieldValueFromJs,
  parseExpiration,
  parseQueueArguments,
  tableFromJs,
  utf8ByteLength,
} from '../../../src/sim/broker/amqp/index.ts';
import { queueConfig } from './helpers.ts';

function errorOf(name: string, args: Record<string, unknown>): string {
  const r = parseQueueArguments(name, tableFromJs(args));
  return r.ok ? 'ok' : r.error.replyText;
}

describe('queue arguments', () => {
  it('defaults: classic, drop-head, nothing else set', () => {
    expect(queueConfig('q')).toEqual({
      name: 'q',
      type: 'classic',
      messageTtlMs: undefined,
      expiresMs: undefined,
      maxLength: undefined,
      maxLengthBytes: undefined,
      overflow: 'drop-head',
      maxPriority: undefined,
      deadLetterExchange: undefined,
      deadLetterRoutingKey: undefined,
      deliveryLimit: undefined,
    });
  });

  it('reads every modelled argument, with any integer width', () => {
    const c = queueConfig('q', {
      'x-message-ttl': 60_000,
      'x-expires': { '!': 'long', value: 1_800_000 },
      'x-max-length': 10,
      'x-max-length-bytes': 1_000_000,
      'x-overflow': 'reject-publish-dlx',
      'x-max-priority': 10,
      'x-dead-letter-exchange': 'dlx',
      'x-dead-letter-routing-key': 'dead',
    });
    expect(c).toMatchObject({
      messageTtlMs: 60_000,
      expiresMs: 1_800_000,
      maxLength: 10,
      maxLengthBytes: 1_000_000,
      overflow: 'reject-publish-dlx',
      maxPriority: 10,
      deadLetterExchange: 'dlx',
      deadLetterRoutingKey: 'dead',
    });
  });

  it('quorum: x-delivery-limit read; RabbitMQ 3.13 has no default limit', () => {
    expect(queueConfig('qq', { 'x-queue-type': 'quorum' }).deliveryLimit).toBeUndefined();
    expect(queueConfig('qq', { 'x-queue-type': 'quorum', 'x-delivery-limit': 5 }).deliveryLimit).toBe(5);
  });

  it('an argument of another queue type is refused (check_arguments_key/4)', () => {
    expect(errorOf('qq', { 'x-queue-type': 'quorum', 'x-max-priority': 5 })).toBe(
      "PRECONDITION_FAILED - invalid arg 'x-max-priority' for queue 'qq' in vhost '/' of queue type rabbit_quorum_queue",
    );
    expect(errorOf('q', { 'x-delivery-limit': 5 })).toBe(
      "PRECONDITION_FAILED - invalid arg 'x-delivery-limit' for queue 'q' in vhost '/' of queue type rabbit_classic_queue",
    );
  });

  it('unknown arguments are ignored', () => {
    expect(errorOf('q', { 'x-made-up': 1, colour: 'blue' })).toBe('ok');
  });

  // [args, expected detail]
  const invalid: ReadonlyArray<readonly [Record<string, unknown>, string]> = [
    [{ 'x-max-length': -1 }, "invalid arg 'x-max-length' for queue 'q' in vhost '/': {value_negative,-1}"],
    [{ 'x-max-length-bytes': 'big' }, `invalid arg 'x-max-length-bytes' for queue 'q' in vhost '/': "expected integer, got longstr"`],
    [{ 'x-expires': 0 }, "invalid arg 'x-expires' for queue 'q' in vhost '/': {value_zero,0}"],
    [{ 'x-message-ttl': -5 }, "invalid arg 'x-message-ttl' for queue 'q' in vhost '/': {value_negative,-5}"],
    [{ 'x-message-ttl': 315_360_000_001 }, "invalid arg 'x-message-ttl' for queue 'q' in vhost '/': {value_too_large,315360000001}"],
    [{ 'x-max-priority': 256 }, "invalid arg 'x-max-priority' for queue 'q' in vhost '/': {max_value_exceeded,256}"],
    [{ 'x-overflow': 'drop-tail' }, "invalid arg 'x-overflow' for queue 'q' in vhost '/': invalid_overflow"],
    [{ 'x-dead-letter-routing-key': 'k' }, "invalid arg 'x-dead-letter-routing-key' for queue 'q' in vhost '/': routing_key_but_no_dlx_defined"],
    [{ 'x-dead-letter-exchange': 1 }, "invalid arg 'x-dead-letter-exchange' for queue 'q' in vhost '/': {unacceptable_type,byte}"],
    [{ 'x-queue-type': 'stream2' }, `invalid arg 'x-queue-type' for queue 'q' in vhost '/': "unsupported queue type 'stream2'"`],
  ];
  it.each(invalid)('%j is a 406: %s', (args, detail) => {
    expect(errorOf('q', args)).toBe(`PRECONDITION_FAILED - ${detail}`);
  });

  it('x-max-priority is clamped to 1…255 effective levels', () => {
    expect(queueConfig('q', { 'x-max-priority': 0 }).maxPriority).toBe(1);
    expect(queueConfig('q', { 'x-max-priority': 255 }).maxPriority).toBe(255);
  });

  it('x-message-ttl 0 is allowed (unlike x-expires)', () => {
    expect(queueConfig('q', { 'x-message-ttl': 0 }).messageTtlMs).toBe(0);
  });

  it('quorum queues use drop-head instead of reject-publish-dlx; reject-publish is kept', () => {
    expect(queueConfig('qq', { 'x-queue-type': 'quorum', 'x-overflow': 'reject-publish-dlx' }).overflow).toBe('drop-head');
    expect(queueConfig('qq', { 'x-queue-type': 'quorum', 'x-overflow': 'reject-publish' }).overflow).toBe('reject-publish');
  });
});

describe('per-message expiration (rabbit_basic:parse_expiration/1)', () => {
  it.each([
    ['60000', 60_000],
    ['0', 0],
    ['+5', 5],
    ['007', 7],
  ] as const)('%j parses to %d', (s, n) => {
    expect(parseExpiration(s)).toEqual({ ok: true, value: n });
  });

  it.each([
    ['', 'no_integer'],
    ['abc', 'no_integer'],
    ['5s', '{leftover_string,"s"}'],
    ['-1', '{value_negative,-1}'],
    ['315360000001', '{value_too_large,315360000001}'],
  ] as const)('%j closes the channel: %s', (s, reason) => {
    const r = parseExpiration(s);
    expect(r.ok ? '' : r.error.replyText).toBe(`PRECONDITION_FAILED - invalid expiration '${s}': ${reason}`);
  });
});

describe('field values as amqplib encodes them (lib/codec.js encodeFieldValue)', () => {
  it('integers by range, non-integers as double, strings as longstr, null as void', () => {
    expect(fieldValueFromJs(1)).toEqual({ type: 'byte', value: 1 });
    expect(fieldValueFromJs(300)).toEqual({ type: 'short', value: 300 });
    expect(fieldValueFromJs(70_000)).toEqual({ type: 'signedint', value: 70_000 });
    expect(fieldValueFromJs(2 ** 40)).toEqual({ type: 'long', value: 2 ** 40 });
    expect(fieldValueFromJs(1.5)).toEqual({ type: 'double', value: 1.5 });
    expect(fieldValueFromJs('1')).toEqual({ type: 'longstr', value: '1' });
    expect(fieldValueFromJs(null)).toEqual({ type: 'void' });
    expect(fieldValueFromJs({ '!': 'timestamp', value: 5 })).toEqual({ type: 'timestamp', value: 5 });
  });

  it('body size counts UTF-8 bytes', () => {
    expect(utf8ByteLength('abc')).toBe(3);
    expect(utf8ByteLength('é')).toBe(2);
    expect(utf8ByteLength('€')).toBe(3);
    expect(utf8ByteLength('𝄞')).toBe(4);
    // A lone surrogate is written as U+FFFD, three bytes, as Node's encoder writes it.
    expect(utf8ByteLength('a\ud800b')).toBe(5);
    // Any string, against Node's own count (fast-check prints the seed of a failure).
    fc.assert(
      fc.property(fc.string({ unit: fc.oneof(fc.constant('a'), fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c))) }), (s) => {
        expect(utf8ByteLength(s)).toBe(Buffer.byteLength(s, 'utf8'));
      }),
      { numRuns: 500 },
    );
  });
});
