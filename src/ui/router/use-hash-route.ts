import { useSyncExternalStore } from 'react';
import { parseHash, type Route } from './hash-route';

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

let cachedHash: string | undefined;
let cachedRoute: Route | undefined;

/** The route as the address bar shows it; re-renders on hash navigation (links, Back, typed URLs). */
export function useHashRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => location.hash);
  if (hash !== cachedHash || !cachedRoute) {
    cachedHash = hash;
    cachedRoute = parseHash(hash);
  }
  return cachedRoute;
}
