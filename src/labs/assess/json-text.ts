/**
 * Parses JSON a person handed us and, when it does not parse, says where and why in the same words
 * in every engine. JSON.parse's messages differ between V8 versions and browsers (and some carry no
 * position), so on failure a small scanner walks the text to find the first problem and whether
 * the text simply stopped early — the usual sign of a truncated upload.
 */
export type JsonTextResult =
  | { ok: true; value: unknown }
  | { ok: false; truncated: boolean; line: number; column: number; detail: string };

/** Nesting the scanner follows before it gives up (JSON.parse itself has no such limit). */
const DEPTH_MAX = 512;

export function parseJsonText(text: string): JsonTextResult {
  // A byte-order mark some editors add is not JSON, but it is not the person's mistake either.
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(t) };
  } catch {
    return { ok: false, ...locateJsonProblem(t) };
  }
}

/** Line and column (1-based) of a UTF-16 offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class Stop {
  constructor(
    readonly at: number,
    readonly detail: string,
    readonly truncated: boolean,
  ) {}
}

/** Finds the first problem in text JSON.parse rejected. */
export function locateJsonProblem(text: string): { truncated: boolean; line: number; column: number; detail: string } {
  let i = 0;
  const n = text.length;
  const describe = (at: number): string => {
    const c = text[at]!;
    const code = c.charCodeAt(0);
    if (code < 32 || code === 127) return `the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
    return `"${c}"`;
  };
  const fail = (detail: string): never => {
    throw new Stop(i, detail, false);
  };
  const end = (what: string): never => {
    throw new Stop(n, `the text ends before ${what}`, true);
  };
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const literal = (word: string): void => {
    for (let k = 0; k < word.length; k++, i++) {
      if (i >= n) end(`the word "${word}" is complete`);
      if (text[i] !== word[k]) fail(`expected "${word}", found ${describe(i)}`);
    }
  };
  const string = (): void => {
    i++; // opening quote
    for (;;) {
      if (i >= n) end('a string is closed with "');
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c < 32) fail(`${describe(i)} inside a string (write it as an escape such as \\n)`);
      if (c === 92) {
        i++;
        if (i >= n) end('an escape in a string is complete');
        const e = text[i]!;
        if (e === 'u') {
          for (let k = 1; k <= 4; k++) {
            if (i + k >= n) end('a \\u escape is complete');
            if (!/[0-9a-fA-F]/.test(text[i + k]!)) {
              i += k;
              fail(`a \\u escape needs four hex digits, found ${describe(i)}`);
            }
          }
          i += 5;
          continue;
        }
        if (!'"\\/bfnrt'.includes(e)) fail(`\\${e} is not a JSON escape`);
        i++;
        continue;
      }
      i++;
    }
  };
  const number = (): void => {
    const start = i;
    if (text[i] === '-') i++;
    if (i >= n) end('a number is complete');
    if (text[i] === '0') i++;
    else if (/[1-9]/.test(text[i]!)) while (i < n && /[0-9]/.test(text[i]!)) i++;
    else fail(`a number needs a digit here, found ${describe(i)}`);
    if (text[i] === '.') {
      i++;
      if (i >= n) end('a number is complete');
      if (!/[0-9]/.test(text[i]!)) fail(`a number needs a digit after ".", found ${describe(i)}`);
      while (i < n && /[0-9]/.test(text[i]!)) i++;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (i >= n) end('a number is complete');
      if (!/[0-9]/.test(text[i]!)) fail(`a number needs a digit in its exponent, found ${describe(i)}`);
      while (i < n && /[0-9]/.test(text[i]!)) i++;
    }
    if (i === start) fail('expected a number');
  };
  const value = (depth: number): void => {
    if (depth > DEPTH_MAX) fail(`the data is nested more than ${DEPTH_MAX} levels deep`);
    ws();
    if (i >= n) end('a value');
    const c = text[i]!;
    if (c === '{') {
      i++;
      ws();
      if (i >= n) end('the object is closed with }');
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (i >= n) end('the object is closed with }');
        if (text[i] !== '"') fail(`expected a field name in double quotes, found ${describe(i)}`);
        string();
        ws();
        if (i >= n) end('the object is closed with }');
        if (text[i] !== ':') fail(`expected ":" after the field name, found ${describe(i)}`);
        i++;
        value(depth + 1);
        ws();
        if (i >= n) end('the object is closed with }');
        if (text[i] === ',') {
          i++;
          ws();
          if (text[i] === '}') fail('a comma before "}" (JSON allows no trailing comma)');
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail(`expected "," or "}" in an object, found ${describe(i)}`);
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (i >= n) end('the list is closed with ]');
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (i >= n) end('the list is closed with ]');
        if (text[i] === ',') {
          i++;
          ws();
          if (text[i] === ']') fail('a comma before "]" (JSON allows no trailing comma)');
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail(`expected "," or "]" in a list, found ${describe(i)}`);
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    fail(`expected a value (an object, list, string, number, true, false or null), found ${describe(i)}`);
  };
  try {
    value(0);
    ws();
    if (i < n) fail(`unexpected ${describe(i)} after the end of the data`);
    // The scanner accepted what JSON.parse refused: say so rather than invent a place.
    return { truncated: false, line: 1, column: 1, detail: 'the text is not valid JSON' };
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    const { line, column } = lineColumn(text, Math.min(e.at, n));
    return { truncated: e.truncated, line, column, detail: e.detail };
  }
}
