// The packaged standalone collector (bin/defender_o365_collector.sh from the extracted archive)
// against the Activity API simulator and the HEC stand-in: every record once with the modular
// input's exact event text and metadata, HEC busy or acknowledging late, SIGKILL and SIGTERM,
// and no secret in logs or state.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_TENANT_ID, defaultTenant } from "../simulator";
import { COLLECTOR_HOST, COLLECTOR_INDEX, indexedId, startCollector, type Collector, type CollectorExit } from "../lib/collector";
import { eventId, startWorld, type World } from "../lib/world";
import type { IndexedEvent } from "../hec/server";
import { HEC_MAX_IN_FLIGHT } from "../../src/standalone/service";

const ONCE = ["--config", "collector.json", "--once"];

function eventPosts(c: Collector): number {
  return c.hec.requestLog.filter((r) => r.path === "/services/collector/event" && r.status === 200).length;
}

function assertNoSecret(c: Collector, exits: CollectorExit[]): void {
  const texts = exits.map((e) => e.stderr + e.stdout);
  const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)]));
  for (const file of walk(c.stateDir)) texts.push(fs.readFileSync(file).toString("latin1"));
  for (const secret of c.secrets) for (const t of texts) assert.ok(!t.includes(secret), "a secret leaked into the log or the state");
}

function idsOf(events: readonly IndexedEvent[]): string[] {
  return events.map(indexedId);
}

