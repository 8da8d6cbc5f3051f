// P0 end to end: the packaged launcher run through the splunkd harness (test/lib/world.ts) against
// the simulator on loopback, beside the bare fetch-parse-write script (bareWorker.ts) on the same
// simulator, in the same run. Rounds alternate the two (ABBA, so neither always runs on a warmer
// machine); each side reports its min and median wall time and peak RSS. The warm-up run of each
// side has its stdout parsed strictly (100,000 well-formed events); the timed runs only count
// `</event>`, because the harness's JS parser (~30 MB/s) would be the bottleneck of both.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { StringDecoder } from "node:string_decoder";
import * as esbuild from "esbuild";
import { DEFAULT_CLIENT_SECRET, DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID, defaultTenant, generateTenant, type AuditRecord, type RequestLogEntry } from "../../test/simulator";
import { EventStreamParser, startEventCounter } from "../../test/harness/eventStream";
import { startWorld, type World } from "../../test/lib/world";
import { fmt, int, median, type BenchContext, type BenchPart, type PartResult } from "./part";
import { watchProcess } from "./proc";

const CONTENT_TYPE = "Audit.General";
const RECORDS_PER_BLOB = 500;
const INPUT = "p0";

export interface P0Run {
  wallSeconds: number;
  peakRssMb: number;
  /** User + system CPU seconds of the process: less disturbed by other load than wall time. */
  cpuSeconds: number;
  records: number;
  /** From the spawn to the first request the simulator saw (token or OpenID discovery). */
  firstRequestMs: number;
  /** From the spawn to the first Activity API request. */
  firstApiRequestMs: number;
}

interface Side {
  runs: P0Run[];
}

const API_KINDS = new Set(["list", "start", "content", "blob"]);

/** The test set: `blobs` blobs of 500 generated records (~0.9 KB each), no duplicates, created over the 22 h before 5 min ago. */
function publishCorpus(world: World, blobs: number): number {
  const now = world.sim.now() - 5 * 60_000;
  const generated = generateTenant({ tenantId: DEFAULT_TENANT_ID, now: new Date(now), days: 0.9, blobsPerHour: blobs / (0.9 * 24), recordsPerBlob: RECORDS_PER_BLOB, seed: 1201, contentTypes: [CONTENT_TYPE], duplicateRate: 0 });
  let bytes = 0;
  for (const blob of generated) {
    const records = Array.from({ length: blob.records.count }, (_, i) => {
      const text = blob.records.text(i);
      bytes += Buffer.byteLength(text);
      return JSON.parse(text) as AuditRecord;
    });
    world.sim.publish(DEFAULT_TENANT_ID, CONTENT_TYPE, records, { contentCreated: new Date(blob.created) });
  }
  return bytes;
}

async function bundleBare(work: string): Promise<string> {
  const outfile = path.join(work, "bare.js");
  await esbuild.build({ entryPoints: [path.join(__dirname, "bareWorker.ts")], bundle: true, platform: "node", target: "node20", format: "cjs", outfile, logLevel: "warning" });
  return outfile;
}

/** First simulator request, and first Activity API request, after `from`, in ms after `spawnedAt`. */
function firstRequests(log: readonly RequestLogEntry[], from: number, spawnedAt: number): { any: number; api: number } {
  const entries = log.slice(from);
  const api = entries.find((e) => API_KINDS.has(e.kind));
  return { any: (entries[0]?.time ?? NaN) - spawnedAt, api: (api?.time ?? NaN) - spawnedAt };
}

async function runOurs(world: World, strict: boolean): Promise<P0Run> {
  fs.rmSync(world.checkpointDir, { recursive: true, force: true }); // every run collects the whole set
  fs.mkdirSync(world.checkpointDir, { recursive: true });
  const from = world.sim.requestLog.length;
  const spawnedAt = Date.now();
  const started = process.hrtime.bigint();
  const handle = world.start(INPUT, { collectEvents: false, stdout: strict ? "events" : "count" });
  const usage = watchProcess(handle.pid);
  const exit = await handle.exited;
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { peakRssMb, cpuSeconds } = usage.stop();
  if (exit.code !== 0) throw new Error(`P0 input exited ${exit.code ?? exit.signal}: ${handle.logs.slice(-5).map((l) => l.raw).join("\n")}`);
  const first = firstRequests(world.sim.requestLog, from, spawnedAt);
  return { wallSeconds, peakRssMb, cpuSeconds, records: handle.eventCount(), firstRequestMs: first.any, firstApiRequestMs: first.api };
}

