/**
 * AMQP heartbeats, as both RabbitMQ (`rabbit_heartbeat`) and amqplib (`lib/heartbeat.js`) run
 * them: every half interval a peer that sent nothing since the last check sends a heartbeat frame;
 * every interval it checks whether anything arrived, and after two consecutive checks with nothing
 * the peer is considered dead. So a silent peer is detected between two and three intervals after
 * its last frame (https://www.rabbitmq.com/docs/heartbeats: "after two missed heartbeats, the peer
 * is considered to be unreachable").
 */

import type { Timer } from '../../kernel.ts';
import type { SimNode } from '../../node.ts';

export class Heartbeat {
  private sentSinceCheck = false;
  private receivedSinceCheck = false;
  private missed = 0;
  private sendTimer: Timer | undefined;
  private recvTimer: Timer | undefined;
  /** While paused (a blocked connection: RabbitMQ stops reading) silence is not counted. */
  paused = false;

  constructor(
    private readonly node: SimNode,
    private readonly intervalS: number,
    private readonly beat: () => void,
    private readonly timedOut: () => void,
  ) {}

  start(): void {
    if (this.intervalS <= 0) return;
    const us = this.intervalS * 1_000_000;
    const send = (): void => {
      if (!this.sentSinceCheck) this.beat();
      this.sentSinceCheck = false;
      this.sendTimer = this.node.setTimer(us / 2, send);
    };
    const recv = (): void => {
      if (this.receivedSinceCheck || this.paused) this.missed = 0;
      else if (++this.missed >= 2) {
        this.stop();
        this.timedOut();
        return;
      }
      this.receivedSinceCheck = false;
      this.recvTimer = this.node.setTimer(us, recv);
    };
    this.sendTimer = this.node.setTimer(us / 2, send);
    this.recvTimer = this.node.setTimer(us, recv);
  }

  /** Something was written to the peer. */
  sent(): void {
    this.sentSinceCheck = true;
  }

  /** Something arrived from the peer. */
  received(): void {
    this.receivedSinceCheck = true;
  }

  stop(): void {
    if (this.sendTimer !== undefined) this.node.cancelTimer(this.sendTimer);
    if (this.recvTimer !== undefined) this.node.cancelTimer(this.recvTimer);
    this.sendTimer = this.recvTimer = undefined;
  }
}
