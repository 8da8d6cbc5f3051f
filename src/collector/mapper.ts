// Maps one raw audit record to one Splunk event (docs/collector.md, "Events"). Pure: the record's
// text goes into <data> untouched; only the head fields are read.
import type { SplunkEvent } from "../splunk/event";
import { recordTypeNumber, sourcetypeFor } from "./sourcetype";

export interface MapContext {
  stanza: string;
  tenantId: string;
  contentType: string;
  index?: string;
  host?: string;
  /** Record type numbers to keep; empty keeps all. */
  recordTypes: ReadonlySet<number>;
}

export type MapResult =
  | { kind: "event"; event: SplunkEvent; id: string | undefined; timeProblem?: string }
  | { kind: "filtered"; recordType: number | undefined }
  | { kind: "invalid"; reason: string };

// CreationTime is UTC without a zone ("2022-07-08T09:10:19"); some sources add fractions or Z.
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

/** The digits of text[from, from + count) as a number, or -1 when one is not a digit. */
function digitsAt(text: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

// Days of each month in a leap year; February 29 of other years is refused apart.
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Epoch seconds of a UTC date and time, or undefined unless every field is in range and the day
 * exists (second 60 is a leap second): Date.UTC alone rolls day 00 or Feb 30 into a neighbouring
 * day and reads years 0-99 as 1900-1999. A field of -1 (not digits) is out of range.
 */
function utcSeconds(y: number, mo: number, d: number, h: number, mi: number, sec: number): number | undefined {
  if (y < 100 || mo < 1 || mo > 12 || d < 1 || d > MONTH_DAYS[mo - 1] || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60) return undefined;
  if (mo === 2 && d === 29 && (y % 4 !== 0 || (y % 100 === 0 && y % 400 !== 0))) return undefined;
  return Date.UTC(y, mo - 1, d, h, mi, sec) / 1000;
}

/**
 * The API's own form, `YYYY-MM-DDTHH:MM:SS`, read without the regular expression (profiled:
 * the regex was a tenth of the pipeline's time). Undefined = not a time, or another form.
 */
function bareCreationTime(s: string): number | undefined {
  if (s.length !== 19 || s[4] !== "-" || s[7] !== "-" || (s[10] !== "T" && s[10] !== " ") || s[13] !== ":" || s[16] !== ":") return undefined;
  return utcSeconds(digitsAt(s, 0, 4), digitsAt(s, 5, 2), digitsAt(s, 8, 2), digitsAt(s, 11, 2), digitsAt(s, 14, 2), digitsAt(s, 17, 2));
}

/** Epoch seconds for a CreationTime value read as UTC, or undefined when it is not a usable time. */
export function parseCreationTime(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const bare = bareCreationTime(value);
  if (bare !== undefined) return bare;
  const m = ISO_TIME.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  const seconds = utcSeconds(+y, +mo, +d, +h, +mi, +sec);
  if (seconds === undefined) return undefined;
  let ms = seconds * 1000 + (frac ? Math.round(Number(frac) * 1000) : 0);
  if (zone && zone !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return ms / 1000;
}

export function sourceFor(tenantId: string, contentType: string): string {
  return `defender_o365:${tenantId}:${contentType}`;
}

/** `text` is the record's JSON exactly as it stood in the blob. */
export function mapRecord(text: string, ctx: MapContext): MapResult {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (err) {
    return { kind: "invalid", reason: `record is not valid JSON: ${(err as Error).message}` };
  }
  if (record === null || typeof record !== "object" || Array.isArray(record)) {
    return { kind: "invalid", reason: "record is not a JSON object" };
  }
  const head = record as { Id?: unknown; RecordType?: unknown; CreationTime?: unknown };
  const recordType = recordTypeNumber(head.RecordType);
  if (ctx.recordTypes.size > 0 && (recordType === undefined || !ctx.recordTypes.has(recordType))) {
    return { kind: "filtered", recordType };
  }
  const time = parseCreationTime(head.CreationTime);
  const event: SplunkEvent = {
    stanza: ctx.stanza,
    time,
    source: sourceFor(ctx.tenantId, ctx.contentType),
    sourcetype: sourcetypeFor(head.RecordType),
    index: ctx.index,
    host: ctx.host,
    data: text,
    dataIsJson: true,
  };
  const id = typeof head.Id === "string" && head.Id !== "" ? head.Id : undefined;
  const timeProblem =
    time === undefined ? `CreationTime ${head.CreationTime === undefined ? "is missing" : `${JSON.stringify(head.CreationTime).slice(0, 60)} is not a time`}` : undefined;
  return { kind: "event", event, id, timeProblem };
}
