// P1 worker, run as its own process with stdout a pipe the parent reads (as splunkd reads a
// modular input). Mode `ours`: the collector's own record pipeline (src/collector/recordStream.ts:
// splitter -> mapRecord -> idKey -> XmlEventWriter, batches cut at the collector's defaults) on
// each blob in 64 KiB chunks, an in-memory KeySet as the Id store. Mode
// `limit`: the physical limit: JSON.parse of the same blob bytes plus one write of the same
// output bytes. `limit-text`: the same, but the output is written as the JavaScript string it
// is made as, so its UTF-8 encoding is timed too. Blob files are read, and the limit's output
// prepared, before the clock starts.
// Usage: p1Worker.ts ours|limit|limit-text <blob file>... ; stderr `RESULT {records, seconds, cpuSeconds}`.
import * as fs from "node:fs";
import { KeySet } from "../../src/collector/dedupe";
import type { MapContext } from "../../src/collector/mapper";
import { emptyNotes, streamRecords, type RecordCounts } from "../../src/collector/recordStream";
import { formatEvent, XmlEventWriter } from "../../src/splunk/eventWriter";
import { writerOutlet } from "../../test/lib/recordOutlet";
import { BENCH_TENANT } from "./corpus";

const CHUNK = 64 * 1024; // a typical HTTP body chunk

const ctx: MapContext = {
  stanza: "defender_o365_activity://bench",
  tenantId: BENCH_TENANT,
  contentType: "Audit.General",
  recordTypes: new Set(),
};

function* chunks(blob: Buffer): Generator<Buffer> {
  for (let at = 0; at < blob.length; at += CHUNK) yield blob.subarray(at, at + CHUNK);
}

async function ours(blobs: Buffer[]): Promise<number> {
  const writer = new XmlEventWriter(process.stdout);
  const seen = new KeySet(blobs.length * 256);
  // One batch on the wire at a time, as the modular input's sink.
  const outlet = writerOutlet(writer, (key) => seen.add(key));
  const counts: RecordCounts = { records: 0, filtered: 0, duplicatesDropped: 0 };
  for (const blob of blobs) {
    const notes = emptyNotes();
    await streamRecords(chunks(blob), ctx, outlet, counts, notes);
    if (counts.filtered > 0 || notes.unparsed.count > 0) throw new Error("corpus record not mapped");
  }
  await writer.close();
  return counts.records + counts.duplicatesDropped; // every record of the corpus counts, duplicates dropped too
}

/** What our pipeline writes for each blob (duplicates dropped), prepared untimed. */
async function expectedOutput(blobs: Buffer[]): Promise<string[]> {
  const seen = new KeySet(blobs.length * 256);
  let out = "";
  const outlet = writerOutlet({ write: async (events) => void (out += events.map((e) => formatEvent(e) + "\n").join("")) }, (key) => seen.add(key));
  const counts: RecordCounts = { records: 0, filtered: 0, duplicatesDropped: 0 };
  const texts: string[] = [];
  for (const blob of blobs) {
    out = "";
    await streamRecords([blob], ctx, outlet, counts, emptyNotes());
    texts.push(out);
  }
  return texts;
}

/** One write, resolved on its callback (and 'drain' when the pipe is full). */
function writeOnce(output: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) => {
    const flushed = process.stdout.write(output, (err) => (err ? reject(err) : flushed ? resolve() : undefined));
    if (!flushed) process.stdout.once("drain", resolve);
  });
}

async function limit(blobs: Buffer[], asText: boolean): Promise<{ records: number; start: bigint; cpu: NodeJS.CpuUsage }> {
  const texts = await expectedOutput(blobs);
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
