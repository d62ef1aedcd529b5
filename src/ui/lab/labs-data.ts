import type { LabSummary } from '../../host/labs-engine';
import { engine } from '../engine-client';

export type { LabSummary };

export interface LabListing {
  labs: LabSummary[];
  /** Labs that failed validation, one line each (shown, never hidden). */
  problems: string;
}

let listing: Promise<LabListing> | undefined;

/** The labs the engine bundles, fetched once per page load and shared by the catalog and lab pages. */
export function labListing(): Promise<LabListing> {
  listing ??= engine()
    .listLabs()
    .catch((e: unknown) => {
      listing = undefined; // a later visit tries again
      throw e;
    });
  return listing;
}

const BROKER_NAMES: Record<string, string> = {
  kafka: 'Kafka',
  rabbitmq: 'RabbitMQ',
  nats: 'NATS',
  pulsar: 'Pulsar',
  redis: 'Redis',
  sqs: 'SQS',
  kinesis: 'Kinesis',
  none: 'No broker',
};

/** A broker id as people write it (`rabbitmq` → RabbitMQ; `none` is a lab on the simulator's core). */
export function brokerName(broker: string): string {
  return BROKER_NAMES[broker] ?? broker;
}

/** A topic id as a heading: `delivery` → Delivery, `consumer-groups` → Consumer groups. */
export function topicTitle(topic: string): string {
  const words = topic.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function totalPoints(lab: Pick<LabSummary, 'checks'>): number {
  return lab.checks.reduce((a, c) => a + c.points, 0);
}

export interface Track {
  topic: string;
  labs: LabSummary[];
}

/** Labs grouped by topic, tracks and labs in folder order (`01-delivery/01-…` first). */
export function tracksOf(labs: readonly LabSummary[]): Track[] {
  const sorted = [...labs].sort((a, b) => a.dir.localeCompare(b.dir));
  const tracks = new Map<string, Track>();
  for (const lab of sorted) {
    let t = tracks.get(lab.topic);
    if (!t) tracks.set(lab.topic, (t = { topic: lab.topic, labs: [] }));
    t.labs.push(lab);
  }
  return [...tracks.values()];
}

/** The path of a lab's page. */
export function labHref(id: string): string {
  return `#/lab/${encodeURIComponent(id)}`;
}
