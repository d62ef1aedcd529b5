import { ticksFor, type Budgets } from './budgets';

/** Over-budget interrupt ticks one crossing tolerates before the sandbox is declared wedged. */
const OVER_TICKS_MAX = 50;
/**
 * QuickJS's own memory limit only catches single oversized allocations in this build (Emscripten
 * reports no usable size, so QuickJS counts 8 bytes per allocation). So the heap is measured
 * (computeMemoryUsage, ~50 µs for a small heap, more for a big one) at points that depend only on
 * the sandbox's own execution, so the outcome is deterministic: every few interrupt ticks (more
 * often while the heap is small), at the end of a crossing that ticked, and every
 * MEMORY_CHECK_CROSSINGS crossings. Between checks, the module's capped wasm memory is the ceiling.
 */
const MEMORY_CHECK_TICKS_MAX = 16;
const MEMORY_CHECK_CROSSINGS = 64;
/** Heap bytes per tick of check interval: a 2 MiB heap is measured every tick, a 32 MiB one every 16. */
const MEMORY_CHECK_BYTES_PER_TICK = 2 * 1024 * 1024;

/** A call the interrupt handler stopped: the loop it was in (0: none), and whether its failure was reported. */
export interface Overrun {
  loop: number;
  reported: boolean;
}

/** What the meter needs to read from the sandbox when QuickJS calls the interrupt handler. */
export interface MeterProbe {
  /** The running call's id and the last loop it entered, from the prelude's state. */
  readState(key: 'call' | 'loop'): number;
  /** The runtime's heap in bytes, or undefined when it cannot be measured. */
  heapBytes(): number | undefined;
}

/**
 * The per-call budget accounting behind the interrupt handler. QuickJS calls it every
 * POLLS_PER_TICK polls; it charges the tick to the running call (a new call starts from zero),
 * measures the heap on its schedule, and answers whether to interrupt. It counts only the
 * sandbox's own ticks and crossings, never time, so the same code stops at the same place.
 */
export class BudgetMeter {
  private readonly ticksMax: number;
  private readonly memoryBytesMax: number;
  private tickCall = -1;
  private tickCount = 0;
  private overTicks = 0;
  private killingValue = false;
  private readonly steps = new Map<number, Overrun>();
  private readonly memory = new Map<number, Overrun>();
  private ticksSinceMemoryCheck = 0;
  private memoryCheckTicks = 1;
  private crossingsSinceMemoryCheck = 0;

  constructor(
    budgets: Budgets,
    private readonly probe: MeterProbe,
  ) {
    this.ticksMax = ticksFor(budgets.stepsPerCallMax);
    this.memoryBytesMax = budgets.memoryBytesMax;
  }

  /** A crossing begins: every call in it starts a fresh count. */
  startCrossing(): void {
    this.tickCall = -1;
    this.tickCount = 0;
    this.overTicks = 0;
    this.killingValue = false;
    this.steps.clear();
    this.memory.clear();
  }

  /** True once learner code has run far past its budget (it catches the interruption and goes on): stop the sandbox. */
  get killing(): boolean {
    return this.killingValue;
  }

  /** The call the last tick was charged to (-1 before any tick in this crossing). */
  get lastTickCall(): number {
    return this.tickCall;
  }

  /** The interrupt handler's answer: true to interrupt the running code. */
  tick(): boolean {
    if (this.killingValue) return true;
    const call = this.probe.readState('call');
    if (call !== this.tickCall) {
      this.tickCall = call;
      this.tickCount = 0;
    }
    this.tickCount++;
    if (!this.memory.has(call) && ++this.ticksSinceMemoryCheck >= this.memoryCheckTicks && this.heapOver() !== undefined) {
      this.memory.set(call, { loop: this.probe.readState('loop'), reported: false });
    }
    if (this.tickCount <= this.ticksMax && !this.memory.has(call)) return false;
    if (!this.steps.has(call) && !this.memory.has(call)) this.steps.set(call, { loop: this.probe.readState('loop'), reported: false });
    if (++this.overTicks > OVER_TICKS_MAX) this.killingValue = true;
    return true;
  }

  stepOverrun(callId: number): Overrun | undefined {
    return this.steps.get(callId);
  }

  memoryOverrun(callId: number): Overrun | undefined {
    return this.memory.get(callId);
  }

  /** Step overruns whose failure nobody reported yet (the learner caught the interruption). */
  unreported(): [number, Overrun][] {
    return [...this.steps].filter(([, o]) => !o.reported);
  }

  /** At a crossing's end: the heap in bytes if it is over budget now (module state grew), measured on schedule. */
  heapOverAfterCrossing(): number | undefined {
    const due = this.ticksSinceMemoryCheck > 0 || ++this.crossingsSinceMemoryCheck >= MEMORY_CHECK_CROSSINGS;
    return due ? this.heapOver() : undefined;
  }

  private heapOver(): number | undefined {
    this.ticksSinceMemoryCheck = 0;
    this.crossingsSinceMemoryCheck = 0;
    const used = this.probe.heapBytes();
    if (used === undefined) return undefined;
    this.memoryCheckTicks = Math.min(MEMORY_CHECK_TICKS_MAX, Math.max(1, Math.floor(used / MEMORY_CHECK_BYTES_PER_TICK)));
    return used > this.memoryBytesMax ? used : undefined;
  }
}
