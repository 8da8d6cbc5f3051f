import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ActivityApiError } from "../../../src/api/errors";
import type { ContentItem } from "../../../src/api/types";
import { collectBlob } from "../../../src/collector/blob";
import { contentTypeState, emptyCheckpoint } from "../../../src/collector/checkpoint";
import { CollectorRun, Stopped, type TypeContext } from "../../../src/collector/collectorRun";
import { IdStore } from "../../../src/collector/dedupe";
import { createLogger } from "../../../src/splunk/logger";
import { testConfig } from "../../lib/testConfig";
import { FakeApi, MemorySink, type FakeBlob } from "./fakeApi";

const NOW = new Date("2026-11-20T12:00:00.000Z");
const CT = "Audit.General";
const rec = (n: number, time: unknown = "2026-11-20T08:00:00") => ({ CreationTime: time, Id: `00000000-0000-0000-0000-${String(n).padStart(12, "0")}`, RecordType: 28 });

describe("collectBlob", () => {
  let dir: string;
  let api: FakeApi;
  let sink: MemorySink;
  let logs: string[];
  let onLog: (line: string) => void;
  let ctl: AbortController;
  /** The attempts collectBlob asked a retry wait for, and the wait it is given. */
  let waitsAsked: number[];
  let waitMs: number;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "blob-"));
    api = new FakeApi();
    sink = new MemorySink();
    logs = [];
    onLog = () => undefined;
    ctl = new AbortController();
    waitsAsked = [];
    waitMs = 0;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function setup(blob: Omit<FakeBlob, "contentType" | "created">): { run: CollectorRun; ctx: TypeContext; item: ContentItem } {
    api.blobs = [{ contentType: CT, created: new Date(NOW.getTime() - 3_600_000), ...blob }];
    const run = new CollectorRun({
      config: testConfig(),
      api,
      sink,
      logger: createLogger((l) => {
        logs.push(l);
        onLog(l);
      }, "DEBUG"),
      checkpointDir: dir,
      signal: ctl.signal,
      now: () => NOW,
      batchMaxEvents: 1,
      blobRetryDelayMs: (attempt) => {
        waitsAsked.push(attempt);
        return waitMs;
      },
    });
    run.begin(emptyCheckpoint("t1"), IdStore.load(path.join(dir, "ids"), { now: () => NOW }));
    const ctx: TypeContext = {
      contentType: CT,
      cts: contentTypeState(run.state, CT),
      log: run.logger.child({ content_type: CT }),
      summary: { contentType: CT, blobs: 0, records: 0, duplicatesDropped: 0, filtered: 0, expired: 0, unparsed: 0, errors: 0, windows: 0, pending: 0, complete: false, bytesReceived: 0, bytesDecoded: 0 },
      mapCtx: { stanza: "s", tenantId: "t1", contentType: CT, recordTypes: new Set() },
    };
    const item: ContentItem = { contentType: CT, contentId: blob.contentId, contentUri: `https://fake/audit/${blob.contentId}`, contentCreated: "2026-11-20T11:00:00.000Z", contentExpiration: "2026-11-27T11:00:00.000Z" };
    return { run, ctx, item };
  }
  const fetches = (): number => api.calls.filter((c) => c.startsWith("blob ")).length;

  it("tries a broken blob again, warning once per retry with its attempt, and asks the wait for each", async () => {
    const { run, ctx, item } = setup({ contentId: "b1", records: [rec(1), rec(2)], failures: ["reset", "truncated"] });
    assert.deepEqual(await collectBlob(run, ctx, item, 4), { kind: "written" });
    assert.deepEqual(logs, [
      "WARN Blob b1 broke (socket hang up); retrying, records already written are skipped content_type=Audit.General cause=blob_broken content_id=b1 attempt=1",
      "WARN Blob b1 broke (blob ended before its closing ']' after 196 bytes (truncated)); retrying, records already written are skipped content_type=Audit.General cause=blob_broken content_id=b1 attempt=2",
    ]);
    assert.deepEqual(waitsAsked, [1, 2]);
    assert.equal(sink.events.length, 2, "each record once");
    assert.deepEqual([ctx.summary.blobs, ctx.summary.errors, ctx.summary.records], [1, 2, 2]);
  });

  it("reports a blob failed after its attempts, with the last error, and warns only between attempts", async () => {
    const { run, ctx, item } = setup({ contentId: "b1", records: [rec(1)], failures: ["garbled", new ActivityApiError("server busy", 503, "AF50000")] });
    assert.deepEqual(await collectBlob(run, ctx, item, 2), { kind: "failed", attempts: 2, lastError: "server busy" });
    assert.equal(logs.length, 1);
    assert.match(logs[0], /^WARN Blob b1 broke \(expected ',' or '\]' between records at byte 15\); .* attempt=1$/);
    assert.deepEqual(waitsAsked, [1]);
    assert.equal(ctx.summary.errors, 2);
    assert.equal(ctx.summary.blobs, 0);
  });

  it("reports expired content with its code, without a retry or an error count", async () => {
    const { run, ctx, item } = setup({ contentId: "b1", records: [rec(1)], failures: ["expired"] });
    assert.deepEqual(await collectBlob(run, ctx, item, 4), { kind: "expired", reason: "AF20051: content expired" });
    assert.deepEqual([fetches(), ctx.summary.errors, logs.length], [1, 0, 0]);
  });

  it("ends the run on a fatal fault without trying the blob again", async () => {
    const fatal = new ActivityApiError("permission set does not include ActivityFeed.Read", 401, "AF10001");
    const { run, ctx, item } = setup({ contentId: "b1", records: [rec(1)], failures: [fatal] });
    await assert.rejects(collectBlob(run, ctx, item, 4), (err) => err === fatal);
    assert.deepEqual([fetches(), logs.length], [1, 0]);
  });

  it("ends the run when the sink fails, without trying the blob again", async () => {
    const { run, ctx, item } = setup({ contentId: "b1", records: [rec(1), rec(2)] });
    sink.onWrite = () => {
      throw new Error("disk full");
    };
    await assert.rejects(collectBlob(run, ctx, item, 4), /disk full/);
    assert.deepEqual([fetches(), logs.length], [1, 0]);
    assert.equal(run.writes.broken, true);
  });

  it("stops without a retry when SIGTERM came during a failing fetch", async () => {
    const { run, ctx, item } = setup({ contentId: "b1", records: [rec(1)] });
    api.fetchBlob = async () => {
      ctl.abort();
      throw new Error("The operation was aborted");
    };
    await assert.rejects(collectBlob(run, ctx, item, 4), Stopped);
    assert.deepEqual([logs.length, ctx.summary.errors], [0, 0]);
  });

  it("stops without a retry when a fault recorded on the run halted it mid-blob", async () => {
    const { run, ctx, item } = setup({ contentId: "b1", records: [rec(1), rec(2)], chunks: [`[${JSON.stringify(rec(1))},`, `${JSON.stringify(rec(2))}]`] });
    sink.onWrite = () => void run.stop(new Error("elsewhere"));
    await assert.rejects(collectBlob(run, ctx, item, 4), Stopped);
    assert.equal(fetches(), 1);
    assert.equal(sink.events.length, 1, "the chunk after the halt is not read");
    assert.deepEqual(logs, ["ERROR elsewhere cause=collector_error"]);
  });

  it("stops reading the body between chunks on SIGTERM, after writing what it read", async () => {
    const records = [rec(1), rec(2), rec(3)];
    const { run, ctx, item } = setup({ contentId: "b1", records, chunks: ["[", ...records.map((r, i) => JSON.stringify(r) + (i < 2 ? "," : "")), "]"] });
    sink.onWrite = () => ctl.abort();
    await assert.rejects(collectBlob(run, ctx, item, 4), Stopped);
    assert.equal(sink.events.length, 1);
    assert.equal(ctx.summary.records, 1, "its batch is durable");
  });

  it("ends a pending retry wait at once on SIGTERM and tries no more", async () => {
    waitMs = 90_000; // cut short by the abort: the test never waits for it (longer than mocha's timeout, so a wait that ignores the abort fails the test)
    const { run, ctx, item } = setup({ contentId: "b1", records: [rec(1)], failures: ["reset"] });
    onLog = (line) => {
      if (line.includes("cause=blob_broken")) setImmediate(() => ctl.abort());
    };
    await assert.rejects(collectBlob(run, ctx, item, 4), Stopped);
    assert.equal(fetches(), 1);
    assert.deepEqual(waitsAsked, [1]);
  });

  it("warns once per blob about records without a usable CreationTime, naming the first", async () => {
    const { run, ctx, item } = setup({ contentId: "b1", records: [rec(1), rec(2, "soon"), rec(3, "never")] });
    await collectBlob(run, ctx, item, 1);
    assert.deepEqual(logs, [
      `WARN 2 record(s) had no usable CreationTime (CreationTime "soon" is not a time); they were delivered with Splunk's own time content_type=Audit.General cause=bad_record_time content_id=b1`,
    ]);
    assert.equal(sink.events.length, 3);
  });

  it("warns once per blob about records that are not JSON objects, and counts them", async () => {
    const { run, ctx, item } = setup({ contentId: "b1", records: [], body: `[${JSON.stringify(rec(1))},[1],"x"]` });
    await collectBlob(run, ctx, item, 1);
    assert.deepEqual(logs, [
      "WARN 2 record(s) in blob b1 are not JSON objects (record is not a JSON object); written as received with sourcetype defender_o365:unparsed content_type=Audit.General cause=record_unparsed content_id=b1",
    ]);
    assert.equal(ctx.summary.unparsed, 2);
    assert.deepEqual(sink.events.map((e) => e.sourcetype), ["o365:defender:email", "defender_o365:unparsed", "defender_o365:unparsed"]);
  });

  it("logs nothing for a clean blob", async () => {
    const { run, ctx, item } = setup({ contentId: "b1", records: [rec(1)] });
    assert.deepEqual(await collectBlob(run, ctx, item, 1), { kind: "written" });
    assert.deepEqual(logs, []);
    assert.deepEqual([ctx.summary.unparsed, ctx.summary.errors, ctx.summary.blobs], [0, 0, 1]);
  });
});
