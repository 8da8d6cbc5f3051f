// A stand-in for Splunk's HTTP Event Collector on loopback HTTPS, for the standalone
// collector's tests, the demo and the bench. It answers as docs/reference/hec.md describes:
// token check (2: codes 1-4), gzip bodies (4.1), the JSON event protocol with concatenated
// objects (1.2; codes 5, 6, 12, 13), channels required when the token has acknowledgement on
// (3.2; codes 10, 11), an ackId per accepted request counted per channel (3.3), ack queries
// that turn true once the events are "indexed" (3.4; code 14 when ack is off), and 503
// "Server is busy" (code 9) / 429 on demand. It holds what it indexed and a request log.
// It imports no product code: the answers are the literal table of hec.md section 2.
import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { createTlsMaterial } from "../simulator/certificates";
import { mulberry32 } from "../lib/seededRandom";

/** hec.md section 2, as HEC words it. */
const ANSWERS = {
  success: [200, 0, "Success"],
  tokenDisabled: [403, 1, "Token disabled"],
  tokenRequired: [401, 2, "Token is required"],
  invalidAuthorization: [401, 3, "Invalid authorization"],
  invalidToken: [403, 4, "Invalid token"],
  noData: [400, 5, "No data"],
  invalidDataFormat: [400, 6, "Invalid data format"],
  incorrectIndex: [400, 7, "Incorrect index"],
  busy: [503, 9, "Server is busy"],
  channelMissing: [400, 10, "Data channel is missing"],
  invalidChannel: [400, 11, "Invalid data channel"],
  eventRequired: [400, 12, "Event field is required"],
  eventBlank: [400, 13, "Event field cannot be blank"],
  ackDisabled: [400, 14, "ACK is disabled"],
} as const satisfies Record<string, readonly [number, number, string]>;
type Answer = keyof typeof ANSWERS;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface TokenOptions {
  /** Indexer acknowledgement on (useACK). Default true. */
  ack?: boolean;
  disabled?: boolean;
  /** Allowed indexes; empty = any. */
  indexes?: string[];
}

export interface HecFaults {
  /** Answer 503 "Server is busy" to this share (0..1) of event POSTs, or to the next `busyCount`. */
  busyRate?: number;
  busyCount?: number;
  /** Answer 429 (a load balancer's throttle) to the next this many event POSTs. */
  throttleCount?: number;
  /** Share (0..1) of accepted requests whose events are indexed but whose ack never turns true. */
  dropAckRate?: number;
  /** Share (0..1) of accepted requests whose events are lost before indexing (ack never true). */
  loseRate?: number;
}

export interface HecOptions {
  /** token -> settings; default one token `HEC_TOKEN` with ack on. */
  tokens?: Record<string, TokenOptions>;
  /** ms from acceptance until the events are indexed (and their ack true): a number or a draw. */
  indexDelayMs?: number | (() => number);
  faults?: HecFaults;
  seed?: number;
}

export interface IndexedEvent {
  /** The `event` value: for our collector, the record's JSON text (a string). */
  event: unknown;
  time?: number;
  host?: string;
  source?: string;
  sourcetype?: string;
  index?: string;
  channel?: string;
  ackId?: number;
}

export interface HecLogEntry {
  path: string;
  status: number;
  code?: number;
  channel?: string;
  ackId?: number;
  /** Events in an accepted or refused event POST. */
  events: number;
  gzip: boolean;
  /** Ack Ids asked about / answered true (ack POSTs). */
  asked?: number[];
  acked?: number[];
  /** What the stand-in did to this request beyond the protocol (a fault). */
  fault?: "busy" | "throttle" | "drop_ack" | "lose";
  at: number;
}

export interface HecStandIn {
  readonly url: string;
  readonly caFile: string;
  readonly token: string;
  /** Events indexed so far (what a search would find). */
  readonly indexed: IndexedEvent[];
  readonly requestLog: HecLogEntry[];
  setFaults(faults: HecFaults): void;
  close(): Promise<void>;
}

