import { readFileSync } from 'node:fs';
import { InputError } from './input-error';

/**
 * The Node host: the same engine as the browser worker, plus what only Node has (files).
 * Grading's worker_threads pool will live beside this.
 */
export { runScenario, listScenarios, type ScenarioRunRequest, type ScenarioRunResult } from './engine';

/** Reads and parses a JSON file a person named on the command line, with errors that say which file and where. */
export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read ${what} file ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    let where = '';
    if (m) {
      const pos = Number(m[1]);
      const before = text.slice(0, pos);
      const line = before.split('\n').length;
      const col = pos - before.lastIndexOf('\n');
      where = ` at line ${line}, column ${col}`;
    }
    throw new InputError(`${path}: not valid JSON${where}: ${(e as Error).message}`);
  }
}
