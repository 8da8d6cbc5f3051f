// P2 backlog drain, P3 memory, P4 API efficiency: the packaged input run through the splunkd
// harness (test/lib/world.ts) against the simulator with 100 ms added to every request and the
// 2,000 requests/minute quota enforced; and, for comparison, a TA-style schedule (1-hour
// slices, one request at a time) run in-process by our own collector on an identical tenant.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createActivityApi } from "../../src/api/factory";
import { collect } from "../../src/collector/collect";
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
import { testConfig } from "../../test/lib/testConfig";
import { startWorld, type World } from "../../test/lib/world";
import { watchPeakRss } from "./proc";

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
  /** Peak RSS of a run with nothing new to collect. */
  idlePeakRssMb: number;
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
  let records = 0;
  const started = process.hrtime.bigint();
  const handle = world.start("bench", { collectEvents: false, onEvent: () => records++ });
  const rss = watchPeakRss(handle.pid);
  const exit = await handle.exited;
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peakRssMb = rss.stop();
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
    records,
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
  const logger = createLogger(() => undefined);
  const api = createActivityApi(config, { clientSecret: DEFAULT_CLIENT_SECRET }, logger, { http: { ca: world.sim.caPem } });
  let records = 0;
  const sink: EventSink = {
    write: async (events: readonly SplunkEvent[]) => void (records += events.length),
    close: async () => undefined,
  };
  const from = world.sim.requestLog.length;
  const started = process.hrtime.bigint();
  try {
    const result = await collect({
      config,
      api,
      sink,
      logger,
      checkpointDir: dir,
      signal: new AbortController().signal,
      windowSettings: { ...DEFAULT_WINDOW_SETTINGS, maxWindowMs: HOUR_MS },
    });
    if (result.fatal) throw new Error(`TA-style run failed: ${result.fatal.message}`);
  } finally {
    await api.close();
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

export async function benchDrain(quick: boolean, log: (line: string) => void): Promise<DrainFigures> {
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
      idlePeakRssMb: idle.peakRssMb,
      steady,
    };
  } finally {
    await world.close();
  }
}
