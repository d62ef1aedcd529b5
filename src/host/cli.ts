import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatTime } from '../sim/time';
import { InputError } from './input-error';
import { listScenarios, readJsonFile, runScenario } from './node';

const USAGE = `brokerlab — a deterministic lab for message brokers

Usage:
  brokerlab labs [--json]
  brokerlab check <lab-id> --code <file> [--seeds 1-20] [--faults file.json] [--json]
  brokerlab run <lab-id> --code <file> [--seed N] [--faults file.json] [--json]
  brokerlab run <scenario> [--seed N] [--faults file.json] [--intensity 0..1] [--json]
  brokerlab bench [--json] [--only NAME]
  brokerlab selftest [--json]          run hostile code against the learner sandbox
  brokerlab help

Scenarios:
${listScenarios()
  .map((s) => `  ${s.name.padEnd(10)} ${s.description}`)
  .join('\n')}

Same scenario, seed and faults give the same history, byte for byte: compare historyHash.`;

/** Runs the CLI with argv (without node and script); returns the exit code: 0 ok, 1 failed, 2 bad input. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await cmdRun(rest);
      case 'labs':
        return await cmdLabs(rest);
      case 'check':
        return await cmdCheck(rest);
      case 'bench':
        return await cmdBench(rest);
      case 'selftest':
        return await cmdSelftest(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new InputError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof InputError || isParseArgsError(e)) {
      console.error(`brokerlab: ${(e as Error).message}`);
      console.error(`Run "brokerlab help" for usage.`);
      return 2;
    }
    throw e;
  }
}

function isParseArgsError(e: unknown): boolean {
  const code = (e as { code?: unknown } | undefined)?.code;
  return e instanceof TypeError && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

async function cmdRun(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      seed: { type: 'string', default: '1' },
      faults: { type: 'string' },
      intensity: { type: 'string' },
      code: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new InputError(`run takes one scenario or lab id (scenarios: ${listScenarios().map((s) => s.name).join(', ')}; labs: brokerlab labs)`);
  if (!listScenarios().some((s) => s.name === positionals[0])) {
    const labs = await labsOrExit();
    if (!labs.some((l) => l.spec.id === positionals[0])) {
      throw new InputError(`unknown scenario or lab "${positionals[0]}"; the scenarios are: ${listScenarios().map((s) => s.name).join(', ')}; the labs are: ${labs.map((l) => l.spec.id).join(', ')}`);
    }
    return runLabCommand(positionals[0]!, values);
  }
  const seed = parseSeed(values.seed);
  const intensity = values.intensity === undefined ? undefined : Number(values.intensity);
  if (intensity !== undefined && !(intensity >= 0 && intensity <= 1)) throw new InputError(`--intensity takes a number from 0 to 1, got "${values.intensity}"`);
  const faults = values.faults === undefined ? undefined : readJsonFile(values.faults, 'fault schedule');
  const { result } = runScenario({ scenario: positionals[0]!, seed, faults, faultsSource: values.faults, intensity });
  if (values.json) {
    console.log(JSON.stringify(result));
  } else {
    console.log(`${result.scenario}  seed ${result.seed}  ${result.outcome}`);
    console.log(`  historyHash  ${result.historyHash}`);
    console.log(`  events       ${result.events.toLocaleString('en')} (${result.historyEntries.toLocaleString('en')} history entries)`);
    console.log(`  sim time     ${formatTime(result.simTimeUs)} (heal phase from ${formatTime(result.healStartUs)})`);
    console.log(`  wall time    ${result.wallMs} ms`);
    console.log(`  faults       ${result.faults}`);
    for (const [k, v] of Object.entries(result.summary)) console.log(`  ${k.padEnd(12)} ${v}`);
    if (result.limit) console.log(`  limit        ${result.limit}`);
    console.log(`Reproduce: npx brokerlab run ${result.scenario} --seed ${result.seed}${values.faults ? ` --faults ${values.faults}` : ''}`);
  }
  return result.outcome.startsWith('limit') ? 1 : 0;
}

export function parseSeed(s: string): number {
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(Number(s))) throw new InputError(`--seed takes a whole number (0 or more), got "${s}"`);
  return Number(s);
}

async function cmdBench(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: false,
    options: { json: { type: 'boolean', default: false }, only: { type: 'string' } },
  });
  void positionals;
  const { benchmarks, runBenchmarks } = await import('../../bench/index');
  if (values.only !== undefined && !benchmarks.some((b) => b.name === values.only || b.reports?.includes(values.only!))) {
    throw new InputError(`unknown benchmark "${values.only}"; the benchmarks are: ${benchmarks.flatMap((b) => [b.name, ...(b.reports ?? [])]).join(', ')}`);
  }
  const results = await runBenchmarks(values.only, (name) => {
    if (!values.json) process.stderr.write(`running ${name}…\n`);
  });
  if (values.json) {
    console.log(JSON.stringify({ benchmarks: results }));
    return 0;
  }
  const rows = results.map((r) => [
    r.name,
    `${r.value.toLocaleString('en')} ${r.unit}`,
    r.baseline === undefined ? '' : `${r.baseline.toLocaleString('en')} ${r.unit}`,
    r.ratio === undefined ? '' : `${r.ratio}`,
    r.note ?? '',
  ]);
  const head = ['benchmark', 'value', 'baseline', 'ratio', 'what'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  return 0;
}

async function cmdSelftest(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, allowPositionals: false, options: { json: { type: 'boolean', default: false } } });
  const { loadQuickJS, runHostileSuite } = await import('../labs/sandbox');
  await loadQuickJS();
  const results = await runHostileSuite();
  const failed = results.filter((r) => !r.passed);
  if (values.json) console.log(JSON.stringify({ results }));
  else {
    for (const r of results) console.log(`${r.passed ? 'ok  ' : 'FAIL'}  ${r.name.padEnd(24)} ${r.observed}`);
    console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
  }
  return failed.length === 0 ? 0 : 1;
}

/** Loads the labs, turning bad lab files into input errors that name the file and field. */
async function labsOrExit() {
  const { loadLabs, LabLoadError } = await import('./labs-node');
  try {
    return await loadLabs();
  } catch (e) {
    if (e instanceof LabLoadError) throw new InputError(`the labs do not load:\n${e.message}`);
    throw e;
  }
}

