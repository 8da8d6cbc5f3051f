// Fuzz: hostile records (fuzz/hostileRecords.ts) serialised into blobs (invalid UTF-8 included),
// cut at random places, pushed through the collector's record pipeline (splitter -> mapper ->
// dedupe key, src/collector/recordStream.ts) into the XML event writer, and
// read back by a strict XML parser: the stream never breaks, each event's data parses back to its record, and
// records without a usable time are still delivered, with a WARN from the collector.
// 1,000 records here; 10,000 under SOAK=1. FUZZ_SEED=<n> replays a run.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { collect } from "../../src/collector/collect";
import { ID_BYTES } from "../../src/collector/dedupe";
import type { MapContext } from "../../src/collector/mapper";
import { emptyNotes, streamRecords, type RecordCounts } from "../../src/collector/recordStream";
import { XmlEventWriter } from "../../src/splunk/eventWriter";
import { createLogger } from "../../src/splunk/logger";
import { writerOutlet } from "../lib/recordOutlet";
import { testConfig } from "../lib/testConfig";
import { Rng } from "../simulator/generator/prng";
import { FakeApi } from "../unit/collector/fakeApi";
import { parseEventStream, type StreamEvent } from "../harness/eventStream";
import { hostileRecord, randomChunks, wireBlob, type FuzzOptions, type HostileRecord } from "./fuzz/hostileRecords";

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32));
const RECORDS = process.env.SOAK ? 10_000 : 1_000;
const OPTIONS: FuzzOptions = { hugeRate: 0.004, deepRate: 0.01, rawRate: 0.02 };
const TENANT = "11111111-2222-3333-4444-555555555555";
const STANZA = "defender_o365_activity://fuzz </data>\"&";
const NOW = new Date("2026-11-20T12:00:00.000Z");

/** Records cut into blobs of 1 to 200. */
function generateBlobs(rng: Rng, total: number): HostileRecord[][] {
  const blobs: HostileRecord[][] = [];
  for (let n = 0; n < total; ) {
    const size = Math.min(total - n, 1 + rng.int(200));
    blobs.push(Array.from({ length: size }, (_, i) => hostileRecord(rng, n + i, OPTIONS)));
    n += size;
  }
  return blobs;
}

function capture(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  return { out, text: () => Buffer.concat(chunks).toString("utf8") };
}

/** Checks every event against the record of the same Ordinal; each record exactly once. */
function assertDelivered(events: StreamEvent[], expected: HostileRecord[], contentType: string): void {
  assert.equal(events.length, expected.length, "one event per record");
  const byOrdinal = new Map(expected.map((h) => [h.record.Ordinal as number, h]));
  const seen = new Set<number>();
  for (const ev of events) {
    const record: unknown = JSON.parse(ev.data);
    const ordinal = (record as { Ordinal: number }).Ordinal;
    const want = byOrdinal.get(ordinal);
    assert.ok(want, `event for an unknown record ${ordinal}`);
    assert.ok(!seen.has(ordinal), `record ${ordinal} written twice`);
    seen.add(ordinal);
    // Serialised comparison: deepStrictEqual recurses too deep for the nested records.
    if (JSON.stringify(record) !== JSON.stringify(want.record)) {
      assert.deepStrictEqual(record, want.record, `record ${ordinal}: data does not parse back to the record`);
    }
    assert.equal(ev.stanza, STANZA);
    assert.equal(ev.unbroken, true);
    assert.ok(ev.done, "event without <done/>");
    assert.equal(ev.source, `defender_o365:${TENANT}:${contentType}`);
    assert.equal(ev.sourcetype, want.sourcetype, `record ${ordinal}: sourcetype`);
    if (want.time === undefined) assert.equal(ev.time, undefined, `record ${ordinal}: <time> without a usable CreationTime`);
    else assert.equal(ev.time, want.time, `record ${ordinal}: <time>`);
  }
}

