/**
 * Calls `fn` once at the next animation frame, however many times it was asked before then: the
 * worker's batches arrive faster than the screen refreshes, and a view needs one redraw per frame,
 * not one per batch. A timer backs the frame up because hidden tabs get no frames at all.
 */
export function frameThrottle(fn: () => void): () => void {
  let pending = false;
  let raf = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = (): void => {
    if (!pending) return;
    pending = false;
    if (raf) cancelAnimationFrame(raf);
    if (timer !== undefined) clearTimeout(timer);
    raf = 0;
    timer = undefined;
    fn();
  };
  return () => {
    if (pending) return;
    pending = true;
    if (typeof requestAnimationFrame === 'function') raf = requestAnimationFrame(run);
    timer = setTimeout(run, 250);
  };
}
