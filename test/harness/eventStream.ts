// Parses a modular input's stdout as splunkd does in xml streaming mode
// (docs/reference/splunk-platform.md 1.6): `<stream>` holding `<event stanza=… unbroken=…>` elements
// with time, source, sourcetype, index, host, data and `<done/>`. Incremental (chunks as they
// arrive) and strict (saxes, well-formedness per XML 1.0): any malformation is reported as an error.
import { spawn } from "node:child_process";
import * as path from "node:path";
import type { Writable } from "node:stream";
import { SaxesParser } from "saxes";

export interface StreamEvent {
  stanza: string;
  unbroken: boolean;
  done: boolean;
  /** Epoch seconds, undefined when the event had no <time>. */
  time?: number;
  source?: string;
  sourcetype?: string;
  index?: string;
  host?: string;
  data: string;
}

const FIELDS = ["time", "source", "sourcetype", "index", "host", "data"] as const;
type Field = (typeof FIELDS)[number];

export class EventStreamParser {
  private readonly parser = new SaxesParser({ fileName: "stdout" });
  private current?: { event: StreamEvent; field?: Field; text: string; time?: string };
  private depth = 0;
  /** Saw `<stream>` / `</stream>`. */
  opened = false;
  closed = false;
  /** The first malformation, if any (the parser stops reporting after it). */
  error?: Error;

  constructor(private readonly onEvent: (e: StreamEvent) => void) {
    this.parser.on("error", (err) => {
      this.error ??= err;
    });
    this.parser.on("opentag", (tag) => this.open(tag.name, tag.attributes as Record<string, string>));
    this.parser.on("closetag", () => this.close());
    this.parser.on("text", (t) => this.text(t));
    this.parser.on("cdata", (t) => this.text(t));
  }

  private fail(message: string): void {
    this.error ??= new Error(`event stream: ${message}`);
  }

  private open(name: string, attrs: Record<string, string>): void {
    this.depth++;
    if (this.depth === 1) {
      if (name !== "stream") this.fail(`root element <${name}>, expected <stream>`);
      this.opened = true;
    } else if (this.depth === 2) {
      if (name !== "event") return this.fail(`<${name}> inside <stream>, expected <event>`);
      if (!attrs.stanza) this.fail("<event> without a stanza attribute");
      this.current = { event: { stanza: attrs.stanza ?? "", unbroken: attrs.unbroken === "1", done: false, data: "" }, text: "" };
    } else if (this.depth === 3 && this.current) {
      if (name === "done") this.current.event.done = true;
      else if ((FIELDS as readonly string[]).includes(name)) {
        this.current.field = name as Field;
        this.current.text = "";
      } else this.fail(`unknown element <${name}> in <event>`);
    } else this.fail(`unexpected <${name}> at depth ${this.depth}`);
  }

  private text(t: string): void {
    if (this.current?.field) this.current.text += t;
    else if (t.trim() !== "") this.fail(`text outside an event field: ${JSON.stringify(t.slice(0, 40))}`);
  }

  private close(): void {
    this.depth--;
    const cur = this.current;
    if (this.depth === 0) this.closed = true;
    else if (this.depth === 1 && cur) {
      this.current = undefined;
      this.onEvent(cur.event);
    } else if (this.depth === 2 && cur?.field) {
      if (cur.field === "time") {
        const t = Number(cur.text);
        if (!/^\d+(\.\d{1,3})?$/.test(cur.text) || !Number.isFinite(t)) this.fail(`bad <time> ${JSON.stringify(cur.text)}`);
        cur.event.time = t;
      } else cur.event[cur.field] = cur.text;
      cur.field = undefined;
    }
  }

  write(chunk: string): void {
    if (this.error) return;
    this.parser.write(chunk);
  }

  /** Ends the document. `complete` false (e.g. after a kill) accepts a stream cut short. */
  end(complete = true): void {
    if (this.error || !complete || !this.opened) return;
    this.parser.close();
  }
}

/** A whole stream at once: its events, or the first malformation thrown. */
export function parseEventStream(xml: string): StreamEvent[] {
  const events: StreamEvent[] = [];
  const parser = new EventStreamParser((e) => events.push(e));
  parser.write(xml);
  parser.end(true);
  if (parser.error) throw parser.error;
  if (!parser.closed) throw new Error("event stream: </stream> missing");
  return events;
}

export interface CountedStream {
  count: number;
  bytes: number;
}

/**
 * Counts `</event>` in a stream without parsing it, for benchmarks (the strict parser above
 * reads about 30 MB/s, slower than the program under test), in a process of its own
 * (eventEndCounter.cjs says why). Give `input` to a child as its stdout; `counted` resolves once
 * every writer of the pipe closed it.
 */
export function startEventCounter(): { input: Writable; counted: Promise<CountedStream> } {
  const reader = spawn(process.execPath, [path.join(__dirname, "eventEndCounter.cjs")], { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  reader.stdout!.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  const counted = new Promise<CountedStream>((resolve, reject) => {
    reader.on("error", reject);
    reader.on("close", (code) => {
      try {
        if (code !== 0) throw new Error(`exited ${code}`);
        resolve(JSON.parse(out) as CountedStream);
      } catch (err) {
        reject(new Error(`event counter: ${(err as Error).message}: ${out.slice(0, 200)}`));
      }
    });
  });
  return { input: reader.stdin!, counted };
}
