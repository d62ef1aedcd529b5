/**
 * The learner-facing API, defined once. From this one definition come the bridge installed in
 * every sandbox (bridge.ts: which functions exist on `ctx`, how each crosses, how its arguments are
 * checked) and the `.d.ts` text the editor loads for IntelliSense (dts.ts). Like Maelstrom's
 * `defrpc`, the schema is the validation and the reference at once (STYLE 9).
 *
 * This file imports nothing, so a type check can compare its host-side types with the generated
 * declarations.
 */

/** How an argument is checked on arrival in the engine. Learner code is never trusted. */
export type ParamCheck =
  | 'string' // any string
  | 'key' // a database key: 1 to KEY_CHARS_MAX characters
  | 'durationMs' // a finite number of milliseconds, 0 to DURATION_MS_MAX
  | 'json' // any plain data
  | 'message' // a Message this node received (it carries the delivery id)
  | 'service' // the name of another node
  | 'callOptions'; // { timeoutMs?: number } or nothing

export interface ApiParam {
  readonly name: string;
  /** The parameter's type as learners see it. */
  readonly ts: string;
  readonly check: ParamCheck;
  readonly doc: string;
  readonly optional?: boolean;
}

/**
 * How a call crosses the sandbox boundary:
 * - `async`: the engine starts an operation and hands back a promise that settles as a simulation
 *   event at a simulated time (`await` suspends across simulated time);
 * - `sync`: the engine answers at once (the call takes no simulated time);
 * - `clock`: answered inside the sandbox from the simulated time the engine passes in with every
 *   crossing, so reading the clock costs no crossing at all.
 */
export type Bridge = 'async' | 'sync' | 'clock';

export interface ApiFunction {
  readonly kind: 'function';
  readonly doc: string;
  readonly params: readonly ApiParam[];
  /** The return type as learners see it. */
  readonly returns: string;
  readonly bridge: Bridge;
}

/** A value fixed for the sandbox's lifetime, filled in by the engine (`ctx.node`). */
export interface ApiConstant {
  readonly kind: 'constant';
  readonly doc: string;
  readonly ts: string;
  readonly value: 'nodeName';
}

export interface ApiNamespace {
  readonly kind: 'namespace';
  readonly doc: string;
  /** The interface name in the `.d.ts` (`Ctx`, `Db`). */
  readonly typeName: string;
  readonly members: { readonly [name: string]: ApiMember };
}

export type ApiMember = ApiFunction | ApiConstant | ApiNamespace;

/** An export the engine calls: its name is the export name, its type a `.d.ts` alias. */
export interface HandlerSpec {
  readonly doc: string;
  readonly typeName: string;
  readonly typeParams: string;
  readonly params: readonly { readonly name: string; readonly ts: string }[];
  readonly returns: string;
}

export interface ApiDefinition {
  /** The module learners import types from: `import type { Ctx } from 'brokerlab'`. */
  readonly moduleName: string;
  readonly doc: string;
  /** Shared type declarations, as TypeScript, emitted into the module verbatim. */
  readonly types: string;
  /** The object handlers receive as `ctx`. */
  readonly context: ApiNamespace;
  readonly handlers: { readonly [exportName: string]: HandlerSpec };
}

export const KEY_CHARS_MAX = 256;
export const DURATION_MS_MAX = 24 * 3600 * 1000;

// ---- Host-side mirrors of the shared types. A test type-checks them against `types` below. ----

/** Plain data: what crosses between learner code and the engine. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A message as a handler receives it. */
export interface LearnerMessage<T = Json> {
  readonly id: string;
  readonly from: string;
  readonly sentAtMs: number;
  readonly payload: T;
}

/** A request as `handleRequest` receives it. */
export interface LearnerRequest<T = Json> {
  readonly from: string;
  readonly payload: T;
}

export interface CallOptions {
  timeoutMs?: number;
}

const SHARED_TYPES = `/** Plain data: what crosses between your code and the simulation (JSON). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A message delivered to \`handleMessage\`. */
export interface Message<T = Json> {
  /** This delivery's id. Pass the message to \`ctx.commit\` once it is handled. */
  readonly id: string;
  /** The node that sent it. */
  readonly from: string;
  /** Simulated time it was sent, in milliseconds since the run started. */
  readonly sentAtMs: number;
  readonly payload: T;
}

/** A request delivered to \`handleRequest\`; what the handler returns is the reply. */
export interface Request<T = Json> {
  /** The node that called. */
  readonly from: string;
  readonly payload: T;
}

export interface CallOptions {
  /** Give up after this many milliseconds of simulated time (default 1000). */
  timeoutMs?: number;
}`;

