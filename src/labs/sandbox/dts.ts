import { serviceApi, type ApiDefinition, type ApiFunction, type ApiNamespace } from './api';

/**
 * Generates the `.d.ts` text the editor loads for IntelliSense, from the same definition the
 * bridge is built from, so what learners see is what exists. The text is a global declaration
 * file: `declare module '<moduleName>' { … }` plus the sandbox's `console`.
 *
 * For Monaco: `monaco.languages.typescript.typescriptDefaults.addExtraLib(learnerDts, 'file:///node_modules/@types/brokerlab/index.d.ts')`,
 * with compiler options `lib: ['es2022']` (no DOM, so `fetch` and `window` show as errors, as they are at run time).
 */
export function generateDts(def: ApiDefinition): string {
  const out: string[] = [];
  out.push('// Generated from src/labs/sandbox/api.ts by generateDts(): do not edit.');
  out.push(...jsdoc(def.doc, []));
  out.push(`declare module '${def.moduleName}' {`);
  for (const line of def.types.split('\n')) out.push(line === '' ? '' : `  ${line}`);
  const interfaces: string[][] = [];
  emitNamespace(def.context, interfaces);
  for (const block of interfaces) {
    out.push('');
    for (const line of block) out.push(`  ${line}`);
  }
  for (const h of Object.values(def.handlers)) {
    out.push('');
    for (const line of jsdoc(h.doc, [])) out.push(`  ${line}`);
    const params = h.params.map((p) => `${p.name}: ${p.ts}`).join(', ');
    out.push(`  export type ${h.typeName}${h.typeParams} = (${params}) => ${h.returns};`);
  }
  out.push('}');
  out.push('');
  out.push(...CONSOLE_DTS);
  return out.join('\n') + '\n';
}

/** Emits one interface per namespace, nested ones first so the text reads bottom-up like the API. */
function emitNamespace(ns: ApiNamespace, out: string[][]): void {
  const body: string[] = [...jsdoc(ns.doc, []), `export interface ${ns.typeName} {`];
  for (const [name, m] of Object.entries(ns.members)) {
    switch (m.kind) {
      case 'namespace':
        emitNamespace(m, out);
        body.push(...jsdoc(m.doc, []).map((l) => `  ${l}`), `  readonly ${name}: ${m.typeName};`);
        break;
      case 'constant':
        body.push(...jsdoc(m.doc, []).map((l) => `  ${l}`), `  readonly ${name}: ${m.ts};`);
        break;
      case 'function':
        body.push(...jsdoc(m.doc, paramDocs(m)).map((l) => `  ${l}`), `  ${name}(${signature(m)}): ${m.returns};`);
        break;
    }
  }
  body.push('}');
  out.push(body);
}

function signature(fn: ApiFunction): string {
  return fn.params.map((p) => `${p.name}${p.optional ? '?' : ''}: ${p.ts}`).join(', ');
}

function paramDocs(fn: ApiFunction): string[] {
  return fn.params.map((p) => `@param ${p.name} ${p.doc}`);
}

function jsdoc(doc: string, tags: string[]): string[] {
  const lines = [...doc.split('\n'), ...tags];
  if (lines.length === 1) return [`/** ${lines[0]} */`];
  return ['/**', ...lines.map((l) => ` * ${l}`), ' */'];
}

const CONSOLE_DTS = [
  '/** Console output lands in the run\'s history with the simulated time, the node and your line number. Each node may write a limited number of lines. */',
  'declare var console: {',
  '  log(...data: unknown[]): void;',
  '  info(...data: unknown[]): void;',
  '  warn(...data: unknown[]): void;',
  '  error(...data: unknown[]): void;',
  '  debug(...data: unknown[]): void;',
  '};',
];

/** The declarations for the standard service API, ready for the editor. */
export const learnerDts: string = generateDts(serviceApi);