async function findLab(id: string) {
  const labs = await labsOrExit();
  const lab = labs.find((l) => l.spec.id === id);
  if (!lab) throw new InputError(`unknown lab "${id}"; the labs are: ${labs.map((l) => l.spec.id).join(', ')}`);
  return lab;
}

/** Reads and checks learner code; a syntax error is bad input (exit 2) with line and column. */
async function learnerProgram(path: string | undefined) {
  if (path === undefined) throw new InputError('--code <file> is required: the TypeScript file with your handlers');
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read --code file ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const { loadQuickJS, prepareLearnerProgram } = await import('../labs/sandbox');
  await loadQuickJS();
  const p = prepareLearnerProgram(source, { filename: path });
  if (!p.ok) throw new InputError(p.problem.text);
  return p.program;
}

/** Parses `--seeds 1-20` or `--seeds 3,5,8` (or a single seed). */
export function parseSeeds(s: string): number[] {
  const out: number[] = [];
  for (const part of s.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new InputError(`--seeds takes a range like 1-20 or a list like 3,5,8; "${part}" is neither`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b - a > 10_000) throw new InputError(`--seeds range ${part} must go upwards and hold at most 10,001 seeds`);
    for (let x = a; x <= b; x++) out.push(x);
  }
  return out;
}

async function cmdLabs(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, allowPositionals: false, options: { json: { type: 'boolean', default: false } } });
  const labs = await labsOrExit();
  const rows = labs.map((l) => ({ id: l.spec.id, title: l.spec.title, topic: l.spec.topic, broker: l.spec.broker, objectives: l.spec.objectives, dir: l.dir }));
  if (values.json) console.log(JSON.stringify(rows));
  else for (const r of rows) console.log(`${r.id.padEnd(24)} ${r.broker.padEnd(9)} ${r.title}`);
  return 0;
}

