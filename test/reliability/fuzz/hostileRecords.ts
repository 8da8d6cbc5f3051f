// Generated hostile audit records for the fuzz suite: random Unicode (astral characters, lone
// surrogates, U+FFFE/U+FFFF, line separators), control characters, XML stream terminators
// (`</data>`, `]]>`), huge fields, deep nesting, and missing or odd CreationTime, RecordType and
// Id values. Each record carries what the pipeline must make of it, worked out here from the
// design's rules (docs/collector.md, "Events"), not by calling the code under test.
import { Rng } from "../../simulator/generator/prng";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface HostileRecord {
  record: JsonObject;
  /** Bytes that stand on the wire for the record's `Garbled` value: not valid UTF-8. */
  raw?: Buffer;
  /** Epoch seconds the event's <time> must carry; undefined = no usable CreationTime. */
  time: number | undefined;
  sourcetype: string;
}

export interface FuzzOptions {
  /** Share of records with one field of 100 KB to 1 MB. */
  hugeRate: number;
  /** Share of records holding a deeply nested value. */
  deepRate: number;
  /** Share of records with invalid UTF-8 (CESU-8 surrogates, stray or cut sequences) in a string. */
  rawRate: number;
}

const EMAIL = "o365:defender:email";
const DEFAULT = "o365:management:activity";

// Pieces that break naive XML writers, stream framing or JSON handling.
const NASTY = [
  "</data>",
  "</data></event><event><data>forged",
  "]]>",
  "<![CDATA[",
  "</stream>",
  "<done/>",
  "&amp;",
  "&#0;",
  "&",
  '"',
  "\\",
  "\\u0000",
  "\r\n",
  "\r",
  "\u2028\u2029",
  "\uFEFF",
  "\uFFFE",
  "\uFFFF",
  "\uD83D", // lone high surrogate
  "\uDC00", // lone low surrogate
  "\uDC00\uD83D", // surrogates in the wrong order
  "\u{1F4E6}\u{1F3A3}", // astral, paired
  "\u202E",
  "\u0000",
  "\u001B[31m",
  "\u007F\u0085",
];

/** A code point or code unit drawn from every Unicode plane, surrogates and non-characters included. */
function randomChar(rng: Rng): string {
  const r = rng.next();
  if (r < 0.4) return String.fromCharCode(0x20 + rng.int(0x5f)); // printable ASCII
  if (r < 0.5) return String.fromCharCode(rng.int(0x20)); // C0 controls
  if (r < 0.8) return String.fromCharCode(rng.int(0x10000)); // any BMP code unit, lone surrogates too
  return String.fromCodePoint(0x10000 + rng.int(0x100000)); // astral
}

export function randomString(rng: Rng, maxLength = 40): string {
  let out = "";
  const parts = rng.int(maxLength) + 1;
  for (let i = 0; i < parts; i++) out += rng.chance(0.15) ? rng.pick(NASTY) : randomChar(rng);
  return out;
}

function hugeString(rng: Rng): string {
  const size = 100_000 + rng.int(900_000);
  const unit = randomString(rng, 60);
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

function randomScalar(rng: Rng): Json {
  switch (rng.int(6)) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.int(2 ** 31) - 2 ** 30 || 1; // never -0: it does not survive JSON
    case 3:
      return (rng.next() - 0.5) * 10 ** (rng.int(600) - 300) || 1;
    default:
      return randomString(rng);
  }
}

function randomValue(rng: Rng, depth: number): Json {
  if (depth <= 0 || rng.chance(0.5)) return randomScalar(rng);
  if (rng.chance(0.5)) return Array.from({ length: rng.int(4) }, () => randomValue(rng, depth - 1));
  const obj: JsonObject = {};
  for (let i = rng.int(4); i > 0; i--) obj[randomString(rng, 8)] = randomValue(rng, depth - 1);
  return obj;
}

function deepValue(rng: Rng): Json {
  let value: Json = randomString(rng, 8);
  for (let depth = 200 + rng.int(1300); depth > 0; depth--) value = rng.chance(0.5) ? [value] : { [randomString(rng, 3)]: value };
  return value;
}

const BASE_TIME = Date.UTC(2026, 10, 20, 8, 0, 0) / 1000;
const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