function runBare(world: World, script: string, strict: boolean, start: string, end: string): Promise<P0Run> {
  const from = world.sim.requestLog.length;
  let parsed = 0;
  let stderr = "";
  const parser = new EventStreamParser(() => parsed++);
  // Counted as the harness counts ours (a reader process), or parsed in this process.
  const counter = strict ? undefined : startEventCounter();
  const decoder = new StringDecoder("utf8");
  const spawnedAt = Date.now();
  const started = process.hrtime.bigint();
  const args = [script, world.sim.url, DEFAULT_TENANT_ID, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, CONTENT_TYPE, start, end];
  const child = spawn(process.execPath, args, { stdio: ["ignore", counter?.input ?? "pipe", "pipe"], env: { ...process.env, NODE_EXTRA_CA_CERTS: world.sim.caFile } });
  counter?.input.destroy();
  const usage = watchProcess(child.pid!);
  child.stdout?.on("data", (chunk: Buffer) => parser.write(decoder.write(chunk)));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      const { peakRssMb, cpuSeconds } = usage.stop();
      parser.end(true);
      if (code !== 0 || parser.error) return reject(new Error(`P0 bare script exited ${code}: ${parser.error?.message ?? stderr.slice(-1000)}`));
      const first = firstRequests(world.sim.requestLog, from, spawnedAt);
      const done = (records: number): void => resolve({ wallSeconds, peakRssMb, cpuSeconds, records, firstRequestMs: first.any, firstApiRequestMs: first.api });
      if (counter) counter.counted.then((c) => done(c.count), reject);
      else done(parsed);
    });
  });
}

const apiTime = (ms: number): string => new Date(ms).toISOString().slice(0, 19);

export interface P0Figures {
  blobs: number;
  records: number;
  corpusMb: number;
  ours: P0Run[];
  bare: P0Run[];
}

export async function measureP0(ctx: BenchContext, opts: { blobs?: number; rounds?: number } = {}): Promise<P0Figures> {
  const blobs = opts.blobs ?? (ctx.quick ? 40 : 200);
  const rounds = opts.rounds ?? (ctx.quick ? 2 : 5);
  // Production timing (no retry scaling). The quota is lifted: P0 restarts the input back to back,
  // which a real tenant's 2,000 requests/minute would throttle; P2 is where the quota is measured.
  const world = await startWorld({ simulator: { tenants: [{ ...defaultTenant(), backlog: false }], quotaPerMinute: 1_000_000 }, retryScale: 1 });
  try {
    const corpusBytes = publishCorpus(world, blobs);
    const records = blobs * RECORDS_PER_BLOB;
    world.addInput(INPUT, { content_types: CONTENT_TYPE, backfill_hours: "23", max_concurrency: "8" });
    const script = await bundleBare(ctx.work);
    const now = world.sim.now();
    const window = [apiTime(now - 24 * 3_600_000 + 60_000), apiTime(now)] as const;
    ctx.log(`P0 test set: ${blobs} blobs x ${RECORDS_PER_BLOB} records, ${(corpusBytes / 1e6).toFixed(1)} MB; ${rounds} alternating rounds after one warm-up of each`);
    const sides: Record<"ours" | "bare", Side> = { ours: { runs: [] }, bare: { runs: [] } };
    const once = async (who: "ours" | "bare", strict = false): Promise<P0Run> => {
      const r = who === "ours" ? await runOurs(world, strict) : await runBare(world, script, strict, ...window);
      if (r.records !== records) throw new Error(`P0 ${who} wrote ${r.records} events, the set has ${records} records`);
      return r;
    };
    // Warm-up: the first run also moves the secret into storage/passwords, and warms the caches.
    await once("ours", true);
    await once("bare", true);
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (["bare", "ours"] as const) : (["ours", "bare"] as const);
      for (const who of order) sides[who].runs.push(await once(who));
      const o = sides.ours.runs.at(-1)!;
      const b = sides.bare.runs.at(-1)!;
      ctx.log(`P0 round ${round + 1}: ours ${o.wallSeconds.toFixed(2)} s ${o.peakRssMb.toFixed(0)} MB (first API request ${o.firstApiRequestMs} ms), bare ${b.wallSeconds.toFixed(2)} s ${b.peakRssMb.toFixed(0)} MB`);
    }
    return { blobs, records, corpusMb: corpusBytes / 1e6, ours: sides.ours.runs, bare: sides.bare.runs };
  } finally {
    await world.close();
  }
}

