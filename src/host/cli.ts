import { parseArgs } from 'node:util';
import { formatTime } from '../sim/time';
import { InputError } from './input-error';
import { listScenarios, readJsonFile, runScenario } from './node';

const USAGE = `brokerlab — a deterministic lab for message brokers

Usage:
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
        return cmdRun(rest);
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

function cmdRun(args: string[]): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      seed: { type: 'string', default: '1' },
      faults: { type: 'string' },
      intensity: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new InputError(`run takes one scenario name (${listScenarios().map((s) => s.name).join(', ')})`);
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
