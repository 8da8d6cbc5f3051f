// Collector faults of issue 10, end to end: the packaged input through the splunkd harness
// against the simulator. Each test injects one fault a real deployment meets (a poison blob,
// records that are not JSON objects, a retry wait at production timing, the host clock hours
// off, a full disk, a damaged checkpoint, two runs at once) and proves from the stream, the
// simulator's request log and splunkd.log that nothing is lost or repeated and the log names it.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_TENANT_ID, defaultTenant, type TenantOptions } from "../simulator";
import type { AuditRecord } from "../simulator/generator/values";
import type { StreamEvent } from "../harness/eventStream";
import type { LogLine } from "../harness/logLine";
import { eventId, repeatedIds, startWorld, type World } from "../lib/world";

const UNPARSED = "defender_o365:unparsed";
const CT = "Audit.General";
const DISK_FAULT = path.join(__dirname, "..", "harness", "diskFault.cjs");

const parsed = (events: readonly StreamEvent[]): StreamEvent[] => events.filter((e) => e.sourcetype !== UNPARSED);
const ids = (events: readonly StreamEvent[]): Set<string> => new Set(parsed(events).map(eventId));
const text = (logs: readonly LogLine[]): string => logs.map((l) => l.raw).join("\n");
const summary = (logs: readonly LogLine[]): string => logs.find((l) => l.raw.includes("run_summary"))?.raw ?? "(no run_summary)";

/** `count` copies of real-looking records with fresh Ids (prefix keeps them apart per test). */
function freshRecords(world: World, prefix: string, count: number): AuditRecord[] {
  const template = [...world.sim.records(DEFAULT_TENANT_ID, CT).values()].slice(0, count);
  return template.map((r, i) => ({ ...r, Id: `${prefix.padEnd(8, "0").slice(0, 8)}-0000-4000-8000-${String(i).padStart(12, "0")}` }));
}

/** Blob GETs of one contentId since request `from` of the simulator's log. */
function blobGets(world: World, contentId: string, from: number): number {
  return world.sim.requestLog.slice(from).filter((r) => r.kind === "blob" && r.contentId === contentId).length;
}

