import type { PlaygroundFamily } from './config';

/**
 * The code a playground starts from, per family: it works with the default topology as it is
 * (producers send their messages, consumers log and acknowledge each one), so the first run shows
 * something, and it reads its numbers from `start` so it follows the form.
 */
export const KAFKA_STARTER = `import type { Ctx, KafkaRecord, Message, ProducerStart } from 'brokerlab';

// The Kafka playground runs this file on every producer and consumer node.

interface Order {
  orderId: string;
  customer: string;
  amountCents: number;
}

// Producer nodes: produce() is called once when the node starts (again after a
// restart). start.topic, start.messages and start.keyed come from the form;
// ctx.producer is KafkaJS-style, with the form's acks and enable.idempotence.
export async function produce(start: ProducerStart, ctx: Ctx): Promise<void> {
  for (let i = 1; i <= start.messages; i++) {
    const order: Order = {
      orderId: \`\${start.node}-\${i}\`,
      customer: \`c-\${i % 5}\`,
      amountCents: 100 * (1 + (i % 9)),
    };
    const key = start.keyed ? order.customer : null;
    try {
      await ctx.producer.send({
        topic: start.topic,
        messages: [{ key, value: JSON.stringify(order) }],
      });
    } catch (err) {
      const why = (err as Error).message;
      console.error(\`\${order.orderId} not acknowledged: \${why}\`);
    }
    await ctx.sleep(25); // one order every 25 ms of simulated time
  }
  console.log(\`sent \${start.messages} orders to \${start.topic}\`);
}

// Consumer nodes: each member of a consumer group gets the records of its
// partitions here, one at a time, like KafkaJS's eachMessage.
export async function handleMessage(msg: Message<KafkaRecord>, ctx: Ctx) {
  const { topic, partition, message } = msg.payload;
  const order = JSON.parse(message.value ?? '{}') as Order;
  console.log(\`\${topic}/\${partition}@\${message.offset}: \${order.orderId}\`);
  // Commit the offset once the record is handled: what matters when
  // enable.auto.commit is off.
  await ctx.commit(msg);
}
`;

export const RABBITMQ_STARTER = `import type { AmqpMessage, Ctx, Message, ProducerStart } from 'brokerlab';

// The RabbitMQ playground runs this file on every producer and consumer node.
// The form's exchanges, queues and bindings are declared before it runs.

interface Order {
  orderId: string;
  amountCents: number;
}

// Producer nodes: produce() is called once when the node starts (again after a
// restart). ctx.channel is an amqplib-style confirm channel.
export async function produce(start: ProducerStart, ctx: Ctx): Promise<void> {
  const keys = start.routingKeys;
  for (let i = 1; i <= start.messages; i++) {
    const orderId = \`\${start.node}-\${i}\`;
    const order: Order = { orderId, amountCents: 100 * ((i % 9) + 1) };
    const routingKey = keys[(i - 1) % keys.length];
    ctx.channel.publish(start.exchange, routingKey, JSON.stringify(order), {
      persistent: true,
      contentType: 'application/json',
    });
    await ctx.sleep(25); // one order every 25 ms of simulated time
  }
  await ctx.channel.waitForConfirms();
  console.log(\`published \${start.messages} orders, every one confirmed\`);
}

// Consumer nodes: each delivery from the node's queue arrives here (up to
// prefetch at a time).
export async function handleMessage(msg: Message<AmqpMessage>, ctx: Ctx) {
  const { content, fields } = msg.payload;
  const order = JSON.parse(content) as Order;
  const again = fields.redelivered ? ' (redelivered)' : '';
  console.log(\`\${fields.routingKey}: order \${order.orderId}\${again}\`);
  // Acknowledge once handled. ctx.commit(msg) acks like ctx.channel.ack(msg)
  // with ack mode manual, and does nothing with ack mode auto.
  await ctx.commit(msg);
}
`;

export const PLAYGROUND_STARTERS: Readonly<Record<PlaygroundFamily, string>> = { kafka: KAFKA_STARTER, rabbitmq: RABBITMQ_STARTER };
