import { buildHash } from '../router/hash-route';

/** Which demo the address names, and whether it runs with the fix: `#/demos/<name>?variant=fix`. */
export interface DemoRoute {
  /** Undefined on the gallery (`#/demos`). */
  name: string | undefined;
  fix: boolean;
}

export function readDemoRoute(path: string, params: URLSearchParams): DemoRoute {
  const rest = path.replace(/^\/demos\/?/, '');
  return { name: rest === '' ? undefined : decodeURIComponent(rest), fix: params.get('variant') === 'fix' };
}

export function demoHref(name: string, fix = false): string {
  return buildHash(`/demos/${encodeURIComponent(name)}`, fix ? new URLSearchParams({ variant: 'fix' }) : undefined);
}
