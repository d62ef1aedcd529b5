/**
 * The scratch editor's stand-in API until the runtime exports the real learner `.d.ts`: enough
 * to show IntelliSense and inline type errors on the playground.
 */
export const SCRATCH_DTS = `declare namespace brokerlab {
  /** A record as a consumer sees it. */
  interface Message {
    key: string | null;
    value: string;
    partition: number;
    offset: number;
  }
  /** What a handler may do: every call takes simulated time. */
  interface Context {
    /** Lands in the console with the node's name and the simulated time. */
    log(...args: unknown[]): void;
    /** Commits the consumer's position: the next offset to read. */
    commit(offset: number): Promise<void>;
    /** The simulated clock of this node, in milliseconds (it may be skewed). */
    now(): number;
  }
}
`;

export const SCRATCH_CODE = `// Scratch space: TypeScript with Brokerlab's types (hover, complete, see errors).
// Labs will run handlers like this one inside the simulator.

export async function onMessage(msg: brokerlab.Message, ctx: brokerlab.Context): Promise<void> {
  ctx.log(\`\${msg.key} → \${msg.value} at offset \${msg.offset}\`);
  await ctx.commit(msg.offset + 1);
}
`;
