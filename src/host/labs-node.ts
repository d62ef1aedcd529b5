import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatLabProblems, validateLab, type LabProblem, type LoadedLab } from '../labs/lab';

/** The project's labs folder, found from this file so the CLI works from any directory. */
const PROJECT_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const LABS_ROOT = join(PROJECT_ROOT, 'labs-content');

/** Bad lab files: every problem, each naming the file and the field. */
export class LabLoadError extends Error {
  override name = 'LabLoadError';
  constructor(readonly problems: LabProblem[]) {
    super(formatLabProblems(problems));
  }
}

function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** Folders `NN-topic/NN-lab` under the root that hold a lab.ts, in name order. */
export function labDirs(root = LABS_ROOT): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const sorted = (dir: string): string[] => readdirSync(dir).filter((d) => /^\d\d-/.test(d) && statSync(join(dir, d)).isDirectory()).sort();
  for (const topic of sorted(root)) for (const lab of sorted(join(root, topic))) if (existsSync(join(root, topic, lab, 'lab.ts'))) out.push(join(root, topic, lab));
  return out;
}

/**
 * Loads and validates every lab under the root (Node only: the browser bundles labs through Vite).
 * Throws LabLoadError listing every problem in every lab, so one broken lab cannot hide another.
 */
export async function loadLabs(root = LABS_ROOT): Promise<LoadedLab[]> {
  const labs: LoadedLab[] = [];
  const problems: LabProblem[] = [];
  const ids = new Map<string, string>();
  for (const abs of labDirs(root)) {
    const dir = relative(PROJECT_ROOT, abs);
    let spec: unknown;
    try {
      spec = ((await import(pathToFileURL(join(abs, 'lab.ts')).href)) as { default?: unknown }).default;
    } catch (e) {
      problems.push({ file: `${dir}/lab.ts`, field: '', message: `does not load: ${(e as Error).message}` });
      continue;
    }
    const files = { readme: readIfExists(join(abs, 'README.md')), starter: readIfExists(join(abs, 'starter.ts')), solution: readIfExists(join(abs, 'solution.ts')) };
    const v = validateLab(dir, spec, files);
    const id = (spec as { id?: unknown } | undefined)?.id;
    if (typeof id === 'string') {
      const other = ids.get(id);
      if (other) v.problems.push({ file: `${dir}/lab.ts`, field: 'id', message: `"${id}" is also the id of ${other}; lab ids are unique` });
      ids.set(id, dir);
    }
    if (v.problems.length > 0) problems.push(...v.problems);
    else labs.push({ spec: spec as LoadedLab['spec'], dir, readme: files.readme!, starter: files.starter!, solution: files.solution! });
  }
  if (problems.length > 0) throw new LabLoadError(problems);
  return labs;
}
