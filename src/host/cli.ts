import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
  brokerlab playground --config topology.json [--code handler.ts] [--seed N] [--faults file.json] [--json]
  brokerlab bench [--json] [--only NAME]
  brokerlab selftest [--json]          run hostile code against the learner sandbox
  brokerlab submit --learner NAME --out FILE [--assessment FILE] <lab-id>=<code-file> ...
  brokerlab key new <assessment-file> --out key.json [--seeds 10] [--schedules 1] [--intensity 0.5]
                    [--no-verify] [--force] [--workers N]
  brokerlab grade --assessment FILE --key FILE --out DIR <submission files or folders...>
                  [--workers N] [--time-limit SECONDS] [--memory-limit MB] [--gradescope FILE] [--json]
  brokerlab help

Scenarios:
${listScenarios()
  .map((s) => `  ${s.name.padEnd(10)} ${s.description}`)
  .join('\n')}

Demos (brokerlab run <demo> [--fix]; --fix runs the same story with the configuration that avoids it):
${listScenarios('demos')
  .map((s) => `  ${s.name.padEnd(24)} ${s.demo?.title ?? s.description}`)
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
      case 'playground':
        return await cmdPlayground(rest);
      case 'check':
        return await cmdCheck(rest);
      case 'bench':
        return await cmdBench(rest);
      case 'selftest':
        return await cmdSelftest(rest);
      case 'grade':
        return await cmdGrade(rest);
      case 'submit':
        return await cmdSubmit(rest);
      case 'key':
        return await cmdKey(rest);
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
      fix: { type: 'boolean', default: false },
    },
  });
  const demo = listScenarios('demos').find((d) => d.name === positionals[0])?.demo;
  if (values.fix && demo === undefined) throw new InputError(`--fix is for demos (${listScenarios('demos').map((d) => d.name).join(', ')})`);
  if (positionals.length !== 1) throw new InputError(`run takes one scenario or lab id (scenarios: ${listScenarios().map((s) => s.name).join(', ')}; labs: brokerlab labs)`);
  if (demo === undefined && !listScenarios().some((s) => s.name === positionals[0])) {
    const labs = await labsOrExit();
    if (!labs.some((l) => l.spec.id === positionals[0])) {
      throw new InputError(`unknown scenario or lab "${positionals[0]}"; the scenarios are: ${listScenarios().map((s) => s.name).join(', ')}; the labs are: ${labs.map((l) => l.spec.id).join(', ')}`);
    }
    return runLabCommand(positionals[0]!, values);
  }
  // A demo runs on its own seed unless one is given.
  const seed = parseSeed(demo !== undefined && !args.some((a) => a === '--seed' || a.startsWith('--seed=')) ? String(demo.seed) : values.seed);
  const intensity = values.intensity === undefined ? undefined : Number(values.intensity);
  if (intensity !== undefined && !(intensity >= 0 && intensity <= 1)) throw new InputError(`--intensity takes a number from 0 to 1, got "${values.intensity}"`);
  const faults = values.faults === undefined ? undefined : readJsonFile(values.faults, 'fault schedule');
  const { result } = runScenario({ scenario: positionals[0]!, seed, faults, faultsSource: values.faults, intensity, variant: values.fix ? 'fix' : undefined });
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
    if (result.demo) for (const m of result.demo.moments) console.log(`  moment       ${formatTime(m.timeUs).padEnd(10)} #${m.seq}  ${m.label}`);
    console.log(`Reproduce: npx brokerlab run ${result.scenario}${values.fix ? ' --fix' : ''} --seed ${result.seed}${values.faults ? ` --faults ${values.faults}` : ''}`);
  }
  return result.outcome.startsWith('limit') ? 1 : 0;
}

/**
 * A playground run from the command line: the topology the page's "Download playground.json"
 * gives, the learner's code (the family's starter without --code), a seed and faults. Same input,
 * same historyHash as the page.
 */
