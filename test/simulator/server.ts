// The simulator's HTTPS server on 127.0.0.1: one listener for the Entra-like login endpoints
// and the Activity API, with fault injection, a request log and controls for tests.
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Writable } from "node:stream";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type { ContentType } from "./contentTypes";
import { createTlsMaterial } from "./certificates";
import { codingFor, compressor, compressSync, type Coding } from "./compression";
import { DEFAULT_BACKLOG, defaultTenant } from "./defaults";
import { type EntraContext, type HttpAnswer, openIdConfiguration, tokenRequest } from "./entra";
import { afError, type FeedContext, handleFeed, methodName, tooManyRequests } from "./feed";
import { FaultState, type Faults, type RequestKind } from "./faults";
import { GraphService, graphThrottled, type GraphOptions } from "./graph";
import { generateLargeBlob, generateTenant, type GeneratedBlob, type RecordSource } from "./generator/generate";
import { hashSeed, Rng } from "./generator/prng";
import type { AuditRecord } from "./generator/values";
import { SimTenant, type StoredBlob, type TenantOptions } from "./tenant";

export interface SimulatorOptions {
  /** Tenants to create (default: the default tenant of ./defaults). */
  tenants?: TenantOptions[];
  /** Items per content page before NextPageUri (default 100). */
  pageSize?: number;
  /** Requests per minute per tenant (Reference 4.2 baseline: 2,000). */
  quotaPerMinute?: number;
  /** Access-token lifetime (Entra: about an hour). */
  tokenLifetimeSeconds?: number;
  /** NextPageUri path version: `v1.0` (default) or `v1` as in the Reference's sample. */
  nextPagePathVersion?: "v1.0" | "v1";
  /** The server's clock (default Date.now); clockSkewSeconds is added to it. */
  clock?: () => number;
  /** Seed for fractional faults. */
  seed?: number;
  /** Microsoft Graph's audit log query API (./graph.ts): versions served, lifecycle, page size. */
  graph?: GraphOptions;
  port?: number;
}

export interface PublishOptions {
  /** contentCreated (default: now). A past value with visibleAfter now makes a late blob. */
  contentCreated?: Date;
  /** When the blob becomes listable (default: now). */
  visibleAfter?: Date;
  /** Also publish the same records in a second blob (the service duplicates by design). */
  duplicate?: boolean;
  /** Record i goes on the wire as this text instead of its JSON (a record that is not a JSON object). */
  rawTexts?: Readonly<Record<number, string>>;
}

export interface RequestLogEntry {
  /** Real time (not skewed), epoch ms. */
  time: number;
  /** The server's clock at that moment (skewed by `clockSkewSeconds`), epoch ms. */
  serverTime: number;
  method: string;
  path: string;
  query: Record<string, string>;
  kind: RequestKind;
  /** HTTP status; 0 when the socket was reset. */
  status: number;
  tenantId?: string;
  contentId?: string;
  publisherId?: string;
  /** AF code or Entra error of an error answer. */
  error?: string;
  /** Which injected fault shaped the answer. */
  fault?: string;
  /** The request's Accept-Encoding, and the Content-Encoding of the answer when compressed. */
  acceptEncoding?: string;
  contentEncoding?: Coding;
  /** The injected delay this request actually waited (ms, measured), when `latencyMs` was set. */
  latencyMs?: number;
}