describe(`fuzz: ${RECORDS} hostile records (FUZZ_SEED=${SEED})`, function () {
  this.timeout(120_000);

  it("never break the event stream, and each event's data parses back to its record", async () => {
    const rng = new Rng(SEED);
    const blobs = generateBlobs(rng, RECORDS);
    const ctx: MapContext = { stanza: STANZA, tenantId: TENANT, contentType: "Audit.General", recordTypes: new Set() };
    const { out, text } = capture();
    const writer = new XmlEventWriter(out);
    const outlet = writerOutlet(writer, (key) => {
      assert.equal(key.length, ID_BYTES);
      return true;
    });
    const counts: RecordCounts = { records: 0, filtered: 0, duplicatesDropped: 0 };
    for (const blob of blobs) {
      const notes = emptyNotes();
      await streamRecords(randomChunks(wireBlob(blob, rng), rng), ctx, outlet, counts, notes);
      assert.equal(notes.unparsed.count, 0, `seed ${SEED}: a record was not mapped to an event`);
      assert.equal(notes.badTime.count, blob.filter((h) => h.time === undefined).length, "a missing time is always reported");
    }
    assert.deepEqual([counts.records, counts.filtered, counts.duplicatesDropped], [blobs.flat().length, 0, 0]);
    await writer.close();
    assertDelivered(parseEventStream(text()), blobs.flat(), "Audit.General");
  });

  it("are all delivered by the collector, with one WARN per blob holding records without a usable time", async () => {
    const rng = new Rng(SEED ^ 0x5eed);
    const blobs = generateBlobs(rng, Math.ceil(RECORDS / 4));
    const api = new FakeApi();
    api.pageSize = 7;
    api.subscriptions = [{ contentType: "Audit.Exchange", status: "enabled", webhook: null }];
    api.blobs = blobs.map((records, i) => ({
      contentType: "Audit.Exchange",
      contentId: `fuzz$${i}`,
      created: new Date(NOW.getTime() - (3 + i / blobs.length) * 3_600_000),
      records: [],
      // FakeApi serves a string: invalid bytes arrive here already decoded (as U+FFFD).
      body: wireBlob(records, rng).toString("utf8"),
    }));
    const { out, text } = capture();
    const writer = new XmlEventWriter(out);
    const logs: string[] = [];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fuzz-"));
    const config = testConfig({ name: "fuzz", stanza: STANZA, tenantId: TENANT, contentTypes: ["Audit.Exchange"], maxConcurrency: 4 });
    try {
      const result = await collect({
        config,
        api,
        sink: writer,
        logger: createLogger((line) => logs.push(line), "DEBUG"),
        checkpointDir: dir,
        signal: new AbortController().signal,
        now: () => NOW,
        blobRetryDelayMs: () => 0,
      });
      await writer.close();
      assert.equal(result.fatal, undefined);
      assert.deepEqual(
        result.summaries.map((s) => [s.blobs, s.records, s.errors, s.complete]),
        [[blobs.length, blobs.flat().length, 0, true]],
        `seed ${SEED}: summary`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assertDelivered(parseEventStream(text()), blobs.flat(), "Audit.Exchange");

    const warned = logs.filter((l) => l.startsWith("WARN ") && l.includes("cause=bad_record_time"));
    const expected = blobs.flatMap((records, i) => {
      const bad = records.filter((h) => h.time === undefined).length;
      return bad > 0 ? [{ id: `fuzz$${i}`, bad }] : [];
    });
    assert.equal(warned.length, expected.length, `seed ${SEED}: one bad_record_time WARN per blob with such records`);
    for (const { id, bad } of expected) {
      const line = warned.find((l) => l.includes(`content_id=${id} `) || l.endsWith(`content_id=${id}`));
      assert.ok(line, `seed ${SEED}: no WARN for blob ${id}`);
      assert.match(line, new RegExp(`^WARN ${bad} record\\(s\\) had no usable CreationTime`));
    }
    assert.ok(!logs.some((l) => l.startsWith("ERROR ")), `seed ${SEED}: ${logs.find((l) => l.startsWith("ERROR "))}`);
  });
});
