// A small JSON text scanner that works on the text itself, so that what Graph sent is kept as
// sent: numbers beyond 2^53, key order (JSON.parse moves integer-like keys first) and keys such
// as "__proto__" all survive. Pure; throws JsonTextError on text that is not JSON. Strings are
// scanned without decoding them (a record's auditData keeps an escape JSON lacks, and is then
// written as unparsed); only what is decoded (keys, scalars read) is checked for its escapes.

export class JsonTextError extends Error {
  constructor(message: string, readonly at: number) {
    super(`${message} at offset ${at}`);
    this.name = "JsonTextError";
  }
}

/** Deeper nesting is refused rather than risking the stack on hostile input. */
export const MAX_DEPTH = 512;

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

export function skipWs(s: string, i: number): number {
  while (i < s.length && WS.has(s.charCodeAt(i))) i++;
  return i;
}

/** End (exclusive) of the string token starting at s[i] === '"'. */
export function stringEnd(s: string, i: number): number {
  if (s[i] !== '"') throw new JsonTextError("expected a string", i);
  for (let j = i + 1; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 0x5c) j++; // backslash: skip the escaped character
    else if (c === 0x22) return j + 1;
    else if (c < 0x20) throw new JsonTextError("control character in a string", j);
  }
  throw new JsonTextError("unterminated string", i);
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** End (exclusive) of the value starting at s[i] (no leading whitespace). */
export function valueEnd(s: string, i: number, depth = 0): number {
  if (depth > MAX_DEPTH) throw new JsonTextError(`nesting deeper than ${MAX_DEPTH}`, i);
  const c = s[i];
  if (c === '"') return stringEnd(s, i);
  if (c === "{" || c === "[") {
    const close = c === "{" ? "}" : "]";
    let j = skipWs(s, i + 1);
    if (s[j] === close) return j + 1;
    for (;;) {
      if (c === "{") {
        j = skipWs(s, stringEnd(s, j));
        if (s[j] !== ":") throw new JsonTextError("expected ':'", j);
        j = skipWs(s, j + 1);
      }
      j = skipWs(s, valueEnd(s, j, depth + 1));
      if (s[j] === ",") j = skipWs(s, j + 1);
      else if (s[j] === close) return j + 1;
      else throw new JsonTextError(`expected ',' or '${close}'`, j);
    }
  }
  for (const word of ["true", "false", "null"]) if (s.startsWith(word, i)) return i + word.length;
  NUMBER.lastIndex = i;
  if (NUMBER.test(s)) return NUMBER.lastIndex;
  throw new JsonTextError("expected a value", i);
}

/**
 * The value of a scalar token as `valueEnd` cut it (`at`: its offset, for the message). The
 * scanner has checked everything but a string's escapes, so JSON.parse can refuse only those.
 */
export function decodeScalar(token: string, at: number): unknown {
  try {
    return JSON.parse(token) as unknown;
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    throw new JsonTextError(`bad escape in the string ${token.length > 60 ? `${token.slice(0, 60)}...` : token}`, at);
  }
}

export interface Member {
  /** The key decoded. */
  key: string;
  /** The key's string token as written, escapes included. */
  rawKey: string;
  /** The value's text as written. */
  raw: string;
  /** The value's offset in the object text. */
  at: number;
}

/** Each member of the object text, in order. */
export function members(objectText: string): Member[] {
  const s = objectText;
  let i = skipWs(s, 0);
  if (s[i] !== "{") throw new JsonTextError("expected an object", i);
  const out: Member[] = [];
  i = skipWs(s, i + 1);
  if (s[i] === "}") return checkEnd(s, i + 1, out);
  for (;;) {
    const keyEnd = stringEnd(s, i);
    const rawKey = s.slice(i, keyEnd);
    const key = decodeScalar(rawKey, i) as string;
    i = skipWs(s, keyEnd);
    if (s[i] !== ":") throw new JsonTextError("expected ':'", i);
    const start = skipWs(s, i + 1);
    const end = valueEnd(s, start);
    out.push({ key, rawKey, raw: s.slice(start, end), at: start });
    i = skipWs(s, end);
    if (s[i] === ",") i = skipWs(s, i + 1);
    else if (s[i] === "}") return checkEnd(s, i + 1, out);
    else throw new JsonTextError("expected ',' or '}'", i);
  }
}

/** The raw text of each element of the array text, in order. */
export function elements(arrayText: string): string[] {
  const s = arrayText;
  let i = skipWs(s, 0);
  if (s[i] !== "[") throw new JsonTextError("expected an array", i);
  const out: string[] = [];
  i = skipWs(s, i + 1);
  if (s[i] === "]") return checkEnd(s, i + 1, out);
  for (;;) {
    const end = valueEnd(s, i);
    out.push(s.slice(i, end));
    i = skipWs(s, end);
    if (s[i] === ",") i = skipWs(s, i + 1);
    else if (s[i] === "]") return checkEnd(s, i + 1, out);
    else throw new JsonTextError("expected ',' or ']'", i);
  }
}

function checkEnd<T>(s: string, i: number, value: T): T {
  const j = skipWs(s, i);
  if (j !== s.length) throw new JsonTextError("text after the value", j);
  return value;
}
