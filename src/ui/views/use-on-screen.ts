import { useEffect, useState, type RefObject } from 'react';

/**
 * True while the element is on screen (or within `marginPx` of it). Views below the fold stop
 * following the stream and catch up when scrolled to, so a run's updates cost only what is seen.
 */
export function useOnScreen(ref: RefObject<Element | null>, marginPx = 200): boolean {
  const [on, setOn] = useState(true);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver((entries) => setOn(entries[entries.length - 1]!.isIntersecting), { rootMargin: `${marginPx}px 0px` });
    io.observe(el);
    return () => io.disconnect();
  }, [ref, marginPx]);
  return on;
}
