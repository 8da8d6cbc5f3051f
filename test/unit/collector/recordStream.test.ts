import { strict as assert } from "node:assert";
import { BlobFormatError } from "../../../src/collector/blobSplitter";
import type { MapContext } from "../../../src/collector/mapper";
import { emptyNotes, streamRecords, type RecordCounts, type RecordOutlet } from "../../../src/collector/recordStream";
import type { Batch } from "../../../src/collector/writePath";

const mapCtx: MapContext = { stanza: "defender_o365_activity://contoso", tenantId: "t1", contentType: "Audit.General", recordTypes: new Set() };
/** The bound on records that are not JSON objects held back per blob (src/collector/defaults.ts). */
const UNPARSED_BOUND = 8 * 1024 * 1024;

const rec = (id: string, time: unknown = "2026-11-20T08:00:00"): string => JSON.stringify({ CreationTime: time, Id: `00000000-0000-0000-0000-${id.padStart(12, "0")}`, RecordType: 28 });

/** An outlet that records each batch's data; `halt` is checked between chunks. */
function outlet(over: Partial<RecordOutlet> = {}) {
  const batches: string[][] = [];
  const out: RecordOutlet = {
    remember: () => true,
    submit: async (batch: Batch) => {
      batches.push(batch.events.map((e) => e.data));
      return { durable: Promise.resolve() };
    },
    batchMaxEvents: 100,
    batchMaxBytes: 1 << 20,
    halted: () => false,
    ...over,
  };
  return { out, batches };
}

const counts = (): RecordCounts => ({ records: 0, filtered: 0, duplicatesDropped: 0 });

describe("streamRecords", () => {
  it("cuts a batch when it reaches batchMaxBytes exactly, and submits no empty batch", async () => {
    const texts = ["1", "2", "3", "4"].map((id) => rec(id));
    const size = texts[0].length;
    assert.ok(texts.every((t) => t.length === size));
    const { out, batches } = outlet({ batchMaxBytes: 2 * size });
    const c = counts();
    await streamRecords([Buffer.from(`[${texts.join(",")}]`)], mapCtx, out, c, emptyNotes());
    assert.deepEqual(batches, [texts.slice(0, 2), texts.slice(2)]);
    assert.equal(c.records, 4);
  });

  it("counts records without a usable CreationTime and keeps the first one's problem", async () => {
    const texts = [rec("1"), rec("2", "yesterday"), rec("3", 12), rec("4")];
    const notes = emptyNotes();
    const { out, batches } = outlet();
    await streamRecords([Buffer.from(`[${texts.join(",")}]`)], mapCtx, out, counts(), notes);
    assert.deepEqual(batches, [texts]);
    assert.deepEqual(notes, { badTime: { count: 2, example: 'CreationTime "yesterday" is not a time' }, unparsed: { count: 0, example: "" } });
  });

  it("counts a record without a usable CreationTime once, not again when it comes back as a duplicate", async () => {
    const late = rec("2", "yesterday");
    const notes = emptyNotes();
    const seen = new Set<string>();
    const { out, batches } = outlet({ remember: (key) => !seen.has(Buffer.from(key).toString("hex")) && Boolean(seen.add(Buffer.from(key).toString("hex"))) });
    const c = counts();
    await streamRecords([Buffer.from(`[${late},${rec("1")},${late},${late}]`)], mapCtx, out, c, notes);
    assert.deepEqual(batches, [[late, rec("1")]]);
    assert.equal(c.duplicatesDropped, 2);
    assert.deepEqual(notes.badTime, { count: 1, example: 'CreationTime "yesterday" is not a time' });
  });

  it("writes records that are not JSON objects after the array proved whole, keeping the first one's reason", async () => {
    const good = rec("1");
    const notes = emptyNotes();
    const { out, batches } = outlet({ batchMaxEvents: 1 });
    await streamRecords([Buffer.from(`[{"Id": broken},${good},7]`)], mapCtx, out, counts(), notes);
    assert.deepEqual(batches, [[good], ['{"Id": broken}'], ["7"]]);
    assert.deepEqual(notes.unparsed, { count: 2, example: `record is not valid JSON: Unexpected token 'b', "{"Id": broken}" is not valid JSON` });
  });

  it("does not count an unparsed record already written as unparsed again", async () => {
    const notes = emptyNotes();
    const c = counts();
    const { out, batches } = outlet({ remember: () => false });
    await streamRecords([Buffer.from('["x"]')], mapCtx, out, c, notes);
    assert.deepEqual(batches, []);
    assert.equal(notes.unparsed.count, 0);
    assert.equal(c.duplicatesDropped, 1);
  });

  it("drops unparsed records of a body that breaks before its end: the break is no record", async () => {
    const good = rec("1");
    const notes = emptyNotes();
    const { out, batches } = outlet();
    await assert.rejects(streamRecords([Buffer.from(`[${good},"x",{"Id":`)], mapCtx, out, counts(), notes), BlobFormatError);
    assert.deepEqual(batches, [[good]]);
    assert.equal(notes.unparsed.count, 0);
  });

  it("writes held unparsed records once they reach the size bound, before the records after them", async () => {
    const big = `"${"x".repeat(UNPARSED_BOUND - 2)}"`;
    const good = rec("1");
    const notes = emptyNotes();
    const { out, batches } = outlet({ batchMaxEvents: 1, batchMaxBytes: Number.MAX_SAFE_INTEGER });
    await streamRecords([Buffer.from(`[${big},`), Buffer.from(`${good},"y"]`)], mapCtx, out, counts(), notes);
    assert.deepEqual(
      batches.map((b) => b.map((d) => d.length)),
      [[UNPARSED_BOUND], [good.length], [3]],
      "the bound's record first, the later unparsed one only at the end",
    );
    assert.equal(notes.unparsed.count, 2);
  });

  it("keeps the records held past the bound when the body then breaks", async () => {
    const big = `"${"x".repeat(UNPARSED_BOUND - 2)}"`;
    const notes = emptyNotes();
    const { out, batches } = outlet();
    await assert.rejects(streamRecords([Buffer.from(`[${big},"y",`)], mapCtx, out, counts(), notes), BlobFormatError);
    assert.deepEqual(
      batches.map((b) => b.map((d) => d.length)),
      [[UNPARSED_BOUND]],
    );
  });

  it("stops between chunks once halted, writes what it read, and does not call the cut body truncated", async () => {
    const texts = ["1", "2", "3"].map((id) => rec(id));
    let halted = false;
    const { out, batches } = outlet({
      submit: async (batch) => {
        batches.push(batch.events.map((e) => e.data));
        halted = true;
        return { durable: Promise.resolve() };
      },
      batchMaxEvents: 1,
      halted: () => halted,
    });
    const notes = emptyNotes();
    await streamRecords([Buffer.from(`[${texts[0]},"x",`), Buffer.from(`${texts[1]},`), Buffer.from(`${texts[2]}]`)], mapCtx, out, counts(), notes);
    assert.deepEqual(batches, [[texts[0]]]);
    assert.equal(notes.unparsed.count, 0, "a held record of a cut body is not written");
  });
});