const min = (runs: readonly P0Run[], key: keyof P0Run): number => Math.min(...runs.map((r) => r[key]));
const med = (runs: readonly P0Run[], key: keyof P0Run): number => median(runs.map((r) => r[key]));

export function p0Rows(f: P0Figures): PartResult {
  const ratio = min(f.bare, "wallSeconds") / min(f.ours, "wallSeconds");
  const medianRatio = med(f.bare, "wallSeconds") / med(f.ours, "wallSeconds");
  const peakOurs = Math.max(...f.ours.map((r) => r.peakRssMb));
  const side = (runs: readonly P0Run[]): string => `min ${fmt(min(runs, "wallSeconds"))} s, median ${fmt(med(runs, "wallSeconds"))} s`;
  return {
    rows: [
      { id: "P0", figure: `end to end, ${int(f.records)} records: ours / bare script (min over min)`, measured: `${fmt(ratio)}x (median ${fmt(medianRatio)}x)`, target: ">= 0.85x", pass: ratio >= 0.85 },
      { id: "P0a", figure: "ours (packaged launcher through the harness)", measured: side(f.ours), target: "" },
      { id: "P0b", figure: "bare fetch + JSON.parse + escape + write, 8 workers", measured: side(f.bare), target: "" },
      { id: "P0c", figure: "peak RSS, ours (max over runs)", measured: `${int(peakOurs)} MB`, target: "<= 150 MB", pass: peakOurs <= 150 },
      { id: "P0d", figure: "peak RSS, bare script (max over runs)", measured: `${int(Math.max(...f.bare.map((r) => r.peakRssMb)))} MB`, target: "" },
      { id: "P0e", figure: "CPU seconds (user + system), ours / bare (min)", measured: `${fmt(min(f.ours, "cpuSeconds"))} s / ${fmt(min(f.bare, "cpuSeconds"))} s (${fmt(min(f.bare, "cpuSeconds") / min(f.ours, "cpuSeconds"))}x)`, target: "" },
      { id: "P0f", figure: "spawn to first Activity API request, ours / bare (median)", measured: `${int(med(f.ours, "firstApiRequestMs"))} ms / ${int(med(f.bare, "firstApiRequestMs"))} ms`, target: "" },
    ],
    details: [
      `- **P0** ${int(f.blobs)} blobs x ${RECORDS_PER_BLOB} records (${fmt(f.corpusMb, 1)} MB of JSON, no duplicates) served by the simulator on loopback HTTPS, no injected latency, quota lifted; ` +
        `the input with max_concurrency 8 and production retry timing, its checkpoint removed before each run. ${f.ours.length} rounds alternating bare/ours (ABBA) after one warm-up of each; ` +
        `wall time from spawn to exit, peak RSS from /proc/<pid>/status VmHWM. The warm-ups' stdouts are parsed strictly (every event well-formed, none missing); the timed runs only count \`</event>\`, both sides' in a reader process of their own (test/harness/eventEndCounter.cjs), as splunkd reads stdout on threads of its own. ` +
        `Ours, per run (s): ${f.ours.map((r) => fmt(r.wallSeconds)).join(", ")}; bare: ${f.bare.map((r) => fmt(r.wallSeconds)).join(", ")}. ` +
        `First simulator request after spawn (median): ours ${int(med(f.ours, "firstRequestMs"))} ms, bare ${int(med(f.bare, "firstRequestMs"))} ms.`,
    ],
  };
}

export const p0: BenchPart = {
  name: "P0",
  title: "P0 end to end: packaged input through the splunkd harness vs a bare fetch-parse-write script",
  run: async (ctx) => p0Rows(await measureP0(ctx)),
};
