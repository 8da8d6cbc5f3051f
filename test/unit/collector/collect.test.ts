import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ActivityApiError } from "../../../src/api/errors";
import { parseApiError } from "../../../src/api/client";
import { collect } from "../../../src/collector/collect";
import type { CollectOptions } from "../../../src/collector/collectorRun";
import { StateWriteError } from "../../../src/collector/stateFile";
import type { GraphHttp } from "../../../src/graph/http";
import type { InputConfig } from "../../../src/config/inputConfig";
import type { SplunkEvent } from "../../../src/splunk/event";
import type { EventSink } from "../../../src/splunk/eventSink";
import { createLogger } from "../../../src/splunk/logger";
import { testConfig } from "../../lib/testConfig";
import { FakeApi, MemorySink } from "./fakeApi";

const NOW = new Date("2026-11-20T12:00:00.000Z");
const hoursAgo = (h: number): Date => new Date(NOW.getTime() - h * 3_600_000);

const config = (over: Partial<InputConfig> = {}): InputConfig => testConfig({ clientSecret: "s", maxConcurrency: 3, ...over });

let n = 0;
const record = (recordType = 28, id = `00000000-0000-0000-0000-${String(++n).padStart(12, "0")}`) => ({
  CreationTime: "2026-11-20T08:00:00",
  Id: id,
  RecordType: recordType,
  Subject: "</data>]]>&<",
});

