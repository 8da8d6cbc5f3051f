// P2 backlog drain, P3 memory, P4 API efficiency: the packaged input run through the splunkd
// harness (test/lib/world.ts) against the simulator with 100 ms added to every request and the
// 2,000 requests/minute quota enforced; and, for comparison, a TA-style schedule (1-hour
// slices, one request at a time) run in-process by our own collector on an identical tenant.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULT_WINDOW_SETTINGS, HOUR_MS } from "../../src/collector/windows";
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_TENANT_ID,
  defaultTenant,
  generateTenant,
  type AuditRecord,
  type BacklogOptions,
  type RequestLogEntry,
} from "../../test/simulator";
import { API_KINDS } from "../../test/simulator/faults";
import type { SplunkEvent } from "../../src/splunk/event";
import type { EventSink } from "../../src/splunk/eventSink";
import { createLogger } from "../../src/splunk/logger";
import { runCollector } from "../../src/run";
import { testConfig } from "../../test/lib/testConfig";
import { startWorld, type World } from "../../test/lib/world";
import { fmt, int, type BenchContext, type BenchPart, type PartResult } from "./part";
import { watchProcess } from "./proc";

export const LATENCY_MS = 100;
export const QUOTA_PER_MINUTE = 2_000;
export const MAX_CONCURRENCY = 8;
/** A second tenant with the same backlog, so the TA-style run has its own quota. */
const TA_TENANT_ID = "5b1d2c3e-4f50-4a6b-8c7d-9e0f1a2b3c4d";

export interface DrainFigures {
  blobs: number;
  recordsPerBlob: number;
  ours: RunFigures;
  latencyBoundSeconds: number;
  quotaBoundSeconds: number;
  taStyle: { wallSeconds: number; records: number; requests: number };
  large: { blobMb: number; records: number; peakRssMb: number };
  /** A run with nothing new to collect. */
  idle: RunFigures;
  steady: { newBlobs: number; apiRequests: number; tokenRequests: number; redownloaded: number };
}

export interface RunFigures {
  wallSeconds: number;
  records: number;
  peakRssMb: number;
  apiRequests: number;
  pages: number;
  blobFetches: number;
  throttled: number;
  redownloaded: number;
}

const isApi = (e: RequestLogEntry): boolean => (API_KINDS as readonly string[]).includes(e.kind);

/** Runs the input once through the harness, counting events and sampling its peak RSS. */
async function measuredRun(world: World, fetched: Set<string>): Promise<RunFigures> {
  const from = world.sim.requestLog.length;
  const started = process.hrtime.bigint();
  // Counted, not parsed, in a reader process (test/harness/eventEndCounter.cjs): the harness's
  // JS parser would compete with the input for the CPUs, and a reader sharing this process's
  // event loop with the simulator would hold the pipe.
  const handle = world.start("bench", { collectEvents: false, stdout: "count" });
  const usage = watchProcess(handle.pid);
  const exit = await handle.exited;
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { peakRssMb } = usage.stop();
  if (exit.code !== 0) throw new Error(`bench input exited ${exit.code ?? exit.signal}: ${handle.logs.slice(-5).map((l) => l.raw).join("\n")}`);
  const log = world.sim.requestLog.slice(from).filter((e) => e.tenantId !== TA_TENANT_ID);
  let redownloaded = 0;
  for (const e of log) {
    if (e.kind !== "blob" || e.status !== 200 || !e.contentId) continue;
    if (fetched.has(e.contentId)) redownloaded++;
    fetched.add(e.contentId);
  }
  return {
    wallSeconds,
    records: handle.eventCount(),
    peakRssMb,
    apiRequests: log.filter(isApi).length,
    pages: log.filter((e) => e.kind === "content").length,
    blobFetches: log.filter((e) => e.kind === "blob").length,
    throttled: log.filter((e) => e.error === "AF429").length,
    redownloaded,
  };
}

