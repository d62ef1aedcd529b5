import type { AmqpMessage, Ctx, Job, Message, Start } from 'brokerlab';

// The worker. Jobs arrive from the queue `work` (prefetch 8: up to eight at a time) and are
// rendered by the renderer service. When a render fails, this version puts the job back in the
// queue to be tried again. Run it and read the checks.

export async function setup(start: Start, ctx: Ctx): Promise<void> {
  await ctx.channel.assertQueue('work');
  await ctx.channel.assertQueue('work.dlq');
}

export async function handleMessage(msg: Message<AmqpMessage>, ctx: Ctx): Promise<void> {
  const job = JSON.parse(msg.payload.content) as Job;
  try {
    await ctx.renderer.render(job);
    ctx.channel.ack(msg);
  } catch (err) {
    // Failed: requeue it and try again.
    ctx.channel.nack(msg, false, true);
  }
}
