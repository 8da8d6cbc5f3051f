// The XML event stream splunkd reads from a modular input's stdout (docs/reference/splunk-platform.md
// 1.6): `<stream>` opened before the first event, one `<event stanza=… unbroken="1">` per record
// with children in the order time, source, sourcetype, index, host, data, done; `</stream>` at the end.
import type { SplunkEvent } from "./event";
import type { BatchLimit, EventSink } from "./eventSink";
import { element, escapeAttribute, escapeJsonText, escapeText } from "./xml";

/** Epoch seconds with at most 3 decimals and no trailing zeros (`1598004672.123`, `1598004672`). */
export function formatTime(seconds: number): string {
  return String(Math.round(seconds * 1000) / 1000);
}

// The parts of an event that repeat for every record of a content type (the stanza, source,
// sourcetype, index, host) are escaped once and reused: profiled, their escaping cost as much as
// a fifth of the formatting, and then building a string key per event to find them cost a tenth.
// So the cache is found by strings the events share (the stanza, the sourcetype: V8 keeps a
// string's hash), then matched by comparing the rest. A process sees a handful of combinations;
// the bounds are a safety net.
const CACHE_LIMIT = 256;
const openTags = new Map<string, string>();
interface Header {
  source: string;
  index: string | undefined;
  host: string | undefined;
  xml: string;
}
const headers = new Map<string, Header[]>();

function openTag(stanza: string): string {
  let tag = openTags.get(stanza);
  if (tag === undefined) {
    if (openTags.size >= CACHE_LIMIT) openTags.clear();
    tag = `<event stanza="${escapeAttribute(stanza)}" unbroken="1">`;
    openTags.set(stanza, tag);
  }
  return tag;
}

function header(e: SplunkEvent): string {
  let known = headers.get(e.sourcetype);
  if (known === undefined) {
    if (headers.size >= CACHE_LIMIT) headers.clear();
    known = [];
    headers.set(e.sourcetype, known);
  }
  for (const h of known) if (h.source === e.source && h.index === e.index && h.host === e.host) return h.xml;
  const xml = element("source", e.source) + element("sourcetype", e.sourcetype) + (e.index ? element("index", e.index) : "") + (e.host ? element("host", e.host) : "");
  if (known.length >= CACHE_LIMIT) known.length = 0;
  known.push({ source: e.source, index: e.index, host: e.host, xml });
  return xml;
}

/** One `<event>` element. Pure; the data can hold anything (see xml.ts for the escaping). */
export function formatEvent(e: SplunkEvent): string {
  const time = e.time !== undefined && Number.isFinite(e.time) ? element("time", formatTime(e.time)) : "";
  const data = e.dataIsJson ? escapeJsonText(e.data) : escapeText(e.data);
  return `${openTag(e.stanza)}${time}${header(e)}<data>${data}</data><done/></event>`;
}

export const STREAM_OPEN = "<stream>";
export const STREAM_CLOSE = "</stream>";

/**
 * Writes event batches to a stream (stdout by default). `write` resolves when the stream's
 * write callback fired, i.e. the bytes left Node's buffers for the OS, so a checkpoint
 * committed afterwards never runs ahead of what splunkd received.
 */
/**
 * Small batches for stdout: each of the blobs in flight holds one while it waits for its write,
 * and batches of 500 events lived long enough to be promoted to V8's old generation (peak RSS
 * about 200 MB on 100,000 records against about 135 MB with these; docs/performance.md, P0).
 */
export const STDOUT_BATCH_LIMIT: BatchLimit = { events: 100, bytes: 128 * 1024 };

export class XmlEventWriter implements EventSink {
  readonly batchLimit = STDOUT_BATCH_LIMIT;
  private opened = false;
  private closed = false;
  /** Writes are chained so batches never interleave even if callers do not await. */
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}

  write(events: readonly SplunkEvent[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error("event stream already closed"));
    if (events.length === 0) return this.tail;
    const lines = events.map(formatEvent);
    if (!this.opened) {
      this.opened = true;
      lines[0] = STREAM_OPEN + "\n" + lines[0];
    }
    return this.enqueue(lines);
  }

  close(): Promise<void> {
    if (this.closed) return this.tail;
    this.closed = true;
    // Splunk accepts an empty run; an unopened stream stays empty rather than `<stream></stream>`.
    return this.opened ? this.enqueue([STREAM_CLOSE]) : this.tail;
  }

  private enqueue(lines: string[]): Promise<void> {
    const next = this.tail.then(() => writeLines(this.out, lines));
    // A failed write fails this batch and every later one (the stream is broken).
    this.tail = next;
    return next;
  }
}

/**
 * Writes each line and a LF as one corked (vectored) write. Profiled: joining a batch into one
 * string first cost more than all the formatting, because a single non-Latin-1 character turns
 * the whole joined string into two-byte text that must be copied and then UTF-8 encoded again;
 * with writev each line is encoded once, by itself. Resolves like `writeFully`.
 */
export function writeLines(out: NodeJS.WritableStream, lines: readonly string[]): Promise<void> {
  if (lines.length === 1) return writeFully(out, lines[0] + "\n");
  const writable = out as NodeJS.WritableStream & { cork?: () => void; uncork?: () => void };
  writable.cork?.();
  try {
    for (let i = 0; i < lines.length - 1; i++) out.write(lines[i] + "\n");
    return writeFully(out, lines[lines.length - 1] + "\n");
  } finally {
    writable.uncork?.();
  }
}

/** One write that resolves on its callback and, when the buffer is full, on 'drain' too. */
export function writeFully(out: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let written = false;
    let drained = true;
    const finish = (): void => {
      if (written && drained) resolve();
    };
    const onError = (err: Error): void => reject(err);
    out.once("error", onError);
    drained = out.write(text, (err?: Error | null) => {
      out.removeListener("error", onError);
      if (err) return reject(err);
      written = true;
      finish();
    });
    if (!drained) {
      out.once("drain", () => {
        drained = true;
        finish();
      });
    }
  });
}
