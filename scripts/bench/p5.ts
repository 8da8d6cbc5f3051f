// P5 dedupe state: bytes per remembered Id (on disk and in memory) and the time to load 10 M
// Ids at start, against the time to merely read the same files in the same run.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ID_BYTES } from "../../src/collector/dedupe";
import { fmt, int, type BenchContext, type BenchPart, type PartResult } from "./part";
import { run, tsNode } from "./proc";

export interface P5Figures {
  ids: number;
  diskBytesPerId: number;
  memoryBytesPerId: number;
  loadSeconds: number;
  readSeconds: number;
}

interface WorkerResult {
  ids: number;
  seconds: number;
  rssBytes: number;
}

/** Writes `count` random keys as the store's day files, spread over the last week. */
function writeIdFiles(dir: string, count: number): number {
  fs.mkdirSync(dir, { recursive: true });
  const days = 7;
  let bytes = 0;
  for (let d = 0; d < days; d++) {
    const name = new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10) + ".ids";
    const keys = Math.floor(count / days) + (d < count % days ? 1 : 0);
    const file = path.join(dir, name);
    fs.writeFileSync(file, crypto.randomBytes(keys * ID_BYTES));
    bytes += keys * ID_BYTES;
  }
  return bytes;
}

export async function benchP5({ work: workDir, quick, log }: BenchContext): Promise<P5Figures> {
  const count = quick ? 1_000_000 : 10_000_000;
  const dir = path.join(workDir, "p5-ids");
  const diskBytes = writeIdFiles(dir, count);
  let load = Infinity;
  let read = Infinity;
  let memory = Infinity;
  for (let round = 1; round <= (quick ? 1 : 3); round++) {
    const r = await run<WorkerResult>(...tsNode("scripts/bench/p5Worker.ts", ["read", dir]));
    const l = await run<WorkerResult>(...tsNode("scripts/bench/p5Worker.ts", ["load", dir], ["--expose-gc"]));
    if (l.result.ids !== count) throw new Error(`P5 loaded ${l.result.ids} Ids, wrote ${count}`);
    read = Math.min(read, r.result.seconds);
    load = Math.min(load, l.result.seconds);
    memory = Math.min(memory, l.result.rssBytes);
    log(`P5 round ${round}: load ${l.result.seconds.toFixed(3)} s, read ${r.result.seconds.toFixed(3)} s, memory ${(l.result.rssBytes / count).toFixed(1)} B/Id`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return { ids: count, diskBytesPerId: diskBytes / count, memoryBytesPerId: memory / count, loadSeconds: load, readSeconds: read };
}

export function p5Rows(p: P5Figures): PartResult {
  const loadFor10M = (p.loadSeconds * 10_000_000) / p.ids;
  return {
    rows: [
      { id: "P5a", figure: "dedupe state on disk, bytes per Id", measured: fmt(p.diskBytesPerId, 1), target: "<= 16 B", pass: p.diskBytesPerId <= 16 },
      { id: "P5b", figure: "dedupe state in memory, bytes per Id", measured: fmt(p.memoryBytesPerId, 1), target: "" },
      {
        id: "P5c",
        figure: `load ${int(p.ids)} Ids${p.ids === 10_000_000 ? "" : " (scaled to 10 M)"}`,
        measured: `${fmt(loadFor10M, 3)} s (${fmt(p.loadSeconds / p.readSeconds, 1)}x a plain read)`,
        target: "< 1 s",
        pass: loadFor10M < 1,
      },
    ],
    details: [`- **P5** ${int(p.ids)} random 16-byte keys in 7 day files; load = IdStore.load in a fresh process (best of rounds), memory = its RSS growth after a full GC.`],
  };
}

export const p5: BenchPart = { name: "P5", title: "P5 dedupe state", run: async (ctx) => p5Rows(await benchP5(ctx)) };