/** The service API every learner node gets: time, sleep, a durable key-value store, commit, calls. */
export const serviceApi = {
  moduleName: 'brokerlab',
  doc: 'The API your handlers receive as `ctx`. Everything outside your code (time, randomness, storage, other services) comes through it.',
  types: SHARED_TYPES,
  context: {
    kind: 'namespace',
    typeName: 'Ctx',
    doc: 'What a handler can do. Each call that returns a promise takes simulated time: `await` suspends your handler until then, and a crash can happen in between.',
    members: {
      node: {
        kind: 'constant',
        ts: 'string',
        value: 'nodeName',
        doc: "This node's name.",
      },
      now: {
        kind: 'function',
        bridge: 'clock',
        params: [],
        returns: 'number',
        doc: "This node's wall clock in milliseconds since the run started (microsecond precision). Like `Date.now()` on a real machine it can be wrong: a clock-skew or drift fault moves it. `Date` does not exist here: this is the clock.",
      },
      sleep: {
        kind: 'function',
        bridge: 'async',
        params: [{ name: 'ms', ts: 'number', check: 'durationMs', doc: 'How long to wait, in milliseconds of simulated time.' }],
        returns: 'Promise<void>',
        doc: 'Waits for `ms` milliseconds of simulated time.',
      },
      db: {
        kind: 'namespace',
        typeName: 'Db',
        doc: "This node's durable key-value store. A write has survived a crash once its promise resolves.",
        members: {
          get: {
            kind: 'function',
            bridge: 'async',
            params: [{ name: 'key', ts: 'string', check: 'key', doc: 'The key (1 to 256 characters).' }],
            returns: 'Promise<Json | undefined>',
            doc: 'Reads a key; `undefined` when it was never written or was deleted.',
          },
          put: {
            kind: 'function',
            bridge: 'async',
            params: [
              { name: 'key', ts: 'string', check: 'key', doc: 'The key (1 to 256 characters).' },
              { name: 'value', ts: 'Json', check: 'json', doc: 'Plain data to store.' },
            ],
            returns: 'Promise<void>',
            doc: 'Writes a key and waits until the write is durable (written and fsynced).',
          },
          delete: {
            kind: 'function',
            bridge: 'async',
            params: [{ name: 'key', ts: 'string', check: 'key', doc: 'The key (1 to 256 characters).' }],
            returns: 'Promise<void>',
            doc: 'Deletes a key and waits until the deletion is durable.',
          },
        },
      },
      commit: {
        kind: 'function',
        bridge: 'async',
        params: [{ name: 'msg', ts: 'Message<unknown>', check: 'message', doc: 'The message you finished handling.' }],
        returns: 'Promise<void>',
        doc: "Tells the message's source it was handled, and waits for the acknowledgement. A message that is never committed may be delivered again.",
      },
      call: {
        kind: 'function',
        bridge: 'async',
        params: [
          { name: 'service', ts: 'string', check: 'service', doc: 'The node to ask.' },
          { name: 'payload', ts: 'Json', check: 'json', doc: 'The request.' },
          { name: 'options', ts: 'CallOptions', check: 'callOptions', doc: 'A timeout in simulated milliseconds (default 1000).', optional: true },
        ],
        returns: 'Promise<Json>',
        doc: 'Sends a request to another service across the network and waits for its reply. Rejects on timeout or when the service fails.',
      },
      send: {
        kind: 'function',
        bridge: 'sync',
        params: [
          { name: 'to', ts: 'string', check: 'service', doc: 'The node to send to.' },
          { name: 'payload', ts: 'Json', check: 'json', doc: 'The message.' },
        ],
        returns: 'void',
        doc: 'Sends a one-way message across the network (it arrives, late or never, as the network decides).',
      },
    },
  },
  handlers: {
    handleMessage: {
      typeName: 'MessageHandler',
      typeParams: '<T = Json>',
      params: [
        { name: 'msg', ts: 'Message<T>' },
        { name: 'ctx', ts: 'Ctx' },
      ],
      returns: 'void | Promise<void>',
      doc: 'Export `handleMessage` to receive messages: `export async function handleMessage(msg: Message<Order>, ctx: Ctx) { … }`.',
    },
    handleRequest: {
      typeName: 'RequestHandler',
      typeParams: '<T = Json, R extends Json = Json>',
      params: [
        { name: 'request', ts: 'Request<T>' },
        { name: 'ctx', ts: 'Ctx' },
      ],
      returns: 'R | Promise<R>',
      doc: 'Export `handleRequest` to answer `ctx.call` from other services; what it returns is the reply.',
    },
  },
} as const satisfies ApiDefinition;

/** The dotted paths of the functions in a namespace that cross to the host (`'sleep' | 'db.put' | …`). */
export type HostOpPaths<N extends ApiNamespace, Prefix extends string = ''> = {
  [K in keyof N['members'] & string]: N['members'][K] extends ApiNamespace
    ? HostOpPaths<N['members'][K], `${Prefix}${K}.`>
    : N['members'][K] extends { kind: 'function'; bridge: 'async' | 'sync' }
      ? `${Prefix}${K}`
      : never;
}[keyof N['members'] & string];

export type ServiceOpPath = HostOpPaths<(typeof serviceApi)['context']>;

/** A function of the API with its dotted path, in a fixed order (the order of the definition). */
export interface ApiOp {
  readonly path: string;
  readonly fn: ApiFunction;
}

/** Every function in the definition, depth first in definition order. Indexes into this list are the op numbers the bridge uses. */
export function apiFunctions(def: ApiDefinition): ApiOp[] {
  const out: ApiOp[] = [];
  const walk = (ns: ApiNamespace, prefix: string): void => {
    for (const [name, m] of Object.entries(ns.members)) {
      if (m.kind === 'namespace') walk(m, `${prefix}${name}.`);
      else if (m.kind === 'function') out.push({ path: `${prefix}${name}`, fn: m });
    }
  };
  walk(def.context, '');
  return out;
}

/**
 * The service API plus a lab's own `ctx` members (a billing service, a replica's peers), with
 * extra shared type declarations. The result drives both the bridge and the `.d.ts`, so a lab's
 * API is defined once, like the service API.
 */
export function extendApi(base: ApiDefinition, extra: { readonly [name: string]: ApiNamespace }, types = ''): ApiDefinition {
  for (const name of Object.keys(extra)) {
    if (Object.hasOwn(base.context.members, name)) throw new Error(`extendApi: ctx.${name} already exists in the service API`);
  }
  return {
    ...base,
    types: types === '' ? base.types : `${base.types}\n\n${types}`,
    context: { ...base.context, members: { ...base.context.members, ...extra } },
  };
}
