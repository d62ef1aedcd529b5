import type { Scenario } from '../scenario';
import { clockSkewLww } from './clock-skew-lww';
import { kafkaAcksOne } from './kafka-acks-one';
import { kafkaRebalanceStorm } from './kafka-rebalance-storm';
import { kafkaRetryDuplicates } from './kafka-retry-duplicates';
import { kafkaUncleanElection } from './kafka-unclean-election';
import { rabbitAutoAck } from './rabbitmq-auto-ack';

export type { DemoInfo, DemoReport, DemoMoment, DemoFigure, DemoDoc } from './demo';

/** The demo gallery, in the order a lecture might show them. */
export const demoList: readonly Scenario[] = [rabbitAutoAck, kafkaAcksOne, kafkaRetryDuplicates, kafkaRebalanceStorm, kafkaUncleanElection, clockSkewLww];
