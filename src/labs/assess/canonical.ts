/**
 * The canonical text of a JSON value: object keys sorted (by UTF-16 code units, as Array.sort
 * does), no whitespace, strings and numbers as JSON.stringify writes them. Two values that are
 * equal as data have the same canonical text, whatever order their keys were written in, so a
 * hash over it does not change when a tool re-indents or reorders a file.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    // undefined, functions and symbols have no JSON form; inside objects they are skipped below.
    return s === undefined ? 'null' : s;
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined && typeof obj[k] !== 'function' && typeof obj[k] !== 'symbol')
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/**
 * SHA-256 of a string's UTF-8 bytes, as 64 lowercase hex digits. WebCrypto's `crypto.subtle`
 * exists in browsers (secure contexts, which includes localhost and the installed app) and in
 * Node 20, so the page and the CLI compute the same hash with the same code.
 */
export async function sha256Hex(text: string): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error('WebCrypto (crypto.subtle) is not available here: open Brokerlab over https or from localhost');
  const digest = await subtle.digest('SHA-256', new TextEncoder().encode(text));
  let hex = '';
  for (const b of new Uint8Array(digest)) hex += b.toString(16).padStart(2, '0');
  return hex;
}