type LabRunValues = { seed?: string; faults?: string; code?: string; json?: boolean };

async function runLabCommand(id: string, values: LabRunValues): Promise<number> {
  const lab = await findLab(id);
  const program = await learnerProgram(values.code);
  const seed = parseSeed(values.seed ?? '1');
  const faults = values.faults === undefined ? undefined : readJsonFile(values.faults, 'fault schedule');
  const { runLab, LabInputError } = await import('../labs/lab');
  let result;
  try {
    result = runLab(lab, program, { seed, faults, faultsSource: values.faults }).result;
  } catch (e) {
    if (e instanceof LabInputError) throw new InputError(e.message);
    throw e;
  }
  if (values.json) console.log(JSON.stringify(result));
  else {
    console.log(`${lab.spec.id}  seed ${seed}  ${result.score}/${result.maxScore} points  historyHash ${result.historyHash}`);
    for (const c of result.checks) console.log(`  ${c.passed ? 'pass' : 'FAIL'}  ${c.title} (${c.points}): ${c.summary}`);
    console.log(`Reproduce: ${reproduce(lab.spec.id, values.code!, seed, values.faults)}`);
  }
  return result.checks.every((c) => c.passed) ? 0 : 1;
}

function reproduce(lab: string, code: string, seed: number, faults?: string): string {
  return `npx brokerlab run ${lab} --code ${code} --seed ${seed}${faults ? ` --faults ${faults}` : ''}`;
}

async function cmdCheck(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { code: { type: 'string' }, seeds: { type: 'string' }, faults: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  if (positionals.length !== 1) throw new InputError('check takes one lab id (see brokerlab labs)');
  const lab = await findLab(positionals[0]!);
  const program = await learnerProgram(values.code);
  const seeds = values.seeds === undefined ? lab.spec.seeds : parseSeeds(values.seeds);
  const faults = values.faults === undefined ? undefined : readJsonFile(values.faults, 'fault schedule');
  const { runLab, LabInputError } = await import('../labs/lab');
  const runs = [];
  let firstFailure: { seed: number; checks: { id: string; title: string; summary: string; evidence: unknown[] }[] } | undefined;
  for (const seed of seeds) {
    let r;
    try {
      r = runLab(lab, program, { seed, faults, faultsSource: values.faults }).result;
    } catch (e) {
      if (e instanceof LabInputError) throw new InputError(e.message);
      throw e;
    }
    runs.push({ seed, historyHash: r.historyHash, score: r.score, maxScore: r.maxScore, passed: r.checks.every((c) => c.passed) });
    if (!firstFailure && !r.checks.every((c) => c.passed)) {
      firstFailure = { seed, checks: r.checks.filter((c) => !c.passed).map((c) => ({ id: c.id, title: c.title, summary: c.summary, evidence: c.evidence })) };
    }
    if (!values.json && !process.stdout.isTTY) continue;
    if (!values.json) process.stderr.write(`\rseed ${seed} (${runs.length}/${seeds.length})`);
  }
  if (!values.json && process.stdout.isTTY) process.stderr.write('\n');
  const passed = firstFailure === undefined;
  if (values.json) {
    console.log(JSON.stringify({ lab: lab.spec.id, passed, seeds: runs, firstFailure, reproduce: firstFailure ? reproduce(lab.spec.id, values.code!, firstFailure.seed, values.faults) : undefined }));
  } else if (passed) {
    console.log(`${lab.spec.id}: every check passed on ${seeds.length} seed${seeds.length === 1 ? '' : 's'}`);
  } else {
    console.log(`${lab.spec.id}: failed on seed ${firstFailure!.seed}`);
    for (const c of firstFailure!.checks) {
      console.log(`  FAIL  ${c.title}: ${c.summary}`);
      for (const ev of c.evidence as { message: string }[]) console.log(`        ${ev.message}`);
    }
    console.log(`Reproduce: ${reproduce(lab.spec.id, values.code!, firstFailure!.seed, values.faults)}`);
  }
  return passed ? 0 : 1;
}
