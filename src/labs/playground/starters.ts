import type { PlaygroundFamily } from './config';

/**
 * The code a playground starts from, per family: it works with the default topology as it is
 * (producers send their messages, consumers log and acknowledge each one), so the first run shows
 * something, and it reads its numbers from `start` so it follows the form.
 */
export const KAFKA_STARTER = `import type { Ctx, KafkaRecord, Message, ProducerStart } from 'brokerlab';

// The Kafka playground runs this file on every producer and consumer node of your topology.

// Producer nodes: the playground calls produce() once when the node starts (again after a
// restart). start.topic, start.messages and start.keyed come from the form; ctx.producer is a
// KafkaJS-style producer with the form's acks and enable.idempotence.
export async function produce(start: ProducerStart, ctx: Ctx): Promise<void> {
  for (let i = 1; i <= start.messages; i++) {
    const order = { orderId: \`\${start.node}-\${i}\`, customer: \`c-\${i % 5}\`, amountCents: 100 * (1 + (i % 9)) };
    try {
      await ctx.producer.send({
        topic: start.topic,
        messages: [{ key: start.keyed ? order.customer : null, value: JSON.stringify(order) }],
      });
    } catch (err) {
      console.error(\`order \${order.orderId} was not acknowledged: \${(err as Error).message}\`);
    }
    await ctx.sleep(25); // one order every 25 ms of simulated time
  }
  console.log(\`sent \${start.messages} orders to \${start.topic}\`);
}

// Consumer nodes: each member of a consumer group gets the records of its partitions here, one
// at a time, like KafkaJS's eachMessage.
export async function handleMessage(msg: Message<KafkaRecord>, ctx: Ctx): Promise<void> {
  const { topic, partition, message } = msg.payload;
  const order = JSON.parse(message.value ?? '{}') as { orderId: string; amountCents: number };
  console.log(\`\${topic}/\${partition} offset \${message.offset}: order \${order.orderId}, \${order.amountCents} cents\`);
  // Commit the offset once the record is handled (this is what matters when enable.auto.commit is off).
  await ctx.commit(msg);
}
`;

export const RABBITMQ_STARTER = `import type { AmqpMessage, Ctx, Message, ProducerStart } from 'brokerlab';

// The RabbitMQ playground runs this file on every producer and consumer node of your topology.
// The form declares the exchanges, queues and bindings before any of it runs.

// Producer nodes: the playground calls produce() once when the node starts (again after a
// restart). ctx.channel is an amqplib-style confirm channel.
export async function produce(start: ProducerStart, ctx: Ctx): Promise<void> {
  for (let i = 1; i <= start.messages; i++) {
    const routingKey = start.routingKeys[(i - 1) % start.routingKeys.length];
    const order = { orderId: \`\${start.node}-\${i}\`, amountCents: 100 * (1 + (i % 9)) };
    ctx.channel.publish(start.exchange, routingKey, JSON.stringify(order), { persistent: true, contentType: 'application/json' });
    await ctx.sleep(25); // one order every 25 ms of simulated time
  }
  await ctx.channel.waitForConfirms();
  console.log(\`published \${start.messages} orders; the broker confirmed every one\`);
}

// Consumer nodes: every delivery from the node's queue arrives here (up to prefetch at a time).
export async function handleMessage(msg: Message<AmqpMessage>, ctx: Ctx): Promise<void> {
  const { content, fields } = msg.payload;
  const order = JSON.parse(content) as { orderId: string; amountCents: number };
  console.log(\`\${fields.routingKey}: order \${order.orderId}\${fields.redelivered ? ' (redelivered)' : ''}\`);
  // Acknowledge once handled: ctx.commit(msg) acks like ctx.channel.ack(msg) when the ack mode is
  // manual, and does nothing when it is auto (the broker counted the delivery as acknowledged).
  await ctx.commit(msg);
}
`;

export const PLAYGROUND_STARTERS: Readonly<Record<PlaygroundFamily, string>> = { kafka: KAFKA_STARTER, rabbitmq: RABBITMQ_STARTER };