/** The TA's schedule, run by our collector: 1-hour windows, one request at a time. */
async function taStyleRun(world: World, backfillHours: number): Promise<DrainFigures["taStyle"]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-ta-"));
  const config = testConfig({
    name: "ta_style",
    tenantId: TA_TENANT_ID,
    clientId: DEFAULT_CLIENT_ID,
    clientSecret: DEFAULT_CLIENT_SECRET,
    backfillHours,
    maxConcurrency: 1,
    apiUrl: world.sim.url,
    authorityUrl: world.sim.url,
  });
  let records = 0;
  const sink: EventSink = {
    write: async (events: readonly SplunkEvent[]) => void (records += events.length),
    close: async () => undefined,
  };
  const errors: string[] = [];
  const from = world.sim.requestLog.length;
  const started = process.hrtime.bigint();
  try {
    const code = await runCollector({
      config,
      secrets: { clientSecret: DEFAULT_CLIENT_SECRET },
      checkpointDir: dir,
      logger: createLogger((line) => void (line.startsWith("ERROR ") && errors.push(line))),
      sink,
      signal: new AbortController().signal,
      http: { ca: world.sim.caPem },
      windowSettings: { ...DEFAULT_WINDOW_SETTINGS, maxWindowMs: HOUR_MS },
    });
    if (code !== 0) throw new Error(`TA-style run failed: ${errors.join("; ")}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const requests = world.sim.requestLog.slice(from).filter((e) => e.tenantId === TA_TENANT_ID && isApi(e)).length;
  return { wallSeconds, records, requests };
}

/** Records in the generator's realistic shapes, for blobs published during the run. */
function freshRecords(count: number, seed: number): AuditRecord[] {
  const [blob] = generateTenant({ tenantId: DEFAULT_TENANT_ID, now: new Date(), days: 1 / 24, blobsPerHour: 1, recordsPerBlob: count, seed, contentTypes: ["Audit.General"] });
  return Array.from({ length: count }, (_, i) => JSON.parse(blob.records.text(i)) as AuditRecord);
}

export async function benchDrain({ quick, log }: BenchContext): Promise<DrainFigures> {
  const blobs = quick ? 200 : 2_000;
  const recordsPerBlob = 200;
  const backlog: BacklogOptions = { days: 1, blobsPerHour: blobs / 24, recordsPerBlob, seed: 24, contentTypes: ["Audit.General"] };
  const world = await startWorld({
    simulator: {
      tenants: [
        { ...defaultTenant(), backlog },
        { ...defaultTenant(), tenantId: TA_TENANT_ID, domains: [], backlog },
      ],
      quotaPerMinute: QUOTA_PER_MINUTE,
    },
    retryScale: 1,
  });
  try {
    // As the service does, serve stored content: made on demand, the records cost the
    // simulator's event loop 7-11 ms per blob (this process serves every request).
    const storing = Date.now();
    for (const tenant of [DEFAULT_TENANT_ID, TA_TENANT_ID]) world.sim.storeGenerated(tenant);
    log(`P2 backlog: ${blobs} blobs per tenant made and stored in ${((Date.now() - storing) / 1000).toFixed(1)} s`);
    world.sim.setFaults({ latencyMs: LATENCY_MS });
    world.addInput("bench", { backfill_hours: "25", max_concurrency: String(MAX_CONCURRENCY) });
    const fetched = new Set<string>();

    log(`P2 drain: ${blobs} blobs x ${recordsPerBlob} records, ${LATENCY_MS} ms per request, ${QUOTA_PER_MINUTE} requests/min`);
    const ours = await measuredRun(world, fetched);
    const latencyBoundSeconds = ((ours.pages + Math.ceil(ours.blobFetches / MAX_CONCURRENCY)) * LATENCY_MS) / 1000;
    const quotaBoundSeconds = Math.floor((ours.apiRequests - 1) / QUOTA_PER_MINUTE) * 60;
    log(`P2 ours: ${ours.wallSeconds.toFixed(1)} s, ${ours.records} records, ${ours.apiRequests} API requests, peak RSS ${ours.peakRssMb.toFixed(0)} MB`);
    // The same input with nothing new to collect: its memory is the floor every run pays.
    const idle = await measuredRun(world, fetched);
    log(`P3 idle run (nothing new): peak RSS ${idle.peakRssMb.toFixed(0)} MB`);

    log("P2 TA-style schedule (1-hour slices, one at a time)...");
    const taStyle = await taStyleRun(world, 25);
    log(`P2 TA-style: ${taStyle.wallSeconds.toFixed(1)} s, ${taStyle.records} records`);

    // P4 steady state: new blobs between runs, as a busy tenant produces them.
    const rounds = quick ? 2 : 4;
    const perRound = quick ? 40 : 100;
    const steady = { newBlobs: 0, apiRequests: 0, tokenRequests: 0, redownloaded: 0 };
    for (let r = 0; r < rounds; r++) {
      const createdAt = new Date(world.sim.now() - 5 * 60_000);
      for (let b = 0; b < perRound; b++) world.sim.publish(DEFAULT_TENANT_ID, "Audit.General", freshRecords(20, 1000 * r + b), { contentCreated: createdAt });
      const from = world.sim.requestLog.length;
      const run = await measuredRun(world, fetched);
      steady.newBlobs += perRound;
      steady.apiRequests += run.apiRequests;
      steady.redownloaded += run.redownloaded;
      steady.tokenRequests += world.sim.requestLog.slice(from).filter((e) => e.kind === "token").length;
    }
    log(`P4 steady: ${steady.apiRequests} API requests for ${steady.newBlobs} new blobs, ${steady.redownloaded} re-downloaded`);

    // P3: one very large blob.
    const blobBytes = quick ? 20e6 : 100e6;
    world.sim.publishLarge(DEFAULT_TENANT_ID, "Audit.General", blobBytes, { contentCreated: new Date(world.sim.now() - 5 * 60_000) });
    const large = await measuredRun(world, fetched);
    log(`P3 large blob: ${(blobBytes / 1e6).toFixed(0)} MB, ${large.records} records, peak RSS ${large.peakRssMb.toFixed(0)} MB`);

    return {
      blobs,
      recordsPerBlob,
      ours,
      latencyBoundSeconds,
      quotaBoundSeconds,
      taStyle,
      large: { blobMb: blobBytes / 1e6, records: large.records, peakRssMb: large.peakRssMb },
      idle,
      steady,
    };
  } finally {
    await world.close();
  }
}

export function drainRows(d: DrainFigures): PartResult {
  const bound = Math.max(d.latencyBoundSeconds, d.quotaBoundSeconds);
  return {
    rows: [
      {
        id: "P2",
        figure: `drain ${int(d.blobs)} x ${d.recordsPerBlob} records: wall / bound`,
        measured: `${fmt(d.ours.wallSeconds / bound)}x (${fmt(d.ours.wallSeconds, 1)} s / ${fmt(bound, 1)} s)`,
        target: "<= 1.1x",
        pass: d.ours.wallSeconds <= 1.1 * bound && d.ours.records > 0,
      },
      {
        id: "P2b",
        figure: "TA-style schedule (1-h slices, 1 at a time) / ours",
        measured: `${fmt(d.taStyle.wallSeconds / d.ours.wallSeconds, 1)}x slower (${fmt(d.taStyle.wallSeconds, 1)} s)`,
        target: "",
      },
      { id: "P3a", figure: `peak RSS, one ${int(d.large.blobMb)} MB blob`, measured: `${int(d.large.peakRssMb)} MB`, target: "<= 200 MB", pass: d.large.peakRssMb <= 200 },
      { id: "P3b", figure: "peak RSS over the P2 drain", measured: `${int(d.ours.peakRssMb)} MB`, target: "<= 130 MB", pass: d.ours.peakRssMb <= 130 },
      { id: "P3c", figure: "peak RSS of a run with nothing new (floor)", measured: `${int(d.idle.peakRssMb)} MB`, target: "" },
      { id: "P3d", figure: "wall time of a run with nothing new", measured: `${fmt(d.idle.wallSeconds)} s (${d.idle.apiRequests} API requests)`, target: "" },
      {
        id: "P4a",
        figure: "API requests per new blob, steady state",
        measured: `${fmt(d.steady.apiRequests / d.steady.newBlobs, 3)} (${d.steady.apiRequests} / ${d.steady.newBlobs})`,
        target: "<= 1.05",
        pass: d.steady.apiRequests / d.steady.newBlobs <= 1.05,
      },
      {
        id: "P4b",
        figure: "blobs re-downloaded (drain + steady state)",
        measured: String(d.ours.redownloaded + d.steady.redownloaded),
        target: "0",
        pass: d.ours.redownloaded + d.steady.redownloaded === 0,
      },
    ],
    details: [
      `- **P2** ${int(d.blobs)} blobs x ${d.recordsPerBlob} records (24 h), ${LATENCY_MS} ms per request, ${int(QUOTA_PER_MINUTE)} requests/min, max_concurrency ${MAX_CONCURRENCY}: ` +
        `${int(d.ours.records)} records in ${fmt(d.ours.wallSeconds, 1)} s; ${int(d.ours.apiRequests)} API requests (${d.ours.pages} content pages, ${d.ours.blobFetches} blob GETs, ${d.ours.throttled} answered AF429). ` +
        `Bound = max(latency bound ${fmt(d.latencyBoundSeconds, 1)} s = (pages + ceil(blobs / 8)) x 100 ms, quota bound ${fmt(d.quotaBoundSeconds, 1)} s = floor((requests - 1) / 2,000) minutes). ` +
        `TA-style: ${int(d.taStyle.records)} records, ${int(d.taStyle.requests)} API requests.`,
      `- **P3** peak RSS sampled from /proc/<pid>/status VmHWM of the input process (the launcher execs node). Large blob: ${int(d.large.records)} records. ` +
        `Nothing new (P3c, P3d): the same input right after the drain, ${LATENCY_MS} ms per request.`,
      `- **P4** steady state: ${d.steady.newBlobs} new blobs published between runs (5 minutes old, as a busy tenant); ${d.steady.tokenRequests} token requests besides the API requests.`,
    ],
  };
}

export const drain: BenchPart = {
  name: "P2-P4",
  title: "P2 drain, P3 memory, P4 API efficiency (packaged input through the splunkd harness)",
  run: async (ctx) => drainRows(await benchDrain(ctx)),
};
