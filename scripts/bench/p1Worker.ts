// P1 worker, run as its own process with stdout a pipe the parent reads (as splunkd reads a
// modular input). Mode `ours`: the collector's chain on each blob (64 KiB chunks -> splitter ->
// mapRecord -> idKey -> KeySet -> XmlEventWriter, batches as collect.ts cuts them). Mode
// `limit`: the physical limit: JSON.parse of the same blob bytes plus one write of the same
// output bytes. `limit-text`: the same, but the output is written as the JavaScript string it
// is made as, so its UTF-8 encoding is timed too. Blob files are read, and the limit's output
// prepared, before the clock starts.
// Usage: p1Worker.ts ours|limit|limit-text <blob file>... ; stderr `RESULT {records, seconds, cpuSeconds}`.
import * as fs from "node:fs";
import { JsonArraySplitter } from "../../src/collector/blobSplitter";
import { KeySet, idKey } from "../../src/collector/dedupe";
import { mapRecord, type MapContext } from "../../src/collector/mapper";
import type { SplunkEvent } from "../../src/splunk/event";
import { formatEvent, XmlEventWriter } from "../../src/splunk/eventWriter";
import { BENCH_TENANT } from "./corpus";

const CHUNK = 64 * 1024; // a typical HTTP body chunk
const BATCH_EVENTS = 500; // collect.ts defaults
const BATCH_BYTES = 1 << 20;

const ctx: MapContext = {
  stanza: "defender_o365_activity://bench",
  tenantId: BENCH_TENANT,
  contentType: "Audit.General",
  recordTypes: new Set(),
};

async function ours(blobs: Buffer[]): Promise<number> {
  const writer = new XmlEventWriter(process.stdout);
  const seen = new KeySet(blobs.length * 256);
  let records = 0;
  for (const blob of blobs) {
    const splitter = new JsonArraySplitter();
    let batch: SplunkEvent[] = [];
    let bytes = 0;
    for (let at = 0; at < blob.length; at += CHUNK) {
      for (const raw of splitter.push(blob.subarray(at, at + CHUNK))) {
        const text = raw.toString("utf8");
        const mapped = mapRecord(text, ctx);
        if (mapped.kind !== "event") throw new Error("corpus record not mapped");
        records++; // every record of the corpus counts, duplicates dropped too
        if (!seen.add(idKey(mapped.id, text))) continue;
        batch.push(mapped.event);
        bytes += text.length;
        if (batch.length >= BATCH_EVENTS || bytes >= BATCH_BYTES) {
          await writer.write(batch);
          batch = [];
          bytes = 0;
        }
      }
    }
    splitter.end();
    await writer.write(batch);
  }
  await writer.close();
  return records;
}

/** What our pipeline writes for each blob (duplicates dropped), prepared untimed. */
function expectedOutput(blobs: Buffer[]): string[] {
  const seen = new KeySet(blobs.length * 256);
  return blobs.map((blob) => {
    let out = "";
    for (const raw of new JsonArraySplitter().push(blob)) {
      const text = raw.toString("utf8");
      const mapped = mapRecord(text, ctx);
      if (mapped.kind === "event" && seen.add(idKey(mapped.id, text))) out += formatEvent(mapped.event) + "\n";
    }
    return out;
  });
}

/** One write, resolved on its callback (and 'drain' when the pipe is full). */
function writeOnce(output: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) => {
    const flushed = process.stdout.write(output, (err) => (err ? reject(err) : flushed ? resolve() : undefined));
    if (!flushed) process.stdout.once("drain", resolve);
  });
}

async function limit(blobs: Buffer[], asText: boolean): Promise<{ records: number; start: bigint; cpu: NodeJS.CpuUsage }> {
  const texts = expectedOutput(blobs);
  const outputs = asText ? texts : texts.map((t) => Buffer.from(t, "utf8"));
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  let records = 0;
  for (let i = 0; i < blobs.length; i++) {
    records += (JSON.parse(blobs[i].toString("utf8")) as unknown[]).length;
    await writeOnce(outputs[i]);
  }
  return { records, start, cpu };
}

async function main(): Promise<void> {
  const [mode, ...files] = process.argv.slice(2);
  const blobs = files.map((f) => fs.readFileSync(f));
  let cpu = process.cpuUsage();
  let start = process.hrtime.bigint();
  let records: number;
  if (mode === "ours") records = await ours(blobs);
  else if (mode === "limit" || mode === "limit-text") ({ records, start, cpu } = await limit(blobs, mode === "limit-text"));
  else throw new Error(`unknown mode ${mode}`);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  process.stderr.write(`RESULT ${JSON.stringify({ records, seconds, cpuSeconds })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