export interface Simulator {
  /** https://127.0.0.1:<port>: use as both api_url and authority_url. */
  readonly url: string;
  /** PEM file of the simulator's CA, for NODE_EXTRA_CA_CERTS. */
  readonly caFile: string;
  readonly caPem: string;
  readonly requestLog: RequestLogEntry[];
  /** The Graph stand-in: its queries (spans asked, filters, polls) for assertions. */
  readonly graph: GraphService;
  addTenant(options: TenantOptions): void;
  /** Every record the simulator holds for the tenant (all blobs, visible or not), by Id. */
  records(tenantId: string, contentType?: ContentType): Map<string, AuditRecord>;
  /** The same set's Ids only (cheap at benchmark scale). */
  recordIds(tenantId: string, contentType?: ContentType): Set<string>;
  /** Adds a blob (two with `duplicate`) holding these records; returns the contentIds. */
  publish(tenantId: string, contentType: ContentType, records: AuditRecord[], options?: PublishOptions): string[];
  /** Adds one generated blob of about `bytes` bytes (streamed when served); returns its contentId. */
  publishLarge(tenantId: string, contentType: ContentType, bytes: number, options?: PublishOptions & { seed?: number }): string;
  /**
   * Makes every generated blob of the tenant hold its records' texts. The service serves stored
   * content; a generated blob makes its records when fetched, 7-11 ms of this process's event
   * loop per blob of 200 (measured on the P2 backlog), which paced a benchmark's drain.
   */
  storeGenerated(tenantId: string): void;
  /** Replaces the active faults ({} clears them); `expire` and `disableSubscription` act now. */
  setFaults(faults: Faults): void;
  /** The server's (possibly skewed) clock. */
  now(): number;
  tenant(tenantId: string): SimTenant | undefined;
  close(): Promise<void>;
}

const DEFAULT_TOKEN_LIFETIME = 3599;

/** Records held as their Ids and texts, as the service holds stored content. */
class StoredRecords implements RecordSource {
  constructor(
    private readonly ids: readonly string[],
    private readonly texts: readonly string[],
  ) {}
  get count(): number {
    return this.texts.length;
  }
  id(i: number): string {
    return this.ids[i];
  }
  text(i: number): string {
    return this.texts[i];
  }
}

function storedRecords(list: readonly AuditRecord[], raw: Readonly<Record<number, string>> = {}): StoredRecords {
  return new StoredRecords(
    list.map((r) => String(r.Id)),
    list.map((r, i) => raw[i] ?? JSON.stringify(r)),
  );
}

/** A published raw text (rawTexts) rather than a record's JSON. */
function isRaw(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return v === null || typeof v !== "object" || Array.isArray(v);
  } catch {
    return true;
  }
}

function parseQuery(search: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of search) out[k] = v;
  return out;
}

