/**
 * `connect()`, shaped like amqplib's: `connect(world, 'orders-service', 'amqp://rabbit1')` or
 * `connect(world, 'orders-service', { hostname: 'rabbit1', heartbeat: 2 })` returns a SimPromise of
 * a {@link Connection}. The first argument names the client node (created when it does not exist
 * yet; any existing node works, whatever its behaviour); the URL names the broker node.
 *
 * Options honoured: `hostname` (or `host`, or the URL's host), `heartbeat` (seconds, negotiated
 * with the broker's: 0 on either side takes the other's, else the lower), and the socket option
 * `timeout` (ms to wait for the handshake; default from the cluster's `connectTimeoutMs`, 5 s).
 * Credentials, vhost and ports are accepted and ignored (one vhost, no authentication).
 */

import { SimPromise } from '../../../sim-promise.ts';
import type { World } from '../../../world.ts';
import { DEFAULT_RABBIT_CONFIG } from '../config.ts';
import { ClientHost } from './client-host.ts';
import { Connection } from './connection.ts';

export interface ConnectOptions {
  url?: string;
  hostname?: string;
  host?: string;
  /** Requested heartbeat timeout in seconds (amqplib's default 0 takes the broker's). */
  heartbeat?: number;
  /** Record per-message `amqp.publish` / `amqp.confirm` entries (default true). */
  messageHistory?: boolean;
}

export interface SocketOptions {
  /** Milliseconds to wait for the connection to open. */
  timeout?: number;
}

export function connect(world: World, clientNode: string, url: string | ConnectOptions = {}, socketOptions: SocketOptions = {}): SimPromise<Connection> {
  const opts = typeof url === 'string' ? parseUrl(url) : { ...(url.url === undefined ? {} : parseUrl(url.url)), ...stripUndefined(url) };
  const broker = opts.hostname ?? opts.host ?? 'localhost';
  if (world.nodeOrUndefined(broker) === undefined) {
    return SimPromise.rejected(Object.assign(new Error(`getaddrinfo ENOTFOUND ${broker}`), { code: 'ENOTFOUND' }));
  }
  const node = world.nodeOrUndefined(clientNode) ?? world.addNode(clientNode, () => ({}));
  if (node.state !== 'up') return SimPromise.rejected(new Error(`node ${clientNode} is ${node.state}: a crashed or paused node cannot connect`));
  const host = ClientHost.of(node);
  const conn = new Connection(host, host.nextConnectionId(), node, broker, opts.messageHistory ?? true);
  host.register(conn);
  return conn.open(opts.heartbeat ?? 0, socketOptions.timeout ?? DEFAULT_RABBIT_CONFIG.connectTimeoutMs);
}

/** `amqp://user:pass@host:port/vhost?heartbeat=10` → its host and heartbeat. */
function parseUrl(url: string): ConnectOptions {
  const m = /^amqps?:\/\/(?:[^@/]*@)?([^:/?]+)(?::\d+)?(?:\/[^?]*)?(?:\?(.*))?$/.exec(url);
  if (m === null) throw new TypeError(`not an AMQP URL: ${url} (expected amqp://host)`);
  const out: ConnectOptions = { hostname: m[1] };
  for (const pair of (m[2] ?? '').split('&')) {
    const [k, v] = pair.split('=');
    if (k === 'heartbeat' && v !== undefined) out.heartbeat = Number(v);
  }
  return out;
}

function stripUndefined(o: ConnectOptions): ConnectOptions {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && k !== 'url') out[k] = v;
  return out as ConnectOptions;
}