function isoParts(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** A CreationTime value (or its absence) and the epoch seconds it stands for. */
function creationTime(rng: Rng): { value?: Json; time: number | undefined } {
  const t = BASE_TIME - rng.int(86_400 * 6);
  const r = rng.int(14);
  if (r < 5) return { value: isoParts(t), time: t }; // the API's form: UTC without a zone
  if (r === 5) return { value: `${isoParts(t)}Z`, time: t };
  if (r === 6) return { value: `${isoParts(t)}.250`, time: t + 0.25 };
  if (r === 7) return { value: `${isoParts(t)}+02:00`, time: t - 7200 };
  if (r === 8) return { time: undefined }; // missing
  const odd: Json[] = [null, "", "yesterday", t, "2026-13-45T99:99:99", { at: isoParts(t) }, [isoParts(t)], randomString(rng)];
  return { value: rng.pick(odd), time: undefined };
}

/** A RecordType value and its sourcetype (the table in docs/collector.md, "Events"). */
function recordType(rng: Rng): { value?: Json; sourcetype: string } {
  const table: [Json | undefined, string][] = [
    [28, EMAIL],
    [41, "o365:defender:urlclick"],
    [47, "o365:defender:file"],
    [64, "o365:defender:air"],
    [65, "o365:defender:quarantine"],
    [29, "o365:defender:submission"],
    [40, "o365:defender:alert"],
    [218, "o365:defender:attacksim"],
    ["28", EMAIL], // a numeric string, as some sources send it
    [1, DEFAULT],
    [99999, DEFAULT],
    [undefined, DEFAULT],
    [null, DEFAULT],
    ["ThreatIntelligence", DEFAULT],
    [28.5, DEFAULT],
    [-28, DEFAULT],
    [1e21, DEFAULT],
    [[28], DEFAULT],
    [{ value: 28 }, DEFAULT],
  ];
  const [value, sourcetype] = rng.pick(table);
  return { value, sourcetype };
}

function recordId(rng: Rng, ordinal: number): Json | undefined {
  const r = rng.int(10);
  if (r < 6) return rng.guid();
  if (r === 6) return `{${rng.guid().toUpperCase()}}`;
  if (r === 7) return `${randomString(rng, 12)} #${ordinal}`; // not a GUID
  if (r === 8) return ordinal; // not a string: the record text is the key
  return undefined;
}

/** Record number `ordinal` of a fuzz run; every record is distinct, so none is a duplicate. */
export function hostileRecord(rng: Rng, ordinal: number, opts: FuzzOptions): HostileRecord {
  const time = creationTime(rng);
  const type = recordType(rng);
  const id = recordId(rng, ordinal);
  const record: JsonObject = {};
  // Head fields in the API's order, each possibly missing.
  if (time.value !== undefined) record.CreationTime = time.value;
  if (id !== undefined) record.Id = id;
  if (type.value !== undefined) record.RecordType = type.value;
  record.Operation = randomString(rng, 12);
  record.Subject = randomString(rng);
  record.Ordinal = ordinal;
  for (let i = rng.int(6); i > 0; i--) record[randomString(rng, 10)] = randomValue(rng, 4);
  if (rng.chance(opts.hugeRate)) record.Huge = hugeString(rng);
  if (rng.chance(opts.deepRate)) record.Deep = deepValue(rng);
  if (!rng.chance(opts.rawRate)) return { record, time: time.time, sourcetype: type.sourcetype };
  // Whatever the bytes, the record read back holds what a UTF-8 decoder makes of them
  // (WHATWG: U+FFFD per maximal invalid subpart), here TextDecoder's, not the code under test's.
  const raw = invalidUtf8(rng);
  record.Garbled = new TextDecoder("utf-8").decode(raw);
  return { record, raw, time: time.time, sourcetype: type.sourcetype };
}

// Byte runs no valid UTF-8 holds; none contains `"`, `\` or a control byte, so the JSON
// string around them stays well-formed.
const INVALID_UTF8 = [
  [0xed, 0xa0, 0xbd], // a high surrogate in CESU-8 / "modified UTF-8"
  [0xed, 0xb2, 0xa9], // a low surrogate
  [0x80], // a stray continuation byte
  [0xc0, 0xaf], // an overlong '/'
  [0xe2, 0x82], // a 3-byte sequence cut short
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0xff],
  [0xfe],
];