async function cmdPlayground(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    allowPositionals: false,
    options: { config: { type: 'string' }, code: { type: 'string' }, seed: { type: 'string', default: '1' }, faults: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  if (values.config === undefined) throw new InputError('playground needs --config <file>: the topology as JSON (the playground page downloads it as playground.json)');
  const config = readJsonFile(values.config, 'topology');
  const seed = parseSeed(values.seed);
  const faults = values.faults === undefined ? undefined : readJsonFile(values.faults, 'fault schedule');
  const { runPlayground } = await import('./playground-engine');
  const { PLAYGROUND_STARTERS } = await import('../labs/playground/starters');
  const family = (config as { family?: unknown } | null)?.family;
  let code: string;
  if (values.code !== undefined) {
    try {
      code = readFileSync(values.code, 'utf8');
    } catch (e) {
      throw new InputError(`cannot read code file ${values.code}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
  } else code = family === 'kafka' || family === 'rabbitmq' ? PLAYGROUND_STARTERS[family] : '';
  const reply = await runPlayground({ config, code, seed, faults, faultsSource: values.faults });
  if (!reply.ok) throw new InputError(values.config && reply.configProblems ? `${values.config}: ${reply.error}` : reply.error);
  const r = reply.result;
  if (values.json) console.log(JSON.stringify(r));
  else {
    console.log(`playground ${reply.config.family}  seed ${seed}  ${r.outcome}  historyHash ${r.historyHash}`);
    console.log(`  entries ${r.historyEntries.toLocaleString('en')}, sim time ${formatTime(r.simTimeUs)}`);
    for (const c of r.checks) console.log(`  ${c.passed ? 'holds' : 'BROKEN'}  ${c.title}: ${c.summary}`);
    console.log(`Reproduce: npx brokerlab playground --config ${values.config}${values.code ? ` --code ${values.code}` : ''} --seed ${seed}${values.faults ? ` --faults ${values.faults}` : ''}`);
  }
  return r.outcome.startsWith('limit') ? 1 : 0;
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
  const { runLab, releaseRun, LabInputError } = await import('../labs/lab');
  const runs = [];
  let firstFailure: { seed: number; checks: { id: string; title: string; summary: string; evidence: unknown[] }[] } | undefined;
  for (const seed of seeds) {
    let r;
    try {
      const run = runLab(lab, program, { seed, faults, faultsSource: values.faults });
      releaseRun(run.world);
      r = run.result;
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

// ---- assessments: submit, key new, grade (docs/instructors.md) ----

/** A whole number within bounds from a flag, or bad input naming the flag. */
function intFlag(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new InputError(`--${name} takes a whole number from ${min} to ${max}, got "${value}"`);
  return Number(value);
}

async function cmdSubmit(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { learner: { type: 'string' }, out: { type: 'string' }, assessment: { type: 'string' } },
  });
  if (values.learner === undefined) throw new InputError('--learner NAME is required: the name the gradebook shows');
  if (values.out === undefined) throw new InputError('--out FILE is required: where to write the submission');
  const { submitFromFiles } = await import('./grade-node');
  const { text, submission, warnings } = await submitFromFiles({ learner: values.learner, pairs: positionals, assessmentFile: values.assessment });
  for (const w of warnings) console.error(`warning: ${w}`);
  writeOut(values.out, text);
  console.log(`Wrote ${values.out}: ${submission.learner}, ${submission.labs.map((l) => l.lab).join(', ')} (content hash ${submission.hash.slice(0, 12)}…)`);
  return 0;
}

async function cmdKey(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      seeds: { type: 'string' },
      schedules: { type: 'string' },
      intensity: { type: 'string' },
      'no-verify': { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      workers: { type: 'string' },
    },
  });
  if (positionals[0] !== 'new' || positionals.length !== 2) throw new InputError('usage: brokerlab key new <assessment-file> --out key.json');
  if (values.out === undefined) throw new InputError('--out FILE is required: where to write the key (keep it private)');
  const { makeKey, keyToText, fileExists } = await import('./grade-node');
  const { HIDDEN_SEEDS_MAX, FAULT_SCHEDULES_MAX } = await import('../labs/assess');
  if (fileExists(values.out) && !values.force) throw new InputError(`${values.out} exists; a key already used for grading should be kept. Pass --force to replace it`);
  const intensity = values.intensity === undefined ? 0.5 : Number(values.intensity);
  if (!(intensity > 0 && intensity <= 1)) throw new InputError(`--intensity takes a number above 0 and up to 1, got "${values.intensity}"`);
  const { key, warnings } = await makeKey({
    assessmentFile: positionals[1]!,
    hiddenSeeds: intFlag('seeds', values.seeds, 0, HIDDEN_SEEDS_MAX) ?? 10,
    schedules: intFlag('schedules', values.schedules, 0, FAULT_SCHEDULES_MAX) ?? 1,
    intensity,
    verify: !values['no-verify'],
    workers: intFlag('workers', values.workers, 1, 256),
    onProgress: (line) => console.error(line),
  });
  for (const w of warnings) console.error(`warning: ${w}`);
  writeOut(values.out, keyToText(key));
  const seeds = key.labs.reduce((a, l) => a + l.hiddenSeeds.length, 0);
  const schedules = key.labs.reduce((a, l) => a + l.faultSchedules.length, 0);
  console.log(`Wrote ${values.out} for assessment ${key.assessment}: ${seeds} hidden seeds and ${schedules} fault schedules over ${key.labs.length} lab${key.labs.length === 1 ? '' : 's'}${values['no-verify'] ? ' (not checked against the reference solutions)' : '; every reference solution earns full marks under them'}. Keep this file private.`);
  return 0;
}

function writeOut(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new InputError(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'its folder does not exist' : (e as Error).message}`);
  }
}

/**
 * Exit codes: 0 every file was graded (a 0 for a looping or broken submission is a grade);
 * 1 grading finished but some files were rejected or some labs were stopped by the grader's own
 * time or memory limit (both listed; regrade them); 2 bad input (flags, assessment, key, paths).
 */
async function cmdGrade(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      assessment: { type: 'string' },
      key: { type: 'string' },
      out: { type: 'string' },
      workers: { type: 'string' },
      'time-limit': { type: 'string' },
      'memory-limit': { type: 'string' },
      gradescope: { type: 'string' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (values.assessment === undefined) throw new InputError('--assessment FILE is required: the assessment to grade');
  if (values.key === undefined) throw new InputError('--key FILE is required: the assessment key (brokerlab key new makes one)');
  if (values.out === undefined) throw new InputError('--out DIR is required: where grades.csv, report.html and each learner’s results.json go');
  const timeLimit = values['time-limit'] === undefined ? undefined : Number(values['time-limit']);
  if (timeLimit !== undefined && !(timeLimit > 0 && timeLimit <= 86_400)) throw new InputError(`--time-limit takes seconds above 0 (up to a day), got "${values['time-limit']}"`);
  const { gradeClass, gradescopeFor, collectSubmissionFiles, readAssessmentFile } = await import('./grade-node');
  if (values.gradescope !== undefined && collectSubmissionFiles(positionals, values.out).length !== 1) {
    throw new InputError('--gradescope writes one learner’s results, so grade exactly one submission file with it');
  }
  const progress = progressPrinter(values.quiet);
  const outcome = await gradeClass({
    assessmentFile: values.assessment,
    keyFile: values.key,
    inputs: positionals,
    outDir: values.out,
    workers: intFlag('workers', values.workers, 1, 256),
    timeLimitS: timeLimit,
    memoryLimitMb: intFlag('memory-limit', values['memory-limit'], 64, 65_536),
    onProgress: progress,
  });
  progress({ kind: 'task', done: -1, total: -1 });
  if (values.gradescope !== undefined) writeOut(values.gradescope, gradescopeFor(outcome, readAssessmentFile(values.assessment)));
  const { results, graderLimited } = outcome;
  for (const r of results.rejected) console.error(`rejected ${r.message}`);
  for (const g of graderLimited) console.error(`stopped by the grader: ${g.learner} / ${g.lab}: ${g.text}`);
  const code = results.rejected.length > 0 || graderLimited.length > 0 ? 1 : 0;
  const { formatPoints } = await import('../labs/assess');
  if (values.json) {
    console.log(
      JSON.stringify({
        assessment: results.assessment.id,
        out: values.out,
        learners: results.learners.map((l) => ({ learner: l.learner, file: l.file, total: l.total, max: l.max, labs: Object.fromEntries(l.labs.map((x) => [x.lab, x.earned])) })),
        rejected: results.rejected,
        graderLimited,
        exitCode: code,
      }),
    );
    return code;
  }
  const n = results.learners.length;
  const mean = n ? results.learners.reduce((a, l) => a + l.total, 0) / n : 0;
  const max = results.learners[0]?.max ?? results.assessment.labs.reduce((a, l) => a + l.points, 0);
  console.log(`Graded ${n} submission${n === 1 ? '' : 's'} for ${results.assessment.id} in ${(outcome.wallMs / 1000).toFixed(1)} s${n ? `: mean ${formatPoints(mean)}/${formatPoints(max)}` : ''}.`);
  const width = Math.min(40, Math.max(8, ...results.learners.map((l) => l.learner.length)));
  for (const l of results.learners) console.log(`  ${l.learner.padEnd(width)}  ${formatPoints(l.total)}/${formatPoints(l.max)}${l.labs.some((x) => x.zero && x.zero.kind !== 'not-submitted') ? '  (a lab scored 0 by a limit or a compile error: see the report)' : ''}`);
  if (results.rejected.length) console.log(`Rejected ${results.rejected.length} file${results.rejected.length === 1 ? '' : 's'} (reasons above, and in the report).`);
  console.log(`Wrote ${join(values.out, 'grades.csv')}, ${join(values.out, 'report.html')} and ${n} results.json file${n === 1 ? '' : 's'} (${join(values.out, '<learner>', 'results.json')}).`);
  return code;
}

/**
 * Progress on stderr: a one-line bar redrawn in place on a terminal, plain lines otherwise (one
 * per learner graded). Never on stdout, which --json keeps for its one object.
 */
function progressPrinter(quiet: boolean | undefined) {
  const tty = process.stderr.isTTY === true;
  const started = Date.now();
  let learners = { done: 0, of: 0 };
  let drawn = false;
  const bar = (done: number, total: number): void => {
    const width = 24;
    const filled = total ? Math.round((done / total) * width) : width;
    const s = Math.round((Date.now() - started) / 1000);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} lab gradings · ${learners.done}/${learners.of} learners · ${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}\x1b[K`);
    drawn = true;
  };
  return (p: import('./grade-node').GradeProgress): void => {
    if (quiet) return;
    if (p.kind === 'start') {
      learners = { done: 0, of: p.learners };
      const n = Math.min(p.workers, Math.max(1, p.tasks));
      process.stderr.write(`grading ${p.learners} submission${p.learners === 1 ? '' : 's'} (${p.tasks} lab gradings${p.rejected ? `, ${p.rejected} file${p.rejected === 1 ? '' : 's'} rejected` : ''}) with ${n} worker${n === 1 ? '' : 's'}\n`);
      if (tty && p.tasks > 0) bar(0, p.tasks);
      return;
    }
    if (p.kind === 'learner') {
      learners = { done: p.done, of: p.of };
      if (!tty) process.stderr.write(`graded ${p.done}/${p.of}: ${p.learner} ${p.total}/${p.max}\n`);
      return;
    }
    if (!tty) return;
    if (p.done < 0) {
      if (drawn) process.stderr.write('\r\x1b[K');
      return;
    }
    bar(p.done, p.total);
  };
}
