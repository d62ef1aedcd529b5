import type { AmqpMessage, Ctx, Job, Message, Start } from 'brokerlab';

// A failed job waits for its retry in a queue of its own, not in `work`: retry queue n holds it for
// about BASE_MS * 2^(n-1) (x-message-ttl, then x-dead-letter-exchange routes it back to `work`).
// The attempt count travels in a header. After MAX_ATTEMPTS the job is rejected without requeue,
// and `work`'s dead-letter settings send it to `work.dlq` with x-death saying why.

const MAX_ATTEMPTS = 5;
const BASE_MS = 250;
/** Jitter: each delay is drawn from ±15% around its level, so a wait is still longer than the one before. */
const JITTER = 0.15;

export async function setup(start: Start, ctx: Ctx): Promise<void> {
  const ch = ctx.channel;
  await ch.assertQueue('work', { deadLetterExchange: '', deadLetterRoutingKey: 'work.dlq' });
  await ch.assertQueue('work.dlq');
  await ch.assertExchange('work.retry', 'direct');
  for (let level = 1; level < MAX_ATTEMPTS; level++) {
    const queue = `work.retry.${level}`;
    // The queue's TTL caps the level's delay; per-message expirations add the jitter below it.
    const ttl = Math.round(BASE_MS * 2 ** (level - 1) * (1 + JITTER));
    await ch.assertQueue(queue, { messageTtl: ttl, deadLetterExchange: '', deadLetterRoutingKey: 'work' });
    await ch.bindQueue(queue, 'work.retry', String(level));
  }
}

export async function handleMessage(msg: Message<AmqpMessage>, ctx: Ctx): Promise<void> {
  const { content, properties } = msg.payload;
  const job = JSON.parse(content) as Job;
  const headers = properties.headers ?? {};
  const attempt = typeof headers['x-attempt'] === 'number' ? headers['x-attempt'] : 1;
  try {
    await ctx.renderer.render(job);
    ctx.channel.ack(msg);
    return;
  } catch (err) {
    if (attempt >= MAX_ATTEMPTS) {
      // Dead-lettered by RabbitMQ to work.dlq, with x-death: reason rejected, queue work.
      ctx.channel.reject(msg, false);
      return;
    }
    const delayMs = Math.round(BASE_MS * 2 ** (attempt - 1) * (1 - JITTER + 2 * JITTER * Math.random()));
    ctx.channel.publish('work.retry', String(attempt), content, {
      headers: { 'x-attempt': attempt + 1, 'x-last-error': String(err) },
      expiration: String(delayMs),
      messageId: properties.messageId,
      persistent: true,
    });
    ctx.channel.ack(msg);
  }
}