export const HEC_TOKEN = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";


/** Splits concatenated JSON objects (hec.md 1.2); undefined when the text is not that. */
export function splitObjects(text: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (i >= text.length) break;
    if (text[i] !== "{") return undefined;
    let depth = 0;
    let inString = false;
    let j = i;
    for (; j < text.length; j++) {
      const c = text[j];
      if (inString) {
        if (c === "\\") j++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) break;
      }
    }
    if (depth !== 0) return undefined;
    out.push(text.slice(i, j + 1));
    i = j + 1;
  }
  return out;
}

export async function startHec(options: HecOptions = {}): Promise<HecStandIn> {
  const tls = await createTlsMaterial();
  const dir = mkdtempSync(join(tmpdir(), "defender-o365-hec-"));
  const caFile = join(dir, "ca.pem");
  writeFileSync(caFile, tls.caPem);
  const tokens = options.tokens ?? { [HEC_TOKEN]: { ack: true } };
  const random = mulberry32(options.seed ?? 7);
  let faults: HecFaults = { ...options.faults };
  const indexed: IndexedEvent[] = [];
  const requestLog: HecLogEntry[] = [];
  /** channel -> next ackId and the Ids whose events are indexed. */
  const channels = new Map<string, { next: number; done: Set<number> }>();
  const timers = new Set<NodeJS.Timeout>();
  const delay = (): number => (typeof options.indexDelayMs === "function" ? options.indexDelayMs() : (options.indexDelayMs ?? 50));

  const reply = (res: ServerResponse, answer: Answer, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): number => {
    const [status, code, text] = ANSWERS[answer];
    res.writeHead(status, { "Content-Type": "application/json; charset=UTF-8", ...headers });
    res.end(JSON.stringify({ text, code, ...extra }));
    return status;
  };

  async function readBody(req: IncomingMessage): Promise<{ text: string; gzip: boolean } | undefined> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const gzip = (req.headers["content-encoding"] ?? "").toLowerCase() === "gzip";
    try {
      return { text: (gzip ? gunzipSync(raw) : raw).toString("utf8"), gzip };
    } catch {
      return undefined;
    }
  }

  /** The token check every endpoint makes first (hec.md 1.1, codes 1-4). */
  function authorize(req: IncomingMessage): { answer?: Answer; token?: TokenOptions } {
    const header = req.headers.authorization;
    if (!header) return { answer: "tokenRequired" };
    const m = /^Splunk\s+(\S+)$/.exec(header);
    if (!m) return { answer: "invalidAuthorization" };
    const token = tokens[m[1]];
    if (!token) return { answer: "invalidToken" };
    if (token.disabled) return { answer: "tokenDisabled" };
    return { token };
  }

  function channelOf(req: IncomingMessage): string | undefined {
    const header = req.headers["x-splunk-request-channel"];
    if (typeof header === "string" && header) return header;
    return new URL(req.url ?? "/", "https://x").searchParams.get("channel") ?? undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "https://x").pathname;
    const entry: HecLogEntry = { path, status: 0, events: 0, gzip: false, at: Date.now() };
    requestLog.push(entry);
    const body = await readBody(req);
    entry.gzip = body?.gzip ?? false;
    const done = (status: number, code?: number): void => {
      entry.status = status;
      entry.code = code;
    };
    const answer = (a: Answer, extra?: Record<string, unknown>, headers?: Record<string, string>): void => done(reply(res, a, extra, headers), ANSWERS[a][1]);
    if (req.method !== "POST" || (path !== "/services/collector/event" && path !== "/services/collector" && path !== "/services/collector/ack")) {
      res.writeHead(404, { "Content-Type": "application/json; charset=UTF-8" });
      res.end(JSON.stringify({ text: "The requested URL was not found on this server.", code: 404 }));
      return done(404);
    }
    const auth = authorize(req);
    if (auth.answer) return answer(auth.answer);
    const ack = auth.token?.ack ?? true;
    const channel = channelOf(req);
    entry.channel = channel;
    if (ack && !channel) return answer("channelMissing");
    if (channel && !GUID.test(channel)) return answer("invalidChannel");
    if (!body) return answer("invalidDataFormat");

    if (path === "/services/collector/ack") {
      if (!ack) return answer("ackDisabled");
      let asked: number[];
      try {
        const parsed = JSON.parse(body.text) as { acks?: unknown };
        if (!Array.isArray(parsed.acks) || !parsed.acks.every((n) => Number.isInteger(n))) return answer("invalidDataFormat");
        asked = parsed.acks as number[];
      } catch {
        return answer("invalidDataFormat");
      }
      const state = channels.get(channel!);
      const acks = Object.fromEntries(asked.map((id) => [String(id), state?.done.has(id) ?? false]));
      entry.asked = asked;
      entry.acked = asked.filter((id) => acks[String(id)]);
      res.writeHead(200, { "Content-Type": "application/json; charset=UTF-8" });
      res.end(JSON.stringify({ acks }));
      return done(200);
    }

    // Busy and throttle come before the body is read into events, as HEC's queues are full.
    if ((faults.busyCount ?? 0) > 0 || (faults.busyRate && random() < faults.busyRate)) {
      if (faults.busyCount) faults.busyCount--;
      entry.fault = "busy";
      return answer("busy");
    }
    if ((faults.throttleCount ?? 0) > 0) {
      faults.throttleCount!--;
      entry.fault = "throttle";
      res.writeHead(429, { "Content-Type": "text/plain", "Retry-After": "1" });
      res.end("Too Many Requests");
      return done(429);
    }
    if (body.text.trim() === "") return answer("noData");
    const objects = splitObjects(body.text);
    if (!objects) return answer("invalidDataFormat");
    const events: IndexedEvent[] = [];
    for (let n = 0; n < objects.length; n++) {
      let value: Record<string, unknown>;
      try {
        value = JSON.parse(objects[n]) as Record<string, unknown>;
      } catch {
        return answer("invalidDataFormat", { "invalid-event-number": n });
      }
      if (!("event" in value)) return answer("eventRequired", { "invalid-event-number": n });
      if (value.event === "" || value.event === null) return answer("eventBlank", { "invalid-event-number": n });
      const index = typeof value.index === "string" ? value.index : undefined;
      const allowed = auth.token?.indexes ?? [];
      if (index && allowed.length > 0 && !allowed.includes(index)) return answer("incorrectIndex", { "invalid-event-number": n });
      events.push({
        event: value.event,
        time: typeof value.time === "number" ? value.time : undefined,
        host: value.host as string | undefined,
        source: value.source as string | undefined,
        sourcetype: value.sourcetype as string | undefined,
        index,
        channel,
      });
    }
    entry.events = events.length;
    if (!ack) {
      indexed.push(...events);
      return answer("success");
    }
    let state = channels.get(channel!);
    if (!state) channels.set(channel!, (state = { next: 0, done: new Set() }));
    const ackId = state.next++;
    entry.ackId = ackId;
    const fate = random();
    const lose = fate < (faults.loseRate ?? 0);
    const dropAck = !lose && fate < (faults.loseRate ?? 0) + (faults.dropAckRate ?? 0);
    if (lose) entry.fault = "lose";
    if (dropAck) entry.fault = "drop_ack";
    const held = state;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (lose) return;
      for (const e of events) indexed.push({ ...e, ackId });
      if (!dropAck) held.done.add(ackId);
    }, delay());
    timers.add(timer);
    return answer("success", { ackId });
  }

  const server: Server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    caFile,
    token: Object.keys(tokens)[0],
    indexed,
    requestLog,
    setFaults(next) {
      faults = { ...next };
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}