describe("collector faults (issue 10), end to end", function () {
  this.timeout(240_000);
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  async function start(tenant: Partial<TenantOptions> = {}, retryScale = 0): Promise<World> {
    world = await startWorld({
      simulator: { tenants: [{ ...defaultTenant(), backlog: { days: 2, blobsPerHour: 1, recordsPerBlob: 8, seed: 21 }, ...tenant }], pageSize: 10 },
      retryScale,
    });
    return world;
  }

  it("a poison blob goes pending and never blocks later content; a record that is not a JSON object is written once as received (4 runs)", async () => {
    const w = await start();
    w.addInput("poison", { backfill_hours: "48", max_concurrency: "2" });
    const now = w.sim.now();
    const blobs = w.sim.tenant(DEFAULT_TENANT_ID)!.allBlobs(CT);
    // A blob in the first 24 h window: every later blob, and the whole second window, come after it.
    const victim = blobs.find((b) => b.created > now - 46 * 3_600_000 && b.created < now - 40 * 3_600_000)!;
    const victimIds = new Set(Array.from({ length: victim.records.count }, (_, i) => victim.records.id(i)));
    const raw = { 1: '{"Id": "not json", "Operation": TRUE}', 2: '"a bare string"' };
    const records = freshRecords(w, "d0150a1c", 4);
    const [poisoned] = w.sim.publish(DEFAULT_TENANT_ID, CT, records, { contentCreated: new Date(now - 30 * 3_600_000), rawTexts: raw });
    const rawIds = new Set([records[1].Id, records[2].Id].map(String));
    const everything = new Set([...w.sim.recordIds(DEFAULT_TENANT_ID, CT)].filter((id) => !rawIds.has(id)));
    const all: StreamEvent[] = [];

    // Run 1: the victim breaks on every GET. Later blobs and windows are collected anyway.
    w.sim.setFaults({ brokenBlobs: [victim.contentId] });
    let from = w.sim.requestLog.length;
    const r1 = await w.run("poison");
    all.push(...r1.events);
    assert.equal(r1.code, 0, text(r1.logs));
    // The garbled body carries its first record whole before the garbage: that one is written.
    const victimFirst = victim.records.id(0);
    assert.deepEqual(ids(r1.events), new Set([...everything].filter((id) => !victimIds.has(id) || id === victimFirst)), "all but the victim in the first run");
    assert.equal(blobGets(w, victim.contentId, from), 4, "four attempts");
    assert.match(text(r1.logs), new RegExp(`WARN .*cause=blob_pending .*content_id=${victim.contentId.replace(/\$/g, "\\$")}`));
    assert.match(text(r1.logs), new RegExp(`WARN 2 record\\(s\\) in blob ${poisoned.replace(/\$/g, "\\$")} are not JSON objects.*cause=record_unparsed`));
    assert.match(summary(r1.logs), /unparsed=2 pending=1 lag_seconds=(\d+)/);
    assert.ok(Number(/lag_seconds=(\d+)/.exec(summary(r1.logs))![1]) > 40 * 3600, "lag counts the pending blob");
    assert.match(summary(r1.logs), /windows=2 complete=false/);
    assert.deepEqual(
      r1.events.filter((e) => e.sourcetype === UNPARSED).map((e) => e.data),
      [raw[1], raw[2]],
      "written as received",
    );

    // Run 2: still broken: one attempt, nothing else fetched again, nothing written.
    from = w.sim.requestLog.length;
    const r2 = await w.run("poison");
    all.push(...r2.events);
    assert.equal(blobGets(w, victim.contentId, from), 1);
    assert.equal(r2.events.length, 0);
    assert.match(summary(r2.logs), /pending=1/);

    // Run 3: the fault clears; the pending blob is collected first.
    w.sim.setFaults({});
    const r3 = await w.run("poison");
    all.push(...r3.events);
    assert.deepEqual(ids(r3.events), new Set([...victimIds].filter((id) => id !== victimFirst)));
    assert.match(summary(r3.logs), /pending=0 lag_seconds=\d+ errors=0 windows=1 complete=true/);

    // Run 4: nothing left.
    const r4 = await w.run("poison");
    all.push(...r4.events);
    assert.equal(r4.events.length, 0);
    assert.deepEqual(repeatedIds(parsed(all)), [], "nothing repeated");
    assert.deepEqual(ids(all), everything, "nothing lost");
    assert.equal(all.filter((e) => e.sourcetype === UNPARSED).length, 2, "the bad records written once");
    console.log(`      runs wrote ${[r1, r2, r3, r4].map((r) => r.events.length).join(", ")} events of ${everything.size} records + 2 unparsed; 0 lost, 0 repeated`);
  });

  it("a pending blob that expires is reported lost, naming its span", async () => {
    const w = await start();
    w.addInput("expiring", { backfill_hours: "48" });
    const victim = w.sim.tenant(DEFAULT_TENANT_ID)!.allBlobs(CT)[3];
    w.sim.setFaults({ brokenBlobs: [victim.contentId] });
    await w.run("expiring");
    w.sim.setFaults({ expire: [victim.contentId] });
    const r = await w.run("expiring");
    const warn = r.logs.find((l) => l.raw.includes("cause=content_expired"))?.raw ?? "";
    assert.match(warn, new RegExp(`^WARN .*content_id=${victim.contentId.replace(/\$/g, "\\$")} lost_start=${new Date(victim.created).toISOString()} lost_end=\\S+`));
    assert.match(summary(r.logs), /expired=1 unparsed=0 pending=0/);
  });

  it("a blob that breaks once is retried after the production wait (1 s), and the run ends with run_complete and </stream>", async () => {
    const w = await start({}, 1);
    w.addInput("prodwait", { backfill_hours: "48" });
    w.sim.setFaults({ garbledBlobs: { count: 1 } });
    const started = Date.now();
    const r = await w.run("prodwait");
    assert.equal(r.code, 0, text(r.logs));
    assert.match(text(r.logs), /WARN Blob .* broke .*cause=blob_broken .*attempt=1/);
    assert.match(text(r.logs), /INFO run_complete /, "the run reported its end");
    const took = Date.now() - started;
    assert.ok(took >= 1000, "the wait really was production timing");
    console.log(`      one retry after the production 1 s wait; run took ${took} ms, ${r.events.length} records, exit 0`);
    assert.deepEqual(ids(r.events), w.sim.recordIds(DEFAULT_TENANT_ID, CT));
    assert.deepEqual(repeatedIds(r.events), []);
    // runInput rejects a stream that was opened and not closed; the close tag is the last event's follower.
  });

  for (const [name, skew] of [
    ["3 h ahead of", -10_800],
    ["3 h behind", 10_800],
  ] as const) {
    it(`the host clock ${name} the API's: windows on the API's clock in every run, nothing lost, splunkd.log names it`, async () => {
      world = await startWorld({ simulator: { tenants: [], pageSize: 10 }, retryScale: 0 });
      const w = world;
      w.sim.setFaults({ clockSkewSeconds: skew });
      w.sim.addTenant({ ...defaultTenant(), backlog: { days: 1, blobsPerHour: 1, recordsPerBlob: 5, seed: 8 } });
      w.addInput("clock", { backfill_hours: "24" });
      const all: StreamEvent[] = [];
      const logs: LogLine[][] = [];
      for (let run = 0; run < 3; run++) {
        // New content between runs, as the service keeps publishing; runs come within 15 minutes.
        if (run > 0) w.sim.publish(DEFAULT_TENANT_ID, CT, freshRecords(w, `c10c${run}${skew > 0 ? "b" : "a"}`, 5), { contentCreated: new Date(w.sim.now() - 120_000) });
        const r = await w.run("clock");
        all.push(...r.events);
        logs.push(r.logs);
        assert.equal(r.code, 0, text(r.logs));
      }
      assert.deepEqual(repeatedIds(all), []);
      assert.deepEqual(ids(all), w.sim.recordIds(DEFAULT_TENANT_ID, CT), "nothing lost");
      for (const runLogs of logs) {
        // Every run names the skew; the Date header has whole seconds, so within a second of the fault's.
        const warn = /WARN .*cause=clock_skew skew_seconds=(-?\d+)/.exec(text(runLogs));
        assert.ok(warn && Math.abs(Number(warn[1]) - skew) <= 1, text(runLogs));
        assert.match(warn[0], new RegExp(`This host's clock is 10(799|800|801) s ${skew > 0 ? "behind" : "ahead of"} the Activity API's`));
      }
    });
  }

  for (const mode of ["enospc", "short"] as const) {
    it(`a full disk (${mode === "enospc" ? "ENOSPC" : "short writes"}) stops the run at once with checkpoint_unwritable; at most the batch in flight repeats`, async () => {
      const w = await start();
      w.addInput("disk", { backfill_hours: "48" });
      const fault = { NODE_OPTIONS: `--require ${DISK_FAULT}`, DEFENDER_TEST_DISK_FAULT: JSON.stringify({ dir: w.checkpointDir, afterBytes: 2500, mode }) };
      const r1 = await w.run("disk", { env: fault });
      assert.equal(r1.code, 1, text(r1.logs));
      const error = r1.logs.find((l) => l.level === "ERROR")?.raw ?? "";
      assert.match(error, /cause=checkpoint_unwritable path=\S+ os_error=(ENOSPC|short_write)/);
      assert.match(error, new RegExp(`os_error=${mode === "enospc" ? "ENOSPC" : "short_write"}`));
      assert.ok(r1.events.length > 0 && r1.events.length < w.sim.recordIds(DEFAULT_TENANT_ID, CT).size, `stopped mid-run (${r1.events.length} events)`);
      const r2 = await w.run("disk");
      assert.equal(r2.code, 0, text(r2.logs));
      const all = [...r1.events, ...r2.events];
      assert.deepEqual(ids(all), w.sim.recordIds(DEFAULT_TENANT_ID, CT), "nothing lost");
      // One batch is at most one blob's records here (8 < the batch size).
      assert.ok(repeatedIds(all).length <= 8, `repeats beyond one batch: ${repeatedIds(all).length}`);
      console.log(`      stopped after ${r1.events.length} of ${ids(all).size} records; repeated ${repeatedIds(all).length}; 0 lost`);
    });
  }

  it("a checkpoint folder that cannot be written stops the run before its first event", async () => {
    const w = await start();
    w.addInput("nodisk", { backfill_hours: "48" });
    const fault = { NODE_OPTIONS: `--require ${DISK_FAULT}`, DEFENDER_TEST_DISK_FAULT: JSON.stringify({ dir: w.checkpointDir, afterBytes: 0, mode: "enospc" }) };
    const r = await w.run("nodisk", { env: fault });
    assert.equal(r.code, 1);
    assert.equal(r.events.length, 0);
    assert.equal(w.sim.requestLog.filter((q) => q.kind === "blob").length, 0, "no blob fetched");
    assert.match(r.logs.find((l) => l.level === "ERROR")?.raw ?? "", /cause=checkpoint_unwritable path=\S+nodisk.lock\S* os_error=ENOSPC/);
  });

  for (const [what, damage] of [
    ["committedEnd is not a date", (ct: Record<string, unknown>) => (ct.committedEnd = "yesterday")],
    ["doneBlobs is missing", (ct: Record<string, unknown>) => delete ct.doneBlobs],
    ["a doneBlobs time is a string", (ct: Record<string, unknown>) => ((ct.doneBlobs as Record<string, unknown>)["x"] = "soon")],
  ] as const) {
    it(`a damaged checkpoint (${what}) resets with checkpoint_reset and collection goes on`, async () => {
      const w = await start();
      w.addInput("damaged", { backfill_hours: "48" });
      const r1 = await w.run("damaged");
      const file = path.join(w.checkpointDir, "damaged.json");
      const state = JSON.parse(fs.readFileSync(file, "utf8")) as { contentTypes: Record<string, Record<string, unknown>> };
      damage(state.contentTypes[CT]);
      fs.writeFileSync(file, JSON.stringify(state));
      w.sim.publish(DEFAULT_TENANT_ID, CT, freshRecords(w, "da3a6ed0", 5), { contentCreated: new Date(w.sim.now() - 120_000) });
      const r2 = await w.run("damaged");
      assert.equal(r2.code, 0);
      assert.match(text(r2.logs), /WARN Checkpoint reset \(checkpoint file is damaged: checkpoint\.contentTypes\.Audit\.General\.\S+ .*cause=checkpoint_reset/);
      assert.match(summary(r2.logs), /lag_seconds=\d+ errors=0 windows=\d+ complete=true/);
      const r3 = await w.run("damaged");
      assert.match(summary(r3.logs), /lag_seconds=\d+ errors=0 windows=1 complete=true/, "the next run resumes normally");
      const all = [...r1.events, ...r2.events, ...r3.events];
      assert.deepEqual(repeatedIds(all), []);
      assert.deepEqual(ids(all), w.sim.recordIds(DEFAULT_TENANT_ID, CT));
      assert.ok(fs.readdirSync(w.checkpointDir).some((f) => f.startsWith("damaged.json.damaged-")), "the damaged file is kept aside");
    });
  }

  it("two runs of one input at once: the second exits 0 with already_running; a stale lock is taken over", async () => {
    const w = await start();
    w.addInput("twice", { backfill_hours: "48" });
    w.sim.setFaults({ latencyMs: 150 });
    const lockFile = path.join(w.checkpointDir, "twice.lock");
    const first = w.start("twice");
    // Until the first run holds its lock (bounded: a build without the lock never writes one).
    for (let waited = 0; !fs.existsSync(lockFile) && waited < 3000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    const second = await w.run("twice");
    assert.equal(second.code, 0);
    assert.equal(second.events.length, 0);
    assert.match(text(second.logs), new RegExp(`WARN Another run of this input is still working \\(pid ${first.pid},.*cause=already_running`));
    assert.match(text(second.logs), /INFO run_complete .*skipped=already_running/);
    assert.equal((await first.exited).code, 0);
    assert.ok(!fs.existsSync(lockFile), "the lock is released at exit");
    w.sim.setFaults({});

    // A lock left by a process that is gone (a hard kill) does not stop the next run.
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
    fs.writeFileSync(lockFile, JSON.stringify({ pid: dead, startedAt: new Date().toISOString() }));
    w.sim.publish(DEFAULT_TENANT_ID, CT, freshRecords(w, "10c4ed00", 5), { contentCreated: new Date(w.sim.now() - 120_000) });
    const third = await w.run("twice");
    assert.equal(third.code, 0, text(third.logs));
    assert.doesNotMatch(text(third.logs), /already_running/);
    const all = [...first.events, ...third.events];
    assert.deepEqual(repeatedIds(all), []);
    assert.deepEqual(ids(all), w.sim.recordIds(DEFAULT_TENANT_ID, CT));
  });
});
