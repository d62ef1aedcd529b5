/**
 * Routes live in the URL's hash (`#/playground?seed=3`), so the app works from any static host
 * and offline from the service worker's single cached index.html.
 */
export interface Route {
  /** The path after `#`, always starting with `/`. */
  path: string;
  /** The query after `?`, as given (empty when none). */
  query: string;
  params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = q < 0 ? '' : raw.slice(q + 1);
  return { path: path.startsWith('/') ? path : `/${path}`, query, params: new URLSearchParams(query) };
}

export function buildHash(path: string, params?: URLSearchParams): string {
  const q = params?.toString();
  return `#${path}${q ? `?${q}` : ''}`;
}

/**
 * Rewrites the URL's hash without a navigation or a history entry, for state the page already
 * shows (the playground's seed and faults), so Back still leaves the page.
 */
export function replaceHash(hash: string): void {
  if (location.hash === hash) return;
  history.replaceState(history.state, '', hash);
}