describe("standalone collector end to end (packaged app, simulator, HEC stand-in)", function () {
  this.timeout(300_000);
  let world: World | undefined;
  let collector: Collector | undefined;
  afterEach(async () => {
    await collector?.close();
    await world?.close();
    collector = undefined;
    world = undefined;
  });

  it("--once delivers every record once with the modular input's event text and metadata; a second --once sends nothing", async () => {
    world = await startWorld({ retryScale: 1 });
    collector = await startCollector(world);
    const first = await collector.run(ONCE);
    assert.equal(first.code, 0, first.stderr);
    assert.ok(first.logs.every((l) => l.level !== "NOT_JSON"), "every log line is JSON");
    const summary = first.logs.find((l) => l.message === "run_summary");
    assert.equal(summary?.input, "contoso");
    assert.equal(summary?.complete, true);

    const expected = world.sim.recordIds(DEFAULT_TENANT_ID, "Audit.General");
    const got = idsOf(collector.hec.indexed);
    assert.equal(got.length, expected.size, "every record, none twice");
    assert.deepEqual(new Set(got), new Set(expected));

    // The modular input on the same tenant: HEC's events carry its exact text and metadata.
    world.addInput("contoso", { host: COLLECTOR_HOST, index: COLLECTOR_INDEX });
    const xml = await world.run("contoso");
    assert.equal(xml.code, 0);
    const key = (id: string, data: string, time?: number, host?: string, source?: string, sourcetype?: string, index?: string): string => JSON.stringify([id, data, time, host, source, sourcetype, index]);
    const fromHec = collector.hec.indexed.map((e) => key(indexedId(e), e.event as string, e.time, e.host, e.source, e.sourcetype, e.index)).sort();
    const fromXml = xml.events.map((e) => key(eventId(e), e.data, e.time, e.host, e.source, e.sourcetype, e.index)).sort();
    assert.deepEqual(fromHec, fromXml);

    const posts = eventPosts(collector);
    const second = await collector.run(ONCE);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(eventPosts(collector), posts, "the second run sends nothing");
    assertNoSecret(collector, [first, second]);
  });

  it("with HEC randomly busy and acknowledging late (production timing), nothing is lost or doubled", async () => {
    world = await startWorld({ retryScale: 1 });
    collector = await startCollector(world, { hec: { faults: { busyRate: 0.3 }, indexDelayMs: () => Math.floor(Math.random() * 1500), seed: 3 } });
    const exit = await collector.run(ONCE, 280_000);
    assert.equal(exit.code, 0, exit.stderr);
    assert.ok(collector.hec.requestLog.some((r) => r.fault === "busy"), "HEC was busy at least once");
    assert.ok(exit.logs.some((l) => l.level === "WARN" && l.cause === "hec_busy"));
    const expected = world.sim.recordIds(DEFAULT_TENANT_ID, "Audit.General");
    const got = idsOf(collector.hec.indexed);
    assert.equal(got.length, expected.size);
    assert.deepEqual(new Set(got), new Set(expected));
  });

  it("a batch whose ack never comes is sent again, and those batches are the only repeats", async () => {
    world = await startWorld({ retryScale: 1 });
    // DEFENDER_O365_RETRY_SCALE 0.01 turns the 300 s ack timeout into 3 s.
    collector = await startCollector(world, { hec: { faults: { dropAckRate: 0.2 }, seed: 5 }, env: { DEFENDER_O365_RETRY_SCALE: "0.01" } });
    const exit = await collector.run(ONCE);
    assert.equal(exit.code, 0, exit.stderr);
    const dropped = new Set(collector.hec.requestLog.filter((r) => r.fault === "drop_ack").map((r) => r.ackId));
    assert.ok(dropped.size > 0, "some acks were dropped");
    assert.equal(exit.logs.filter((l) => l.cause === "hec_ack_timeout").length, dropped.size);
    const expected = world.sim.recordIds(DEFAULT_TENANT_ID, "Audit.General");
    assert.deepEqual(new Set(idsOf(collector.hec.indexed)), new Set(expected), "nothing lost");
    const firstCopies = new Map<string, IndexedEvent>();
    for (const e of collector.hec.indexed) if (!firstCopies.has(indexedId(e))) firstCopies.set(indexedId(e), e);
    for (const e of collector.hec.indexed) {
      const first = firstCopies.get(indexedId(e))!;
      if (first !== e) assert.ok(dropped.has(first.ackId), `record ${indexedId(e)} repeated though its first batch was acknowledged`);
    }
    assert.ok(collector.hec.indexed.length > expected.size, "the resent batches were indexed twice (their first copy too)");
  });

  it("SIGKILL mid-run, then --once: nothing lost, repeats only from batches not yet acknowledged", async () => {
    world = await startWorld({ retryScale: 1, simulator: { tenants: [{ ...defaultTenant(), backlog: { days: 1, blobsPerHour: 4, recordsPerBlob: 40, seed: 11 } }] } });
    collector = await startCollector(world, { hec: { indexDelayMs: 400 } });
    const c = collector;
    const p = c.start(ONCE);
    // Kill once a few batches were acknowledged and others are still waiting.
    while (c.hec.requestLog.filter((r) => (r.acked ?? []).length > 0).length < 3) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 1_500)); // some acks settle long before the kill
    const killedAt = Date.now();
    p.proc.kill("SIGKILL");
    const killed = await p.exited;
    assert.equal(killed.signal, "SIGKILL");
    // Acknowledged for sure: answered true well before the kill (an answer still on its way, or
    // read but not yet recorded when the kill landed, leaves its batch unacknowledged to the collector).
    const acked = new Set(c.hec.requestLog.filter((r) => r.at < killedAt - 1_000).flatMap((r) => r.acked ?? []));
    const second = await c.run(ONCE);
    assert.equal(second.code, 0, second.stderr);
    const expected = world.sim.recordIds(DEFAULT_TENANT_ID, "Audit.General");
    assert.deepEqual(new Set(idsOf(c.hec.indexed)), new Set(expected), "nothing lost");
    // A repeat's first copy came from the killed run's channel, in a batch never reported indexed.
    const firstRun = c.hec.indexed[0]?.channel;
    const firstCopies = new Map<string, IndexedEvent>();
    let repeats = 0;
    for (const e of c.hec.indexed) {
      const id = indexedId(e);
      const first = firstCopies.get(id);
      if (!first) {
        firstCopies.set(id, e);
        continue;
      }
      repeats++;
      assert.equal(first.channel, firstRun);
      assert.ok(!acked.has(first.ackId!), `record ${id} repeated though its batch was acknowledged before the kill`);
    }
    assert.ok(repeats <= HEC_MAX_IN_FLIGHT * 500, `${repeats} repeats: at most the batches in flight (${HEC_MAX_IN_FLIGHT} of at most 500 events) may repeat`);
  });

  it("SIGTERM stops the looping collector within 5 s; a second one on its state_dir stops at once; the next --once loses nothing", async () => {
    world = await startWorld({ retryScale: 1 });
    collector = await startCollector(world, { hec: { indexDelayMs: 300 } });
    const c = collector;
    const p = c.start(["--config", "collector.json"]);
    while (!c.hec.requestLog.some((r) => r.path.endsWith("/event"))) await new Promise((r) => setTimeout(r, 20));
    // One process per state_dir: a second collector on it stops at once.
    const second = await c.run(ONCE);
    assert.equal(second.code, 1);
    assert.match(String(second.logs.find((l) => l.cause === "already_running")?.message), /Another collector \(pid \d+, since .*\) runs with state_dir/);
    const signalled = Date.now();
    p.proc.kill("SIGTERM");
    const stopped = await p.exited;
    const took = Date.now() - signalled;
    assert.ok(took < 5_000, `stopped after ${took} ms`);
    assert.ok(stopped.logs.some((l) => l.message === "Stopping" && l.reason === "SIGTERM"));
    const again = await c.run(ONCE);
    assert.equal(again.code, 0, again.stderr);
    const expected = world.sim.recordIds(DEFAULT_TENANT_ID, "Audit.General");
    assert.deepEqual(new Set(idsOf(c.hec.indexed)), new Set(expected));
    assertNoSecret(c, [stopped, second, again]);
  });

  it("stops with a clear error when HEC refuses the token, and --check names each problem", async () => {
    world = await startWorld({ retryScale: 1 });
    collector = await startCollector(world);
    // A token HEC does not know.
    fs.writeFileSync(path.join(collector.dir, "hec.token"), "99999999-9999-4999-8999-999999999999\n");
    collector.secrets.push("99999999-9999-4999-8999-999999999999");
    const exit = await collector.run(ONCE);
    assert.equal(exit.code, 1, exit.stderr);
    const error = exit.logs.find((l) => l.level === "ERROR" && l.cause === "hec_token_invalid");
    assert.match(String(error?.message), /Invalid token/);
    assert.equal(collector.hec.indexed.length, 0);
    const check = await collector.run(["--config", "collector.json", "--check"]);
    assert.equal(check.code, 1);
    assert.match(check.stdout, /^hec: HEC refused the batch \(HTTP 403 code 4 "Invalid token"\): HEC does not know this token/m);
    assert.match(check.stdout, /1 problem\(s\)/);
    assertNoSecret(collector, [exit, check]);
  });
});
