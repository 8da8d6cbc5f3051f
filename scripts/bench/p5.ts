// P5 dedupe state: bytes per remembered Id (on disk and in memory) and the time to load 10 M
// Ids at start, against the time to merely read the same files in the same run.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ID_BYTES } from "../../src/collector/dedupe";
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

export async function benchP5(workDir: string, quick: boolean, log: (line: string) => void): Promise<P5Figures> {
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