describe("collect", () => {
  let dir: string;
  let api: FakeApi;
  let sink: MemorySink;
  let logs: string[];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "collect-"));
    api = new FakeApi();
    api.subscriptions = [{ contentType: "Audit.General", status: "enabled", webhook: null }];
    sink = new MemorySink();
    logs = [];
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = (over: Partial<CollectOptions> = {}, cfg: Partial<InputConfig> = {}) =>
    collect({
      config: config(cfg),
      api,
      sink,
      logger: createLogger((l) => logs.push(l), "DEBUG"),
      checkpointDir: dir,
      signal: new AbortController().signal,
      now: () => NOW,
      blobRetryDelayMs: () => 0,
      batchMaxEvents: 2,
      ...over,
    });

  const ids = (): string[] => sink.events.filter((e) => e.sourcetype !== "defender_o365:unparsed").map((e) => (JSON.parse(e.data) as { Id: string }).Id);

  it("writes batches no larger than the sink asks for", async () => {
    api.blobs = [{ contentType: "Audit.General", contentId: "b1", created: hoursAgo(5), records: Array.from({ length: 7 }, () => record()) }];
    const sizes: number[] = [];
    const limited: EventSink = { batchLimit: { events: 3, bytes: 1 << 20 }, write: async (events) => void sizes.push(events.length), close: async () => undefined };
    await run({ sink: limited, batchMaxEvents: undefined });
    assert.deepEqual(sizes, [3, 3, 1]);
  });

  it("writes every record once, with its sourcetype, and does not fetch finished blobs again", async () => {
    api.blobs = [
      { contentType: "Audit.General", contentId: "b1", created: hoursAgo(5), records: [record(28), record(41), record(15)] },
      { contentType: "Audit.General", contentId: "b2", created: hoursAgo(2), records: [record(47), record(64)] },
    ];
    const r1 = await run();
    assert.equal(sink.events.length, 5);
    assert.deepEqual(
      sink.events.map((e) => e.sourcetype).sort(),
      ["o365:defender:air", "o365:defender:email", "o365:defender:file", "o365:defender:urlclick", "o365:management:activity"],
    );
    assert.equal(r1.summaries[0].complete, true);
    assert.match(logs.find((l) => l.includes("run_summary")) ?? "", /content_type=Audit.General blobs=2 records=5 duplicates_dropped=0/);
    api.calls = [];
    await run();
    assert.equal(sink.events.length, 5);
    assert.deepEqual(api.calls.filter((c) => c.startsWith("blob")), []);
  });

  it("drops a record delivered twice, in two blobs and across runs", async () => {
    const dup = record(28);
    api.blobs = [
      { contentType: "Audit.General", contentId: "b1", created: hoursAgo(5), records: [dup, record(28)] },
      { contentType: "Audit.General", contentId: "b2", created: hoursAgo(4), records: [dup] },
    ];
    const r = await run();
    assert.equal(sink.events.length, 2);
    assert.equal(r.summaries[0].duplicatesDropped, 1);
    api.blobs.push({ contentType: "Audit.General", contentId: "b3", created: hoursAgo(0.5), records: [dup, record(41)] });
    await run({ now: () => new Date(NOW.getTime() + 600_000) });
    assert.equal(sink.events.length, 3);
    assert.equal(new Set(ids()).size, 3);
  });

  it("collects a blob that surfaces late inside the overlap", async () => {
    api.blobs = [{ contentType: "Audit.General", contentId: "b1", created: hoursAgo(3), records: [record()] }];
    await run();
    api.blobs.push({ contentType: "Audit.General", contentId: "late", created: hoursAgo(0.5), records: [record()] });
    await run({ now: () => new Date(NOW.getTime() + 300_000) });
    assert.equal(sink.events.length, 2);
  });

  it("starts a missing subscription, and only reports it when auto_subscribe is 0", async () => {
    api.subscriptions = [];
    await run();
    assert.ok(api.calls.includes("start Audit.General"));
    api.subscriptions = [];
    api.calls = [];
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    await run({}, { autoSubscribe: false });
    assert.ok(!api.calls.includes("start Audit.General"));
    assert.ok(logs.some((l) => l.startsWith("ERROR") && l.includes("cause=subscription_disabled")));
  });

  it("retries broken blobs without repeating records", async () => {
    api.blobs = [
      { contentType: "Audit.General", contentId: "b1", created: hoursAgo(5), records: [record(), record(), record()], failures: ["reset", "truncated", "garbled"] },
    ];
    const r = await run();
    assert.equal(sink.events.length, 3);
    assert.equal(new Set(ids()).size, 3);
    assert.equal(r.summaries[0].complete, true);
    assert.equal(logs.filter((l) => l.includes("cause=blob_broken")).length, 3);
  });

  it("puts a blob that keeps failing on the pending list, commits its window, and collects it first on a later run", async () => {
    const failures: ("reset" | "garbled")[] = ["garbled", "garbled", "garbled", "garbled", "garbled"];
    api.blobs = [
      { contentType: "Audit.General", contentId: "b1", created: hoursAgo(5), records: [record(), record()], failures },
      { contentType: "Audit.General", contentId: "b2", created: hoursAgo(4), records: [record()] },
    ];
    const r1 = await run({}, { maxConcurrency: 1 });
    assert.equal(sink.events.length, 1, "the later blob is collected in the first run");
    assert.equal(r1.summaries[0].windows, 1, "the window is committed");
    assert.equal(r1.summaries[0].pending, 1);
    assert.equal(r1.summaries[0].complete, false);
    assert.ok(logs.some((l) => l.startsWith("WARN") && l.includes("cause=blob_pending") && l.includes("content_id=b1")));
    const saved = JSON.parse(fs.readFileSync(path.join(dir, "contoso.json"), "utf8"));
    assert.deepEqual(
      saved.contentTypes["Audit.General"].pending.map((p: { contentId: string; attempts: number }) => [p.contentId, p.attempts]),
      [["b1", 4]],
    );
    api.calls = [];
    const r2 = await run({}, { maxConcurrency: 1 });
    assert.equal(api.calls.filter((c) => c.startsWith("blob b1")).length, 1, "one attempt per later run");
    assert.equal(r2.summaries[0].pending, 1, "still failing (its fifth garble)");
    const r3 = await run({}, { maxConcurrency: 1 });
    assert.equal(r3.summaries[0].pending, 0);
    assert.equal(r3.summaries[0].complete, true);
    assert.equal(sink.events.length, 3);
    assert.deepEqual(new Set(ids()).size, 3);
  });

  it("reports a pending blob lost once it expired, naming its span", async () => {
    api.blobs = [{ contentType: "Audit.General", contentId: "b1", created: hoursAgo(5), records: [record()], failures: ["garbled", "garbled", "garbled", "garbled"] }];
    await run({}, { maxConcurrency: 1 });
    api.calls = [];
    const r = await run({ now: () => new Date(NOW.getTime() + 7 * 86_400_000) });
    assert.deepEqual(api.calls.filter((c) => c.startsWith("blob")), [], "an expired pending blob is not requested");
    assert.equal(r.summaries[0].pending, 0);
    assert.equal(r.summaries[0].expired, 1);
    const warn = logs.find((l) => l.includes("cause=content_expired")) ?? "";
    assert.match(warn, /^WARN .*content_id=b1 lost_start=2026-11-20T07:00:00.000Z lost_end=2026-11-27T07:00:00.000Z/);
  });

  it("writes a record that is not a JSON object once, as received, and the rest of its blob", async () => {
    const good = [record(), record()];
    const body = `[${JSON.stringify(good[0])}, {"Id": broken} ,"text",${JSON.stringify(good[1])}]`;
    api.blobs = [{ contentType: "Audit.General", contentId: "bad", created: hoursAgo(5), records: [], body }];
    const r = await run();
    const unparsed = sink.events.filter((e) => e.sourcetype === "defender_o365:unparsed").map((e) => e.data);
    assert.deepEqual(unparsed, ['{"Id": broken}', '"text"']);
    assert.equal(sink.events.length, 4);
    assert.equal(r.summaries[0].unparsed, 2);
    assert.equal(r.summaries[0].complete, true);
    assert.match(logs.find((l) => l.includes("cause=record_unparsed")) ?? "", /^WARN 2 record\(s\) in blob bad .*content_id=bad/);
    // Listed again (a re-listed blob, or a new blob with the same bytes): not written again.
    api.blobs.push({ contentType: "Audit.General", contentId: "again", created: hoursAgo(4), records: [], body });
    await run({ now: () => new Date(NOW.getTime() + 600_000) });
    assert.equal(sink.events.length, 4);
  });

  it("skips expired content with a WARN naming it", async () => {
    api.blobs = [{ contentType: "Audit.General", contentId: "old", created: hoursAgo(5), records: [record()], failures: ["expired"] }];
    const r = await run();
    assert.equal(r.summaries[0].expired, 1);
    assert.ok(logs.some((l) => l.startsWith("WARN") && l.includes("cause=content_expired") && l.includes("content_id=old")));
  });

  it("keeps only the configured record types", async () => {
    api.blobs = [{ contentType: "Audit.General", contentId: "b1", created: hoursAgo(5), records: [record(28), record(15), record(41)] }];
    const r = await run({}, { recordTypes: [41] });
    assert.deepEqual(sink.events.map((e) => e.sourcetype), ["o365:defender:urlclick"]);
    assert.equal(r.summaries[0].filtered, 2);
  });

  it("stops cleanly when aborted and repeats nothing on the next run", async () => {
    api.blobs = Array.from({ length: 6 }, (_, i) => ({
      contentType: "Audit.General",
      contentId: `b${i}`,
      created: hoursAgo(6 - i),
      records: [record(), record(), record()],
    }));
    const ctl = new AbortController();
    const stopping = new (class extends MemorySink {
      override async write(events: readonly SplunkEvent[]): Promise<void> {
        await super.write(events);
        if (this.events.length >= 4) ctl.abort();
      }
    })();
    const r = await run({ sink: stopping, signal: ctl.signal }, { maxConcurrency: 1 });
    assert.equal(r.aborted, true);
    const first = stopping.events.length;
    assert.ok(first >= 4 && first < 18);
    sink = stopping;
    await run({ sink: stopping });
    assert.equal(stopping.events.length, 18);
    assert.equal(new Set(ids()).size, 18);
  });

  it("records finished blobs of an open window as it goes, so a hard kill does not download them again", async () => {
    api.blobs = Array.from({ length: 4 }, (_, i) => ({
      contentType: "Audit.General",
      contentId: `p${i}`,
      created: hoursAgo(5 - i),
      records: [record()],
    }));
    // What a SIGKILL during the last blob's download would leave on disk.
    let onDiskDuringLast: string[] = [];
    const fetchBlob = api.fetchBlob.bind(api);
    api.fetchBlob = async (uri: string) => {
      if (uri.endsWith("/p3")) {
        const state = JSON.parse(fs.readFileSync(path.join(dir, "contoso.json"), "utf8"));
        onDiskDuringLast = Object.keys(state.contentTypes["Audit.General"].doneBlobs).sort();
      }
      return fetchBlob(uri);
    };
    await run({ progressSaveMs: 0 }, { maxConcurrency: 1 });
    assert.deepEqual(onDiskDuringLast, ["p0", "p1", "p2"]);
  });

  it("stops with one clear ERROR when consent is missing", async () => {
    // As the client words it: the AF code's fix from the error table, then the server's text.
    api.listErrors = [parseApiError("list subscriptions", 401, JSON.stringify({ error: { code: "AF10001", message: "permission set () does not include ActivityFeed.Read" } }))];
    const r = await run();
    assert.equal(r.fatal?.cause, "consent_missing");
    assert.equal(logs.filter((l) => l.startsWith("ERROR")).length, 1);
    assert.match(logs.find((l) => l.startsWith("ERROR")) ?? "", /admin consent/);
  });

  it("warns when content fell past the 7-day horizon", async () => {
    await run();
    const cp = path.join(dir, "contoso.json");
    const state = JSON.parse(fs.readFileSync(cp, "utf8"));
    state.contentTypes["Audit.General"].committedEnd = new Date(NOW.getTime() - 9 * 86_400_000).toISOString();
    fs.writeFileSync(cp, JSON.stringify(state));
    await run();
    assert.ok(logs.some((l) => l.startsWith("WARN") && l.includes("cause=horizon_exceeded")));
  });

  it("re-plans on the server's clock when the API rejects a window", async () => {
    api.blobs = [{ contentType: "Audit.General", contentId: "b1", created: hoursAgo(5), records: [record()] }];
    await run();
    // The collector starts no earlier than 10 minutes inside its 7-day horizon; the server runs
    // 15 minutes ahead, so on its clock that start is 5 minutes too old.
    const cp = path.join(dir, "contoso.json");
    const state = JSON.parse(fs.readFileSync(cp, "utf8"));
    state.contentTypes["Audit.General"].committedEnd = "2026-11-13T12:00:00.000Z";
    fs.writeFileSync(cp, JSON.stringify(state));
    api.calls = [];
    api.listErrors = [new ActivityApiError("start time too old", 400, "AF20030")];
    api.skewAfterListError = 900;
    await run();
    const listings = api.calls.filter((c) => c.startsWith("content"));
    assert.equal(listings[0], "content Audit.General 2026-11-13T12:10:00.000Z 2026-11-14T12:10:00.000Z");
    assert.equal(listings[1], "content Audit.General 2026-11-13T12:25:00.000Z 2026-11-14T12:10:00.000Z", "the start moved 15 minutes, to the same margin on the server's clock");
    assert.equal(sink.events.length, 1);
    assert.ok(logs.some((l) => l.includes("cause=window_rejected")));
  });
  it("resets a committed end past the API's clock, and collects again from backfill_hours without repeating records", async () => {
    api.blobs = [{ contentType: "Audit.General", contentId: "b1", created: hoursAgo(5), records: [record()] }];
    await run();
    const cp = path.join(dir, "contoso.json");
    const state = JSON.parse(fs.readFileSync(cp, "utf8"));
    state.contentTypes["Audit.General"].committedEnd = new Date(NOW.getTime() + 30 * 60_000).toISOString();
    state.contentTypes["Audit.General"].doneBlobs = {};
    fs.writeFileSync(cp, JSON.stringify(state));
    api.calls = [];
    await run();
    const reset = logs.filter((l) => l.includes("cause=checkpoint_reset"));
    assert.equal(reset.length, 1);
    assert.match(reset[0], /^WARN Checkpoint reset \(the committed end 2026-11-20T12:30:00\.000Z is past the Activity API's clock\)/);
    assert.ok(api.calls.includes("blob b1"), "listed and fetched again");
    assert.equal(sink.events.length, 1, "its record was already written: skipped");
    const after = JSON.parse(fs.readFileSync(cp, "utf8"));
    assert.ok(Date.parse(after.contentTypes["Audit.General"].committedEnd) <= NOW.getTime());
  });

  it("a committed end up to a minute past the API's clock is kept", async () => {
    await run();
    const cp = path.join(dir, "contoso.json");
    const state = JSON.parse(fs.readFileSync(cp, "utf8"));
    state.contentTypes["Audit.General"].committedEnd = new Date(NOW.getTime() + 60_000).toISOString();
    fs.writeFileSync(cp, JSON.stringify(state));
    await run();
    assert.equal(logs.filter((l) => l.includes("cause=checkpoint_reset")).length, 0);
  });
  it("does nothing while another live run holds the input's lock, and says who holds it", async () => {
    const holder = { pid: 1, startedAt: "2026-11-20T11:00:00Z" };
    fs.writeFileSync(path.join(dir, "contoso.lock"), JSON.stringify(holder));
    const result = await run();
    assert.deepEqual(result, { summaries: [], aborted: false, alreadyRunning: holder });
    assert.deepEqual(api.calls, []);
    assert.deepEqual(logs, [
      "WARN Another run of this input is still working (pid 1, since 2026-11-20T11:00:00Z); this run does nothing. If that process is gone, the next run takes its lock over cause=already_running pid=1",
    ]);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, "contoso.lock"), "utf8")), holder);
  });

  it("stops before any request when the checkpoint folder cannot hold its lock", async () => {
    const result = await run({ checkpointDir: path.join(dir, "missing") });
    assert.deepEqual([result.summaries, result.aborted], [[], false]);
    assert.equal(result.fatal?.cause, "checkpoint_unwritable");
    assert.deepEqual(result.fatal?.fields, { path: path.join(dir, "missing", "contoso.lock"), os_error: "ENOENT" });
    assert.match(result.fatal?.message ?? "", /^Cannot write the input's state \(cannot write .*contoso\.lock: .*\); the run stopped before sending more events/);
    assert.deepEqual(api.calls, []);
  });

  it("stops before any request when the checkpoint cannot be written, and frees the lock", async () => {
    fs.mkdirSync(path.join(dir, "contoso.json.tmp"));
    api.blobs = [{ contentType: "Audit.General", contentId: "b1", created: hoursAgo(5), records: [record()] }];
    const result = await run();
    assert.equal(result.fatal?.cause, "checkpoint_unwritable");
    assert.equal(result.fatal?.fields?.os_error, "EISDIR");
    assert.deepEqual(api.calls, []);
    assert.equal(sink.events.length, 0);
    assert.equal(fs.existsSync(path.join(dir, "contoso.lock")), false);
  });

  it("an unexpected error ends the run as collector_error, and the state is still saved", async () => {
    api.listSubscriptions = async () => {
      throw new Error("boom");
    };
    const result = await run();
    assert.deepEqual(result.fatal && { cause: result.fatal.cause, message: result.fatal.message }, { cause: "collector_error", message: "boom" });
    assert.deepEqual(result.summaries, []);
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, "contoso.json"), "utf8")).tenantId, config().tenantId);
  });

  it("logs one run_summary per content type with its counts", async () => {
    api.blobs = [{ contentType: "Audit.General", contentId: "b1", created: hoursAgo(5), records: [record(), record()] }];
    const result = await run();
    assert.equal(result.fatal, undefined);
    const summaries = logs.filter((l) => l.startsWith("INFO run_summary"));
    assert.equal(summaries.length, 1);
    assert.match(summaries[0], /content_type=Audit\.General blobs=1 records=2 duplicates_dropped=0 filtered=0 expired=0 unparsed=0 pending=0 lag_seconds=\d+ errors=0 windows=\d+ complete=true/);
  });

  describe("a content type's part", () => {
    const cp = () => JSON.parse(fs.readFileSync(path.join(dir, "contoso.json"), "utf8")).contentTypes["Audit.General"];
    const GARBLED = "expected ',' or ']' between records at byte 15";

    it("warns about a blob kept pending with its attempts, expiry and content type", async () => {
      api.blobs = [{ contentType: "Audit.General", contentId: "b1", created: hoursAgo(5), records: [record()], failures: ["garbled", "garbled", "garbled", "garbled"] }];
      await run({}, { maxConcurrency: 1 });
      assert.deepEqual(logs.filter((l) => l.includes("cause=blob_pending")), [
        `WARN Blob b1 still fails after 4 attempts (${GARBLED}); it is kept as pending and every later run tries it first, until it expires 2026-11-27T07:00:00.000Z content_type=Audit.General cause=blob_pending content_id=b1 attempts=4`,
      ]);
    });

    it("reports expired content in full", async () => {
      api.blobs = [{ contentType: "Audit.General", contentId: "old", created: hoursAgo(5), records: [record()], failures: ["expired"] }];
      await run();
      assert.deepEqual(logs.filter((l) => l.includes("cause=content_expired")), [
        "WARN Blob old (created 2026-11-20T07:00:00.000Z) is no longer available (AF20051: content expired): its records are lost; collection ran more than 7 days behind content_type=Audit.General cause=content_expired content_id=old lost_start=2026-11-20T07:00:00.000Z lost_end=2026-11-27T07:00:00.000Z",
      ]);
    });

    it("reports a pending blob lost at the very instant it expires, without requesting it", async () => {
      api.blobs = [{ contentType: "Audit.General", contentId: "b1", created: hoursAgo(5), records: [record()], failures: ["garbled", "garbled", "garbled", "garbled"] }];
      await run({}, { maxConcurrency: 1 });
      api.calls = [];
      const r = await run({ now: () => new Date(hoursAgo(5).getTime() + 7 * 86_400_000) });
      assert.deepEqual(api.calls.filter((c) => c.startsWith("blob")), []);
      assert.deepEqual([r.summaries[0].expired, r.summaries[0].pending], [1, 0]);
      assert.deepEqual(logs.filter((l) => l.includes("cause=content_expired")), [
        `WARN Blob b1 (created 2026-11-20T07:00:00.000Z) is no longer available (it expired 2026-11-27T07:00:00.000Z while pending after 4 attempts; last error: ${GARBLED}): its records are lost; collection ran more than 7 days behind content_type=Audit.General cause=content_expired content_id=b1 lost_start=2026-11-20T07:00:00.000Z lost_end=2026-11-27T07:00:00.000Z`,
      ]);
      assert.deepEqual(cp().pending, []);
    });

    it("fetches a window's first blobs while its later pages are still being listed, and commits it after both", async () => {
      api.blobs = ["b1", "b2", "b3", "b4", "b5"].map((contentId, i) => ({ contentType: "Audit.General", contentId, created: hoursAgo(5 - i * 0.1), records: [record()] }));
      // The second page is answered only once a blob of the first has been requested: a run
      // that listed the whole window before fetching would wait here for ever.
      let fetched!: () => void;
      const firstFetch = new Promise<void>((resolve) => (fetched = resolve));
      api.onFetch = () => fetched();
      api.beforePage = (index) => (index === 0 ? Promise.resolve() : firstFetch);
      const r = await run({}, { maxConcurrency: 2 });
      assert.deepEqual(api.calls.filter((c) => c.startsWith("blob")).sort(), ["blob b1", "blob b2", "blob b3", "blob b4", "blob b5"]);
      assert.deepEqual([r.summaries[0].blobs, r.summaries[0].windows, r.summaries[0].complete], [5, 1, true]);
      assert.ok(cp().committedEnd, "the window is committed");
    });

    it("fetches a blob listed twice, or listed again in the overlap after it was written or while pending, once", async () => {
      const twice = { contentType: "Audit.General", contentId: "b3", created: hoursAgo(2), records: [record()] };
      api.blobs = [
        { contentType: "Audit.General", contentId: "b1", created: hoursAgo(0.5), records: [record()] },
        { contentType: "Audit.General", contentId: "b2", created: hoursAgo(0.5), records: [record()], failures: ["garbled", "garbled", "garbled", "garbled", "garbled"] },
        twice,
        twice,
      ];
      await run({}, { maxConcurrency: 1 });
      assert.deepEqual(api.calls.filter((c) => c.startsWith("blob")).sort(), ["blob b1", "blob b2", "blob b2", "blob b2", "blob b2", "blob b3"]);
      api.calls = [];
      const r = await run({ now: () => new Date(NOW.getTime() + 600_000) }, { maxConcurrency: 1 });
      assert.ok(api.calls.some((c) => c.startsWith("content")), "the overlap is listed again");
      assert.deepEqual(api.calls.filter((c) => c.startsWith("blob")), ["blob b2"], "only the pending blob's one attempt");
      assert.equal(r.summaries[0].pending, 1);
    });

    it("stops the content type when the sink fails: nothing more is fetched and its window stays open", async () => {
      api.blobs = [
        { contentType: "Audit.General", contentId: "b1", created: hoursAgo(5), records: [record()] },
        { contentType: "Audit.General", contentId: "b2", created: hoursAgo(4), records: [record()] },
      ];
      sink.onWrite = () => {
        throw new Error("disk full");
      };
      const r = await run({}, { maxConcurrency: 1 });
      assert.deepEqual(r.fatal && { cause: r.fatal.cause, message: r.fatal.message }, { cause: "collector_error", message: "disk full" });
      assert.deepEqual(api.calls.filter((c) => c.startsWith("blob")), ["blob b1"]);
      assert.deepEqual([r.summaries[0].windows, r.summaries[0].errors, r.summaries[0].complete], [0, 1, false]);
      assert.equal(cp().committedEnd, undefined);
      assert.deepEqual(cp().doneBlobs, {});
    });

    it("ends the run when the sink fails with a fault that would be retried elsewhere", async () => {
      api.blobs = [{ contentType: "Audit.General", contentId: "b1", created: hoursAgo(5), records: [record()] }];
      sink.onWrite = () => {
        throw new ActivityApiError("indexer busy", 503, "AF50000");
      };
      const r = await run();
      assert.deepEqual(r.fatal && { cause: r.fatal.cause, message: r.fatal.message }, { cause: "transient", message: "indexer busy" });
      assert.ok(!logs.some((l) => l.includes("Collection stopped after retries")));
      assert.equal(cp().committedEnd, undefined);
    });

    it("logs a fault that outlasted the client's retries, and leaves the run's outcome clean for the next run", async () => {
      api.listErrors = [new ActivityApiError("service unavailable", 503, "AF50000")];
      const r = await run();
      assert.equal(r.fatal, undefined);
      assert.deepEqual(logs.filter((l) => l.startsWith("ERROR")), [
        "ERROR Collection stopped after retries: service unavailable; the next run resumes from the last committed window content_type=Audit.General cause=transient code=AF50000 status=503",
      ]);
      assert.deepEqual([r.summaries[0].errors, r.summaries[0].complete, r.summaries[0].windows], [1, false, 0]);
    });

    it("ends the run on an unexpected error while listing", async () => {
      api.listContent = async function* () {
        yield* [];
        throw new Error("boom");
      };
      const r = await run();
      assert.deepEqual(r.fatal && { cause: r.fatal.cause, message: r.fatal.message }, { cause: "collector_error", message: "boom" });
      assert.deepEqual(logs.filter((l) => l.startsWith("ERROR")), ["ERROR boom cause=collector_error"]);
      assert.equal(r.summaries[0].errors, 1);
    });

    it("counts no error and records no fault when SIGTERM stops it", async () => {
      const ctl = new AbortController();
      api.blobs = [{ contentType: "Audit.General", contentId: "b1", created: hoursAgo(5), records: [record(), record()] }];
      sink.onWrite = () => ctl.abort();
      const r = await run({ signal: ctl.signal });
      assert.deepEqual([r.aborted, r.fatal, r.summaries[0].errors], [true, undefined, 0]);
      assert.deepEqual(logs.filter((l) => l.startsWith("ERROR")), []);
    });
  });

  describe("the run's steps", () => {
    const cpFile = () => path.join(dir, "contoso.json");
    const blob = (contentType: string, contentId: string, records: object[]) => ({ contentType, contentId, created: hoursAgo(5), records });

    it("moves a damaged checkpoint aside with a WARN naming where, and collects again", async () => {
      fs.writeFileSync(cpFile(), "{not json");
      api.blobs = [blob("Audit.General", "b1", [record()])];
      const r = await run();
      const reset = logs.filter((l) => l.includes("cause=checkpoint_reset"));
      assert.equal(reset.length, 1);
      const moved = `${cpFile()}.damaged-${NOW.getTime()}`;
      assert.match(reset[0], /^WARN Checkpoint reset \(checkpoint file is damaged: .*\); collecting again from backfill_hours, already written records are still skipped cause=checkpoint_reset moved_to=/);
      assert.ok(reset[0].endsWith(`moved_to=${moved}`));
      assert.equal(fs.readFileSync(moved, "utf8"), "{not json");
      assert.equal(r.summaries[0].records, 1);
    });

    it("ends the run on a checkpoint it cannot read, and writes no state over it", async () => {
      fs.mkdirSync(cpFile());
      const r = await run();
      assert.equal(r.fatal?.cause, "checkpoint_unreadable");
      assert.deepEqual(r.fatal?.fields, { path: cpFile(), os_error: "EISDIR" });
      assert.match(r.fatal?.message ?? "", /^Cannot read the input's state \(cannot read \S+contoso\.json: EISDIR.*\); the run stopped before collecting\. Make the file readable/);
      assert.deepEqual(fs.readdirSync(dir).sort(), ["contoso.json"]);
      assert.deepEqual(api.calls, []);
    });

    it("keeps written record keys under the run's own clock's day", async () => {
      api.blobs = [blob("Audit.General", "b1", [record()])];
      await run();
      assert.deepEqual(fs.readdirSync(path.join(dir, "contoso.ids")).filter((f) => f.endsWith(".ids")), ["2026-11-20.ids"]);
    });

    it("records no fault when SIGTERM breaks the subscription step", async () => {
      const ctl = new AbortController();
      api.listSubscriptions = async () => {
        ctl.abort();
        throw new Error("The operation was aborted");
      };
      const r = await run({ signal: ctl.signal });
      assert.deepEqual([r.aborted, r.fatal, r.summaries], [true, undefined, []]);
      assert.deepEqual(logs.filter((l) => l.startsWith("ERROR")), []);
    });

    it("splits the client's byte counters between content types, in the run summaries", async () => {
      api.subscriptions.push({ contentType: "Audit.Exchange", status: "enabled", webhook: null });
      const general = [record(), record()];
      const exchange = [record()];
      api.blobs = [blob("Audit.General", "g1", general), blob("Audit.Exchange", "x1", exchange)];
      const r = await run({}, { contentTypes: ["Audit.General", "Audit.Exchange"] });
      const sizes = [JSON.stringify(general).length, JSON.stringify(exchange).length];
      assert.deepEqual(r.summaries.map((s) => [s.contentType, s.bytesReceived, s.bytesDecoded]), [
        ["Audit.General", sizes[0], sizes[0]],
        ["Audit.Exchange", sizes[1], sizes[1]],
      ]);
      const lines = logs.filter((l) => l.startsWith("INFO run_summary"));
      assert.ok(lines[1].includes(`content_type=Audit.Exchange `) && lines[1].endsWith(`bytes_received=${sizes[1]} bytes_decoded=${sizes[1]}`), lines[1]);
    });

    it("starts no further content type once the run is halted", async () => {
      const ctl = new AbortController();
      api.subscriptions.push({ contentType: "Audit.Exchange", status: "enabled", webhook: null });
      api.blobs = [blob("Audit.General", "g1", [record()]), blob("Audit.Exchange", "x1", [record()])];
      sink.onWrite = () => ctl.abort();
      const r = await run({ signal: ctl.signal }, { contentTypes: ["Audit.General", "Audit.Exchange"] });
      assert.deepEqual(r.summaries.map((s) => s.contentType), ["Audit.General"]);
      assert.ok(!api.calls.some((c) => c.includes("Audit.Exchange") && !c.startsWith("start")));
    });

    it("reports a write failure that SIGTERM overtook, from the final drain", async () => {
      const ctl = new AbortController();
      api.blobs = [blob("Audit.General", "b1", [record()])];
      sink.onWrite = () => {
        ctl.abort();
        throw new Error("disk full");
      };
      const r = await run({ signal: ctl.signal });
      assert.equal(r.aborted, true);
      assert.deepEqual(r.fatal && { cause: r.fatal.cause, message: r.fatal.message }, { cause: "collector_error", message: "disk full" });
      assert.deepEqual(logs.filter((l) => l.startsWith("ERROR")), ["ERROR disk full cause=collector_error"]);
    });

    it("saves the state as the run leaves it, so blobs finished before SIGTERM are not fetched again", async () => {
      const ctl = new AbortController();
      api.blobs = [blob("Audit.General", "b1", [record()]), { ...blob("Audit.General", "b2", [record()]), created: hoursAgo(4) }];
      let writes = 0;
      sink.onWrite = () => void (++writes === 2 && ctl.abort());
      await run({ signal: ctl.signal }, { maxConcurrency: 1 });
      assert.deepEqual(Object.keys(JSON.parse(fs.readFileSync(cpFile(), "utf8")).contentTypes["Audit.General"].doneBlobs), ["b1"]);
      api.calls = [];
      sink.onWrite = undefined;
      await run({}, { maxConcurrency: 1 });
      assert.deepEqual(api.calls.filter((c) => c.startsWith("blob")), ["blob b2"]);
    });

    it("ends the run when the last save fails, after the summaries", async () => {
      api.blobs = [blob("Audit.General", "b1", [record()])];
      // The disk refuses the checkpoint once the content types are done (the client's byte counters are read then).
      let reads = 0;
      api.transferredBytes = () => {
        if (++reads === 2) fs.mkdirSync(`${cpFile()}.tmp`);
        return { ...api.transferred };
      };
      const r = await run();
      assert.equal(r.fatal?.cause, "checkpoint_unwritable");
      assert.equal(r.summaries[0].records, 1);
      assert.ok(logs.some((l) => l.startsWith("INFO run_summary")));
    });

    it("does not save the checkpoint again once recording written records failed", async () => {
      api.blobs = [blob("Audit.General", "b1", [record()]), { ...blob("Audit.General", "b2", [record()]), created: hoursAgo(4) }];
      let writes = 0;
      sink.onWrite = () => {
        // The Id store's day file turns unwritable after the first blob's keys reached it.
        if (++writes !== 2) return;
        const day = path.join(dir, "contoso.ids", "2026-11-20.ids");
        fs.rmSync(day);
        fs.mkdirSync(day);
      };
      const r = await run({}, { maxConcurrency: 1 });
      assert.equal(r.fatal?.cause, "checkpoint_unwritable");
      assert.deepEqual(api.calls.filter((c) => c.startsWith("blob")), ["blob b1", "blob b2"]);
      // As saved at the start: b1, finished since, is not recorded over a state that stopped being written.
      assert.deepEqual(JSON.parse(fs.readFileSync(cpFile(), "utf8")).contentTypes, {});
    });
  });

  describe("the Microsoft Graph step", () => {
    const job = { start: "2026-11-10T12:00:00.000Z", end: "2026-11-13T13:10:00.000Z", contentTypes: ["Audit.General"] };
    const withJob = () => {
      fs.writeFileSync(path.join(dir, "contoso.json"), JSON.stringify({ version: 1, tenantId: config().tenantId, contentTypes: {}, graph: { jobs: [job] } }));
    };
    const graph = (call: () => Promise<never>) => ({ graph: { origin: "https://graph.test", call } as unknown as GraphHttp });
    const jobsOnDisk = () => JSON.parse(fs.readFileSync(path.join(dir, "contoso.json"), "utf8")).graph?.jobs;

    it("leaves the spans owed to Graph alone when graph_backfill is off", async () => {
      withJob();
      const r = await run();
      assert.equal(r.fatal, undefined);
      assert.deepEqual(jobsOnDisk(), [job]);
    });

    it("ends the run when Graph's step cannot record its state", async () => {
      withJob();
      let calls = 0;
      const r = await run({
        graph: graph(async () => {
          calls++;
          throw new StateWriteError(path.join(dir, "contoso.json"), "ENOSPC", "no space left on device");
        }),
      });
      assert.equal(calls, 1);
      assert.equal(r.fatal?.cause, "checkpoint_unwritable");
      assert.ok(logs.some((l) => l.startsWith("ERROR Cannot write the input's state") && l.includes("os_error=ENOSPC")));
    });

    it("records no fault when SIGTERM ends Graph's step", async () => {
      withJob();
      const ctl = new AbortController();
      const r = await run({
        signal: ctl.signal,
        graph: graph(async () => {
          ctl.abort();
          throw new Error("The operation was aborted");
        }),
      });
      assert.deepEqual([r.aborted, r.fatal], [true, undefined]);
      assert.deepEqual(logs.filter((l) => l.startsWith("ERROR")), []);
      assert.deepEqual(jobsOnDisk(), [job]);
    });

    it("does not start once the run is halted", async () => {
      withJob();
      const ctl = new AbortController();
      api.blobs = [{ contentType: "Audit.General", contentId: "b1", created: hoursAgo(5), records: [record()] }];
      sink.onWrite = () => ctl.abort();
      let calls = 0;
      await run({
        signal: ctl.signal,
        graph: graph(async () => {
          calls++;
          throw new Error("not expected");
        }),
      });
      assert.equal(calls, 0);
    });
  });
});
