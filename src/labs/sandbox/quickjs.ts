import variant from '@jitl/quickjs-wasmfile-release-sync';
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSWASMModule } from 'quickjs-emscripten-core';

/**
 * Where the QuickJS wasm comes from. By default the variant package finds its own
 * `emscripten-module.wasm` next to its JavaScript through `import.meta.url`, which works in Node
 * and in a Vite build. A host that serves the file elsewhere (or already holds the bytes or a
 * compiled module) says so here, before the first load.
 */
export interface QuickJSWasmSource {
  /** URL or path of `emscripten-module.wasm`, for example Vite's `?url` import of `@jitl/quickjs-wasmfile-release-sync/wasm`. */
  wasmLocation?: string;
  /** The wasm bytes. */
  wasmBinary?: ArrayBuffer;
  /** An already compiled module (instantiating one is fast; compiling is the slow part). */
  wasmModule?: WebAssembly.Module;
  /**
   * The most memory the whole QuickJS module may use, all learner nodes together (default
   * DEFAULT_MODULE_BYTES_MAX). A hard ceiling enforced by the wasm memory itself: past it every
   * allocation fails with "out of memory", whatever the code does.
   */
  memoryBytesMax?: number;
}

/** 256 MiB: eight nodes at the default 32 MiB budget, far below what a browser tab tolerates. */
export const DEFAULT_MODULE_BYTES_MAX = 256 * 1024 * 1024;

const PAGE = 65536;
/** Emscripten's INITIAL_MEMORY for this variant (16 MiB): an imported memory may not start smaller. */
const INITIAL_PAGES = 256;

let source: QuickJSWasmSource | undefined;
let loading: Promise<QuickJSWASMModule> | undefined;
let loaded: QuickJSWASMModule | undefined;

/** Overrides where the wasm is loaded from and how much memory it may take. Only before the first `loadQuickJS()`. */
export function configureQuickJSWasm(src: QuickJSWasmSource): void {
  if (loading) throw new Error('configureQuickJSWasm must be called before the first loadQuickJS()');
  source = src;
}

/**
 * Loads the shared QuickJS wasm module once per process or worker. Every learner node gets its own
 * QuickJS runtime inside this one module (a runtime is cheap; the module is ~500 KB of wasm).
 */
export function loadQuickJS(): Promise<QuickJSWASMModule> {
  if (!loading) {
    loading = newQuickJSModule(source ?? {}).then((m) => (loaded = m));
    // A failed load may be retried (for example after configureQuickJSWasm fixed the location).
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}

/**
 * A QuickJS module with its own wasm memory, capped at `memoryBytesMax`. `loadQuickJS` makes the
 * shared one; a host that wants a node's memory isolated exactly (its allocations cannot crowd out
 * other nodes', and hitting the ceiling depends on nothing but that node) gives the node its own.
 */
export function newQuickJSModule(src: QuickJSWasmSource = {}): Promise<QuickJSWASMModule> {
  const bytesMax = src.memoryBytesMax ?? DEFAULT_MODULE_BYTES_MAX;
  const maximum = Math.max(INITIAL_PAGES, Math.ceil(bytesMax / PAGE));
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum });
  const { memoryBytesMax: _, ...where } = src;
  return newQuickJSWASMModuleFromVariant(newVariant(variant, { ...where, wasmMemory: memory }));
}

/**
 * The shared QuickJS module failed inside its wasm (a trap such as "memory access out of bounds",
 * seen when learner nodes together exhaust the module's memory along a path QuickJS does not
 * check). Its memory may be corrupt, so nothing may run in it again: the run that was going on is
 * abandoned with this error, and the next `loadQuickJS()` makes a fresh module.
 */
export class QuickJSTrap extends Error {
  constructor(readonly trap: Error) {
    super(
      `the learner-code sandbox (QuickJS in wasm) failed: ${trap.message}. Usually the nodes together ` +
        `ran its shared memory out (each node stays under its own budget); the run was abandoned. ` +
        `Use less memory per message (keep fewer objects), or report it if the code is small.`,
    );
    this.name = 'QuickJSTrap';
  }
}

/** Forgets the shared module after a trap, so the next `loadQuickJS()` loads a fresh one. */
export function discardQuickJS(): void {
  loaded = undefined;
  loading = undefined;
}

/**
 * The loaded shared module, synchronously: the simulation is synchronous, so nodes that restart in
 * the middle of a run cannot wait for a load. Hosts `await loadQuickJS()` before building a world.
 */
export function quickJS(): QuickJSWASMModule {
  if (!loaded) throw new Error('QuickJS is not loaded yet: await loadQuickJS() before creating sandboxes or learner nodes');
  return loaded;
}
