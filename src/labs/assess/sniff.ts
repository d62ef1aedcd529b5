/**
 * Guesses what a file is when it is not what we expected, so the error can say "it looks like a
 * fault schedule" instead of "missing field". Guesses only: nothing is decided on them.
 */

/** The formats Brokerlab writes, by their `format` field, and what a person calls each. */
export const FORMAT_NAMES: Readonly<Record<string, string>> = {
  'brokerlab-assessment': 'a Brokerlab assessment',
  'brokerlab-assessment-key': 'a Brokerlab assessment key',
  'brokerlab-submission': 'a Brokerlab submission',
};

/** What a text that is not JSON looks like, when we can tell; undefined otherwise. */
export function sniffText(text: string): string | undefined {
  if (text.startsWith('PK\u0003\u0004')) return 'a zip archive: unzip it and pass the files inside';
  if (text.startsWith('%PDF')) return 'a PDF document';
  if (/^\s*<(!doctype|html|\?xml)/i.test(text)) return 'an HTML or XML page';
  if (/^\s*(import|export|const|let|function|interface|type|\/\/|\/\*)\b/.test(text)) return 'TypeScript or JavaScript source code';
  if (/[\u0000-\u0008\u000e-\u001f]/.test(text.slice(0, 512))) return 'a binary file';
  return undefined;
}

/** What a parsed JSON value looks like, for a file whose `format` is missing or different. */
export function sniffValue(value: unknown): string {
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every((e) => typeof e === 'object' && e !== null && 'kind' in e && 'at' in e)) return 'a fault schedule';
    return 'a JSON list, not an object with a "format" field';
  }
  if (typeof value !== 'object' || value === null) return `a single JSON ${value === null ? 'null' : typeof value}, not an object with a "format" field`;
  const v = value as Record<string, unknown>;
  if (typeof v.format === 'string') {
    const known = FORMAT_NAMES[v.format];
    if (known) return known;
    return `a file of format "${v.format.slice(0, 80)}"`;
  }
  if (Array.isArray(v.tests) && ('score' in v || v.tests.some((t) => typeof t === 'object' && t !== null && 'max_score' in t))) return 'Gradescope autograder results (results.json)';
  if (typeof v.name === 'string' && typeof v.version === 'string' && ('dependencies' in v || 'scripts' in v)) return 'an npm package.json';
  if (typeof v.lab === 'string' && Array.isArray(v.seeds) && 'passed' in v) return 'the output of brokerlab check --json';
  if (typeof v.historyHash === 'string' && 'seed' in v) return 'the output of brokerlab run --json';
  return 'JSON without a "format" field';
}