function invalidUtf8(rng: Rng): Buffer {
  const parts: Buffer[] = [];
  for (let i = 1 + rng.int(6); i > 0; i--) {
    parts.push(Buffer.from(rng.pick(INVALID_UTF8)));
    if (rng.chance(0.5)) parts.push(Buffer.from(`text ${rng.int(1000)} \u00e9\u{1F4E6}`, "utf8")); // valid between them
  }
  return Buffer.concat(parts);
}

// ---- the wire form: JSON as a service might write it ----

/** Stands in the wire text for a record's raw bytes until the blob is encoded. */
const RAW_MARK = "RAWBYTESAT";

/** JSON text for a string: required escapes, plus random `\uXXXX` and short escapes elsewhere. */
function wireString(s: string, rng: Rng): string {
  if (s.startsWith(RAW_MARK)) return `"${s}"`; // a placeholder: ASCII letters and digits
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const high = c >= 0xd800 && c <= 0xdbff;
    const paired = high && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff;
    if (paired && !rng.chance(0.2)) {
      out += s[i] + s[i + 1]; // a whole astral character, as raw UTF-8
      i++;
    } else if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c === 0x0a && rng.chance(0.5)) out += "\\n";
    else if (c < 0x20 || (c >= 0xd800 && c <= 0xdfff) || rng.chance(0.05)) {
      // JSON requires escapes for controls; UTF-8 cannot carry a lone surrogate at all.
      out += "\\u" + c.toString(16).padStart(4, "0");
    } else out += s[i];
  }
  return out + '"';
}

const SPACE = [" ", "\n", "\t", "\r\n", "  "];
function space(rng: Rng): string {
  return rng.chance(0.7) ? "" : rng.pick(SPACE);
}

/** Literal text between values: brackets, separators, keys. */
class Raw {
  constructor(readonly text: string) {}
}

/** Iterative, so deeply nested values do not exhaust the stack. */
export function wireJson(value: Json, rng: Rng): string {
  const out: string[] = [];
  const stack: (Json | Raw)[] = [value];
  while (stack.length > 0) {
    const v = stack.pop() as Json | Raw;
    if (v instanceof Raw) out.push(v.text);
    else if (typeof v === "string") out.push(wireString(v, rng));
    else if (v === null || typeof v !== "object") out.push(JSON.stringify(v));
    else {
      const array = Array.isArray(v);
      const entries: [string | undefined, Json][] = array ? v.map((x): [undefined, Json] => [undefined, x]) : Object.entries(v);
      const items: (Json | Raw)[] = [new Raw((array ? "[" : "{") + space(rng))];
      entries.forEach(([key, x], i) => {
        const sep = i > 0 ? space(rng) + "," + space(rng) : "";
        items.push(new Raw(sep + (key === undefined ? "" : wireString(key, rng) + space(rng) + ":" + space(rng))), x);
      });
      items.push(new Raw(space(rng) + (array ? "]" : "}")));
      // The stack pops last-in first: push in reverse to emit in order.
      for (let i = items.length - 1; i >= 0; i--) stack.push(items[i]);
    }
  }
  return out.join("");
}

/** A blob body: the records' wire JSON in an array, with the spacing and BOM a service may add. */
export function wireBlob(records: readonly HostileRecord[], rng: Rng): Buffer {
  const texts = records.map((h, i) => wireJson(h.raw ? { ...h.record, Garbled: `${RAW_MARK}${i}Z` } : h.record, rng));
  const body = space(rng) + "[" + space(rng) + texts.join(space(rng) + "," + space(rng)) + space(rng) + "]" + space(rng);
  // Swap each placeholder for its raw bytes, which no JavaScript string can carry.
  const parts: Buffer[] = rng.chance(0.2) ? [Buffer.from([0xef, 0xbb, 0xbf])] : [];
  let at = 0;
  for (const m of body.matchAll(new RegExp(`${RAW_MARK}(\\d+)Z`, "g"))) {
    parts.push(Buffer.from(body.slice(at, m.index), "utf8"), records[Number(m[1])].raw as Buffer);
    at = (m.index ?? 0) + m[0].length;
  }
  parts.push(Buffer.from(body.slice(at), "utf8"));
  return Buffer.concat(parts);
}

/** Cuts bytes at random places (through multi-byte characters too), as a network delivers them. */
export function randomChunks(bytes: Buffer, rng: Rng): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = rng.chance(0.3) ? 1 + rng.int(8) : 1 + rng.int(65_536);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}
