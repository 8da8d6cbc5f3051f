import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { emptyCheckpoint } from "../../../src/collector/checkpoint";
import { CollectorRun, Stopped } from "../../../src/collector/collectorRun";
import { IdStore } from "../../../src/collector/dedupe";
import type { EventSink } from "../../../src/splunk/eventSink";
import { createLogger } from "../../../src/splunk/logger";
import { testConfig } from "../../lib/testConfig";
import { FakeApi } from "./fakeApi";
import { FaultError } from "../../../src/errors/faultError";
import { BlobFormatError } from "../../../src/collector/blobSplitter";
import { StateWriteError } from "../../../src/collector/stateFile";

const sink: EventSink = { write: async () => undefined, close: async () => undefined };

describe("CollectorRun", () => {
  let dir: string;
  let api: FakeApi;
  let logs: string[];
  let clock: number;
  let abort: AbortController;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "cr-"));
    api = new FakeApi();
    logs = [];
    clock = Date.parse("2026-11-20T12:00:00Z");
    abort = new AbortController();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const make = () => {
    const run = new CollectorRun({ config: testConfig({ clientSecret: "s" }), api, sink, logger: createLogger((l) => logs.push(l), "DEBUG"), checkpointDir: dir, signal: abort.signal, now: () => new Date(clock) });
    run.begin(emptyCheckpoint("t1"), IdStore.load(path.join(dir, "ids"), { now: run.now }));
    return run;
  };

  it("takes the API's clock into the state and names a host clock off by more than a minute, once", () => {
    const run = make();
    api.skewSeconds = 60;
    run.readClock();
    assert.equal(run.state.clockSkewSeconds, 60);
    assert.equal(run.serverNow().toISOString(), "2026-11-20T12:01:00.000Z");
    assert.deepEqual(logs, []);
    api.skewSeconds = -61;
    run.readClock();
    assert.equal(run.clockSkewSeconds, -61);
    assert.deepEqual(logs, [
      "WARN This host's clock is 61 s ahead of the Activity API's; windows are planned on the API's clock, so nothing is lost. Sync the host's clock (NTP) cause=clock_skew skew_seconds=-61",
    ]);
    api.skewSeconds = 300;
    run.readClock();
    assert.equal(logs.length, 1, "once per run");
    assert.equal(run.state.clockSkewSeconds, 300);
    const other = make();
    api.skewSeconds = 90;
    other.readClock();
    assert.match(logs[1], /^WARN This host's clock is 90 s behind the Activity API's/);
  });

  it("the first fault stops the run and is logged once; halted then refuses more work", () => {
    const run = make();
    assert.equal(run.halted, false);
    run.checkHalted();
    const first = run.stop(new FaultError("no consent", { policy: "fatal", cause: "consent_missing" }));
    run.stop(new Error("later"));
    assert.deepEqual(first, { cause: "consent_missing", message: "no consent" });
    assert.equal(run.fatal, first);
    assert.deepEqual(logs, ["ERROR no consent cause=consent_missing"]);
    assert.equal(run.halted, true);
    assert.throws(() => run.checkHalted(), (e: unknown) => e instanceof Stopped);
  });

  it("once the write path broke, its failure is the fault that ends the run, whoever reports first", async () => {
    const full = new StateWriteError(path.join(dir, "ids", "x.ids"), "ENOSPC", "no space left on device");
    const failing: EventSink = { write: async () => Promise.reject(full), close: async () => undefined };
    const run = new CollectorRun({ config: testConfig({ clientSecret: "s" }), api, sink: failing, logger: createLogger((l) => logs.push(l), "DEBUG"), checkpointDir: dir, signal: abort.signal, now: () => new Date(clock) });
    run.begin(emptyCheckpoint("t1"), IdStore.load(path.join(dir, "ids"), { now: run.now }));
    const { durable } = await run.writes.submit({ events: [], keys: [], bytes: 0 });
    await assert.rejects(durable, (e: unknown) => e === full);
    // Another blob failed for its own reason meanwhile (a truncated body) and reports first.
    const fatal = run.stop(new BlobFormatError("blob ended before its closing ']' after 12400 bytes (truncated)"));
    assert.equal(fatal.cause, "checkpoint_unwritable");
    assert.equal(logs.length, 1);
    assert.match(logs[0], /^ERROR Cannot write the input's state \(cannot write .*: no space left on device\).* cause=checkpoint_unwritable .*os_error=ENOSPC/);
  });

  it("a stop signal halts the run too", () => {
    const run = make();
    abort.abort();
    assert.equal(run.halted, true);
    assert.equal(run.fatal, undefined);
  });

  it("saves progress only when the last save is at least progressSaveMs old", () => {
    const run = make();
    const file = run.checkpointFile;
    run.save();
    run.state.tenantId = "changed";
    clock += run.settings.progressSaveMs - 1;
    run.saveProgress();
    assert.equal(JSON.parse(fs.readFileSync(file, "utf8")).tenantId, "t1");
    clock += 1;
    run.saveProgress();
    assert.equal(JSON.parse(fs.readFileSync(file, "utf8")).tenantId, "changed");
  });
});
