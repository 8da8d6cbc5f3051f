import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ActivityApiError } from "../../../src/api/errors";
import { parseApiError } from "../../../src/api/client";
import { collect } from "../../../src/collector/collect";
import type { CollectOptions } from "../../../src/collector/collectorRun";
import type { InputConfig } from "../../../src/config/inputConfig";
import type { SplunkEvent } from "../../../src/splunk/event";
import type { EventSink } from "../../../src/splunk/eventSink";
import { createLogger } from "../../../src/splunk/logger";
import { testConfig } from "../../lib/testConfig";
import { FakeApi } from "./fakeApi";

const NOW = new Date("2026-11-20T12:00:00.000Z");
const hoursAgo = (h: number): Date => new Date(NOW.getTime() - h * 3_600_000);

class MemorySink implements EventSink {
  events: SplunkEvent[] = [];
  async write(events: readonly SplunkEvent[]): Promise<void> {
    this.events.push(...events);
  }
  async close(): Promise<void> {}
}

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
});
