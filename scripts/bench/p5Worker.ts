// P5 worker: loads a folder of remembered-Id files as the collector does at start
// (`IdStore.load`), or, for the physical limit, only reads the same files. Usage:
// p5Worker.ts load|read <dir> ; stderr line `RESULT {ids, seconds, rssBytes}`: the RSS growth
// the loaded store keeps (after a full GC when node runs with --expose-gc).
import * as fs from "node:fs";
import * as path from "node:path";
import { ID_BYTES, IdStore } from "../../src/collector/dedupe";

const gc = (globalThis as { gc?: () => void }).gc;

async function main(): Promise<void> {
  const [mode, dir] = process.argv.slice(2);
  const rssBefore = process.memoryUsage().rss;
  const start = process.hrtime.bigint();
  let ids = 0;
  let store: IdStore | undefined;
  if (mode === "load") store = IdStore.load(dir);
  else if (mode === "read") for (const f of fs.readdirSync(dir)) ids += fs.readFileSync(path.join(dir, f)).length / ID_BYTES;
  else throw new Error(`unknown mode ${mode}`);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  // Drop the load's transient buffers: V8 frees array buffer memory after a GC, in the background.
  gc?.();
  await new Promise((r) => setTimeout(r, 300));
  gc?.();
  const rssBytes = process.memoryUsage().rss - rssBefore;
  if (store) ids = store.size; // read after the measurement, so the store is still alive for it
  process.stderr.write(`RESULT ${JSON.stringify({ ids, seconds, rssBytes })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
