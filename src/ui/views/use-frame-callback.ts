import { useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import { frameThrottle } from '../history/frame-scheduler';

/**
 * Returns a function that runs the latest `fn` at the next animation frame, once however often
 * it is called: a canvas redraws once per frame however many inputs changed in between.
 */
export function useFrameCallback(fn: () => void): () => void {
  const latest = useRef(fn);
  const alive = useRef(true);
  useLayoutEffect(() => {
    latest.current = fn;
  });
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);
  return useMemo(() => frameThrottle(() => alive.current && latest.current()), []);
}