async function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error("request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Resolves when the stream can take more data, or has closed (removing both listeners). */
function drained(res: Writable): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve();
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

type BlobMode = "whole" | "truncate-abort" | "truncate-end" | "garbled";

/**
 * Streams a blob as a JSON array, record by record, never holding the whole body; with a
 * coding, through a streaming compressor (a cut blob is cut after what was compressed so far).
 */
async function streamBlob(res: ServerResponse, records: RecordSource, mode: BlobMode, coding: Coding | undefined): Promise<void> {
  const zip = coding ? compressor(coding) : undefined;
  zip?.pipe(res);
  const out: Writable = zip ?? res;
  const cut = mode.startsWith("truncate") ? Math.floor(records.count / 2) : -1;
  let pending = "[";
  for (let i = 0; i < records.count && !res.destroyed; i++) {
    const text = records.text(i);
    if (i === cut) {
      out.write(pending + (i > 0 ? "," : "") + text.slice(0, Math.ceil(text.length / 2)));
      if (mode === "truncate-end") out.end();
      else if (zip) zip.flush(() => setImmediate(() => res.destroy()));
      else res.destroy();
      return;
    }
    pending += (i > 0 ? "," : "") + text;
    if (mode === "garbled" && i === 0) pending += ',{"Id":"garbled"<html><body>Service Unavailable</body></html>';
    if (pending.length >= 1 << 16) {
      if (!out.write(pending)) await drained(out);
      pending = "";
    }
  }
  if (!res.destroyed) out.end(pending + "]");
}

interface Route {
  kind: RequestKind;
  tenantRef?: string;
  operation?: string;
  contentId?: string;
}

const GRAPH_PATH = ["security", "auditLog", "queries"];

function graphKind(method: string, rest: string[]): RequestKind {
  if (rest.length === 0) return method === "POST" ? "graph_create" : "graph_list";
  return rest[1] === "records" ? "graph_records" : "graph_get";
}

function route(method: string, segments: string[]): Route {
  const [first, second, third, fourth] = segments;
  if (GRAPH_PATH.every((s, i) => segments[i + 1] === s)) return { kind: graphKind(method, segments.slice(4)), operation: "graph" };
  if (first === "api" && (second === "v1.0" || second === "v1") && fourth === "activity" && segments[4] === "feed") {
    const rest = segments.slice(5);
    const operation = rest.join("/");
    if (rest[0] === "audit") return { kind: "blob", tenantRef: third, operation, contentId: rest.slice(1).join("/") };
    const kinds: Record<string, RequestKind> = { "subscriptions/start": "start", "subscriptions/stop": "stop", "subscriptions/list": "list", "subscriptions/content": "content" };
    return { kind: kinds[operation] ?? "other", tenantRef: third, operation };
  }
  const path = segments.slice(1).join("/");
  if (method === "GET" && (path === "v2.0/.well-known/openid-configuration" || path === ".well-known/openid-configuration")) return { kind: "openid", tenantRef: first };
  if (method === "POST" && path === "oauth2/v2.0/token") return { kind: "token", tenantRef: first };
  if (method === "GET" && path === "discovery/v2.0/keys") return { kind: "openid", tenantRef: first, operation: "keys" };
  return { kind: "other" };
}

function errorCode(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  if (typeof error === "string") return (body as { error_codes?: number[] }).error_codes?.map((c) => `AADSTS${c}`)[0] ?? error;
  if (typeof error === "object" && error !== null) return String((error as { code?: unknown }).code);
  return undefined;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const tls = await createTlsMaterial();
  const dir = mkdtempSync(join(tmpdir(), "defender-o365-sim-"));
  const caFile = join(dir, "ca.pem");
  writeFileSync(caFile, tls.caPem);

  const clock = options.clock ?? Date.now;
  const tokenKey = randomBytes(32);
  const tenants = new Map<string, SimTenant>();
  const requestLog: RequestLogEntry[] = [];
  const seed = options.seed ?? 1;
  let faults = new FaultState({}, seed);
  let publishSerial = 0;
  let url = "";
  const graph = new GraphService(options.graph);

  const now = (): number => clock() + faults.clockSkewMs;
  const findTenant = (ref: string): SimTenant | undefined => {
    const key = ref.toLowerCase();
    return tenants.get(key) ?? [...tenants.values()].find((t) => t.domains.includes(key));
  };
  const tenantOrThrow = (id: string): SimTenant => {
    const tenant = tenants.get(id.toLowerCase());
    if (!tenant) throw new Error(`unknown tenant ${id}`);
    return tenant;
  };

  function addGenerated(tenant: SimTenant, blob: GeneratedBlob, visibleAt = blob.created): StoredBlob {
    return tenant.addBlob({ contentType: blob.contentType, contentId: blob.contentId, created: blob.created, visibleAt, records: blob.records });
  }

  function addTenant(opts: TenantOptions): void {
    const tenant = new SimTenant(opts, options.quotaPerMinute ?? 2000);
    if (tenants.has(tenant.id)) throw new Error(`tenant ${tenant.id} exists`);
    tenants.set(tenant.id, tenant);
    const backlog = opts.backlog ?? DEFAULT_BACKLOG;
    if (backlog) {
      for (const blob of generateTenant({ ...backlog, tenantId: tenant.id, now: new Date(now()) })) addGenerated(tenant, blob);
    }
  }

  function send(res: ServerResponse, entry: RequestLogEntry, answer: HttpAnswer, coding?: Coding): void {
    entry.status = answer.status;
    if (answer.status >= 400) entry.error = errorCode(answer.body);
    const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
    const body = coding ? compressSync(coding, text) : Buffer.from(text);
    if (coding) entry.contentEncoding = coding;
    res.writeHead(answer.status, {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Length": body.length,
      Date: new Date(now()).toUTCString(),
      ...(coding ? { "Content-Encoding": coding } : {}),
      ...answer.headers,
    });
    res.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parsed = new URL(req.url ?? "/", "https://127.0.0.1");
    const method = req.method ?? "GET";
    const segments = parsed.pathname.split("/").filter((s) => s !== "");
    const r = route(method, segments);
    const query = parseQuery(parsed.searchParams);
    const lowerQuery = new Map(Object.entries(query).map(([k, v]) => [k.toLowerCase(), v]));
    const entry: RequestLogEntry = { time: Date.now(), serverTime: now(), method, path: parsed.pathname, query, kind: r.kind, status: 0, tenantId: r.tenantRef, publisherId: lowerQuery.get("publisheridentifier") };
    if (req.headers["accept-encoding"] !== undefined) entry.acceptEncoding = req.headers["accept-encoding"];
    requestLog.push(entry);
    const body = await readBody(req);
    const active = faults;
    if (active.faults.latencyMs) {
      const started = Date.now();
      await new Promise((resolve) => setTimeout(resolve, active.faults.latencyMs));
      entry.latencyMs = Date.now() - started;
    }
    if (active.fires("resets", r.kind)) {
      entry.fault = "reset";
      req.socket.destroy();
      return;
    }
    if (active.fires("throttle", r.kind)) {
      entry.fault = "throttle";
      const t = active.faults.throttle;
      if (r.operation === "graph") return send(res, entry, graphThrottled(t?.retryAfterSeconds));
      return send(res, entry, tooManyRequests(methodName(r.operation ?? ""), entry.publisherId, t?.status ?? 403, t?.retryAfterSeconds));
    }
    if (active.fires("internalErrors", r.kind)) {
      entry.fault = "internalError";
      return send(res, entry, afError(500, "AF50000", "An internal error occurred. Retry the request."));
    }
    const tokenLifetimeSeconds = active.faults.tokenLifetimeSeconds ?? options.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME;
    const entra: EntraContext = { baseUrl: url, now: now(), tokenKey, tokenLifetimeSeconds, findTenant };
    if (r.kind === "openid") {
      return send(res, entry, r.operation === "keys" ? { status: 200, body: { keys: [] } } : openIdConfiguration(entra, r.tenantRef ?? ""));
    }
    if (r.kind === "token") return send(res, entry, tokenRequest(entra, r.tenantRef ?? "", new URLSearchParams(body)));
    if (r.operation === "graph") {
      const graphContext = {
        baseUrl: url,
        now: now(),
        tokenKey,
        records: (id: string) => (tenants.has(id) ? [...uniqueRecords(id).values()] : undefined),
        failThisQuery: () => {
          const fires = active.fires("failedQueries", r.kind);
          if (fires) entry.fault = "failedQuery";
          return fires;
        },
        garbleThisPage: () => {
          const fires = active.fires("garbledGraphPages", r.kind);
          if (fires) entry.fault = "garbledPage";
          return fires;
        },
      };
      const answer = graph.handle(graphContext, { method, version: segments[0], rest: segments.slice(4), query: parsed.searchParams, authorization: req.headers.authorization, body });
      return send(res, entry, answer);
    }
    if (r.tenantRef === undefined || r.operation === undefined) {
      return send(res, entry, afError(404, "NotFound", `No resource matches ${method} ${parsed.pathname}.`));
    }
    let contentId = r.contentId;
    if (contentId !== undefined) {
      try {
        contentId = decodeURIComponent(contentId);
      } catch {
        return send(res, entry, afError(400, "AF20052", `The content ID in the URL is invalid: ${contentId}.`));
      }
      entry.contentId = contentId;
    }
    const feed: FeedContext = {
      baseUrl: url,
      now: now(),
      tokenKey,
      pageSize: options.pageSize ?? 100,
      nextPagePathVersion: options.nextPagePathVersion ?? "v1.0",
      loopNextPage: () => {
        const fires = active.fires("nextPageLoop", r.kind);
        if (fires) entry.fault = "nextPageLoop";
        return fires;
      },
      tenant: (id) => tenants.get(id),
    };
    const operation = contentId !== undefined ? `audit/${contentId}` : r.operation;
    const answer = handleFeed(feed, {
      method,
      tenantRef: r.tenantRef,
      operation,
      query: (name) => lowerQuery.get(name.toLowerCase()),
      authorization: req.headers.authorization,
      body,
    });
    const coding = codingFor(active.faults.compress, r.kind, req);
    if (!("blob" in answer)) return send(res, entry, answer, answer.status < 300 ? coding : undefined);
    let mode: BlobMode = "whole";
    if (active.fires("truncatedBlobs", r.kind)) mode = active.faults.truncatedBlobs?.mode === "end" ? "truncate-end" : "truncate-abort";
    else if (active.fires("garbledBlobs", r.kind) || (contentId !== undefined && active.faults.brokenBlobs?.includes(contentId))) mode = "garbled";
    if (mode !== "whole") entry.fault = mode;
    entry.status = 200;
    if (coding) entry.contentEncoding = coding;
    res.writeHead(200, { "Content-Type": "application/json; charset=utf-8", Date: new Date(now()).toUTCString(), ...(coding ? { "Content-Encoding": coding } : {}) });
    await streamBlob(res, answer.blob.records, mode, coding);
  }

  const server: Server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "Content-Type": "application/json; charset=utf-8" });
        res.end(JSON.stringify({ error: { code: "AF50000", message: String(err) } }));
      } else {
        res.destroy();
      }
    });
  });
  server.listen(options.port ?? 0, "127.0.0.1");
  await once(server, "listening");
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const t of options.tenants ?? [defaultTenant()]) addTenant(t);

  function publishBlob(tenant: SimTenant, contentType: ContentType, records: RecordSource, opts: PublishOptions): string {
    const current = now();
    const created = opts.contentCreated?.getTime() ?? current;
    const serial = 500_000 + publishSerial++;
    const contentId = `${new Date(created).toISOString().replace(/\D/g, "").slice(0, 17)}${serial}$${new Rng(hashSeed(tenant.id, serial)).hex(8)}$${contentType.replace(".", "_").toLowerCase()}$${contentType.replace(".", "_")}$na0030`;
    tenant.addBlob({ contentType, contentId, created, visibleAt: opts.visibleAfter?.getTime() ?? current, records });
    return contentId;
  }

  function uniqueRecords(tenantId: string, contentType?: ContentType): Map<string, AuditRecord> {
    const out = new Map<string, AuditRecord>();
    for (const blob of tenantOrThrow(tenantId).allBlobs(contentType)) {
      for (let i = 0; i < blob.records.count; i++) {
        const id = blob.records.id(i);
        if (!out.has(id) && !isRaw(blob.records.text(i))) out.set(id, JSON.parse(blob.records.text(i)) as AuditRecord);
      }
    }
    return out;
  }

  return {
    url,
    caFile,
    caPem: tls.caPem,
    requestLog,
    graph,
    addTenant,
    now,
    tenant: (id) => tenants.get(id.toLowerCase()),
    records: uniqueRecords,
    recordIds(tenantId, contentType) {
      const out = new Set<string>();
      for (const blob of tenantOrThrow(tenantId).allBlobs(contentType)) {
        for (let i = 0; i < blob.records.count; i++) out.add(blob.records.id(i));
      }
      return out;
    },
    publish(tenantId, contentType, records, opts = {}) {
      const tenant = tenantOrThrow(tenantId);
      const source = storedRecords(records, opts.rawTexts);
      const ids = [publishBlob(tenant, contentType, source, opts)];
      if (opts.duplicate) ids.push(publishBlob(tenant, contentType, source, opts));
      return ids;
    },
    storeGenerated(tenantId) {
      for (const blob of tenantOrThrow(tenantId).allBlobs()) {
        const { records } = blob;
        if (records instanceof StoredRecords) continue;
        blob.records = new StoredRecords(
          Array.from({ length: records.count }, (_, i) => records.id(i)),
          Array.from({ length: records.count }, (_, i) => records.text(i)),
        );
      }
    },
    publishLarge(tenantId, contentType, bytes, opts = {}) {
      const tenant = tenantOrThrow(tenantId);
      const created = opts.contentCreated ?? new Date(now());
      const blob = generateLargeBlob({ tenantId: tenant.id, contentType, created, bytes, seed: opts.seed ?? 7 });
      return publishBlob(tenant, contentType, blob.records, { ...opts, contentCreated: created });
    },
    setFaults(next) {
      faults = new FaultState(next, seed);
      const current = now();
      for (const tenant of tenants.values()) {
        for (const id of next.expire ?? []) {
          const blob = tenant.blob(id);
          if (blob) blob.expired = true;
        }
        for (const ct of next.disableSubscription ?? []) tenant.disable(ct, current);
      }
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, "close").catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
