/**
 * Calls `fn` once at an animation frame, however many times it was asked before then, and no
 * sooner than `minIntervalMs()` after its last call: the worker's batches arrive faster than the
 * screen refreshes, and while a run streams the views need a few refreshes a second, not one per
 * batch or even per frame. A timer backs the frame up because hidden tabs get no frames at all.
 */
export function frameThrottle(fn: () => void, minIntervalMs: () => number = () => 0): () => void {
  let pending = false;
  let raf = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastMs = -Infinity;
  const run = (): void => {
    if (!pending) return;
    pending = false;
    if (raf) cancelAnimationFrame(raf);
    if (timer !== undefined) clearTimeout(timer);
    raf = 0;
    timer = undefined;
    lastMs = performance.now();
    fn();
  };
  const onFrame = (): void => {
    raf = 0;
    run();
  };
  return () => {
    if (pending) return;
    pending = true;
    const waitMs = Math.max(0, lastMs + minIntervalMs() - performance.now());
    const frame = (): void => {
      if (typeof requestAnimationFrame === 'function') raf = requestAnimationFrame(onFrame);
    };
    if (waitMs > 0) setTimeout(frame, waitMs);
    else frame();
    timer = setTimeout(run, waitMs + 250);
  };
}
