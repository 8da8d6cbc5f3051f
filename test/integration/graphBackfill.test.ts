// The Graph backfill end to end (issue 13): the packaged input through the splunkd harness,
// 10 days of records, the Activity API serving the last 7 (its horizon), Graph served on beta
// only (v1.0 answers 404, as a live tenant did). Every record is written once, without OData
// annotations; a second run writes nothing; Graph is asked about no more than 96 h. Then a
// SIGKILL in the middle of paging the Graph records loses nothing and repeats at most one batch.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID, defaultTenant, type Simulator } from "../simulator";
import type { StreamEvent } from "../harness/eventStream";
import { eventId, repeatedIds, startWorld, type World } from "../lib/world";
import { proveFault } from "../reliability/faultProof";

const HOUR = 3_600_000;
const OTHER_TENANT = "6b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e";
// One stdout write of the XML writer (its batchLimit): what a hard kill may repeat.
const BATCH = 100;
const TEN_DAYS = { days: 10, blobsPerHour: 2, recordsPerBlob: 15, seed: 13 };

function graphHoursAsked(sim: Simulator): number {
  return [...sim.graph.queries.values()].reduce((h, q) => h + (q.end - q.start) / HOUR, 0);
}

function graphParams(world: World): Record<string, string> {
  return { graph_backfill: "1", graph_url: world.sim.url, backfill_hours: "240", content_types: "Audit.General" };
}

/**
 * The records a first run with backfill_hours = 240 owes: every record whose CreationTime is in
 * the last 240 h (a minute of margin for the run's own start). Older ones (the simulator makes
 * 2 % of records days late) are outside the history asked for.
 */
function owed(sim: Simulator, startedAt: number): Set<string> {
  const from = startedAt - 240 * HOUR + 60_000;
  const out = new Set<string>();
  for (const [id, r] of sim.records(DEFAULT_TENANT_ID, "Audit.General")) if (Date.parse(`${String(r.CreationTime)}Z`) >= from) out.add(id);
  return out;
}

describe("Graph backfill end to end (packaged input, splunkd harness)", function () {
  this.timeout(240_000);
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it("writes 10 days once, Activity API for the last 7, Graph (beta only) past them, asking Graph about at most 96 h", async () => {
    world = await startWorld({ simulator: { tenants: [{ ...defaultTenant(), backlog: { ...TEN_DAYS } }], graph: { versions: ["beta"], pageSize: 200 } } });
    world.addInput("graph", graphParams(world));
    const startedAt = world.sim.now();
    const first = await world.run("graph", { timeoutMs: 180_000 });
    assert.equal(first.code, 0, first.logs.map((l) => l.raw).join("\n"));

    const expected = owed(world.sim, startedAt);
    const all = world.sim.recordIds(DEFAULT_TENANT_ID, "Audit.General");
    const ids = new Set(first.events.map(eventId));
    assert.deepEqual(repeatedIds(first.events), []);
    assert.deepEqual([...expected].filter((id) => !ids.has(id)), [], "records of the last 240 h not written");
    assert.deepEqual([...ids].filter((id) => !all.has(id)), [], "records written that the tenant does not hold");
    assert.ok(first.events.every((e) => !e.data.includes("@odata.")), "an event still carries an OData annotation");
    const fromGraph = first.events.filter((e) => /"CreationTime":"[^"]*Z"/.test(e.data));
    assert.ok(fromGraph.length > 0, "no record came from Graph");
    assert.ok(fromGraph.every((e) => e.source === `defender_o365:${DEFAULT_TENANT_ID}:Audit.General` && e.sourcetype?.startsWith("o365:")));

    // The Activity API was asked for its 7 days only; Graph for the rest plus its overlap.
    const oldestListed = Math.min(...world.sim.requestLog.filter((r) => r.kind === "content" && r.status === 200).map((r) => Date.parse(`${r.query.startTime}Z`)));
    assert.ok(world.sim.now() - oldestListed <= 7 * 24 * HOUR, "the Activity API was asked past its horizon");
    assert.ok(graphHoursAsked(world.sim) <= 96, `Graph asked about ${graphHoursAsked(world.sim)} h`);
    assert.deepEqual([...world.sim.graph.queries.values()].map((q) => q.version), ["beta"]);
    assert.ok(first.logs.some((l) => /graph_backfill_summary .*complete=true/.test(l.raw)), "no complete graph_backfill_summary");
    assert.ok(!first.logs.some((l) => /cause=horizon_exceeded/.test(l.raw)), "a span was reported lost");

    const second = await world.run("graph");
    assert.equal(second.code, 0);
    assert.equal(second.events.length, 0, `the second run wrote ${second.events.length} events`);
    assert.equal(world.sim.graph.queries.size, 1, "the second run asked Graph again");
  });

  it("with graph_backfill = 0, an input stopped for 9 days reports the lost span and says graph_backfill would recover it", async () => {
    world = await startWorld({ simulator: { tenants: [{ ...defaultTenant(), backlog: { ...TEN_DAYS } }] } });
    world.addInput("stopped", { content_types: "Audit.General" });
    const committedEnd = new Date(world.sim.now() - 9 * 24 * HOUR).toISOString();
    const checkpoint = { version: 1, tenantId: DEFAULT_TENANT_ID, contentTypes: { "Audit.General": { committedEnd, doneBlobs: {}, pending: [] } } };
    fs.writeFileSync(path.join(world.checkpointDir, "stopped.json"), JSON.stringify(checkpoint));
    const run = await world.run("stopped", { timeoutMs: 120_000 });
    assert.equal(run.code, 0, run.logs.map((l) => l.raw).join("\n"));
    const warn = run.logs.find((l) => /cause=horizon_exceeded/.test(l.raw));
    assert.ok(warn, "no horizon_exceeded WARN");
    assert.match(warn.raw, /graph_backfill = 1 would recover/);
    assert.equal(world.sim.graph.queries.size, 0);
  });

  it("the connection test (--validate-arguments) names Graph's missing permission and its consent step, and passes once consented", async () => {
    world = await startWorld({ simulator: { tenants: [{ ...defaultTenant(), backlog: false, graphConsentMissing: true }], graph: { versions: ["beta"] } } });
    const params = { tenant_id: DEFAULT_TENANT_ID, client_id: DEFAULT_CLIENT_ID, client_secret: DEFAULT_CLIENT_SECRET, api_url: world.sim.url, authority_url: world.sim.url, graph_backfill: "1", graph_url: world.sim.url };
    const refused = await world.splunkd.runValidate(params, { env: world.env });
    assert.equal(refused.code, 1);
    assert.match(refused.error ?? "", /\[graph_consent_missing\].*AuditLogsQuery\.Read\.All.*Grant admin consent/);
    world.sim.addTenant({ ...defaultTenant(), tenantId: OTHER_TENANT, domains: [], backlog: false });
    const passed = await world.splunkd.runValidate({ ...params, tenant_id: OTHER_TENANT }, { env: world.env });
    assert.equal(passed.error, undefined, passed.logs.map((l) => l.raw).join("\n"));
    assert.equal(passed.code, 0);
  });

  it("waits out a 429 and searches again after a failed query, with production timing", async () => {
    world = await startWorld({ simulator: { tenants: [{ ...defaultTenant(), backlog: { ...TEN_DAYS, blobsPerHour: 1 } }], graph: { versions: ["beta"] } }, retryScale: 1 });
    world.sim.setFaults({ throttle: { count: 1, on: ["graph_create"], retryAfterSeconds: 1 }, failedQueries: { count: 1 } });
    world.addInput("faults", graphParams(world));
    const startedAt = world.sim.now();
    const first = await world.run("faults", { timeoutMs: 120_000 });
    assert.equal(first.code, 0, first.logs.map((l) => l.raw).join("\n"));
    assert.ok(first.logs.some((l) => l.level === "WARN" && /cause=graph_throttled/.test(l.raw)), "no graph_throttled WARN");
    assert.ok(first.logs.some((l) => l.level === "ERROR" && /cause=graph_query_failed/.test(l.raw)), "no graph_query_failed ERROR");
    assert.ok(first.logs.some((l) => /graph_backfill_summary .*complete=false/.test(l.raw)));
    const creates = world.sim.requestLog.filter((r) => r.kind === "graph_create").map((r) => r.status);
    assert.deepEqual(creates, [429, 404, 201]);

    const second = await world.run("faults", { timeoutMs: 120_000 });
    assert.equal(second.code, 0);
    assert.equal(world.sim.graph.queries.size, 2, "the failed span was not searched again");
    const events = [...first.events, ...second.events];
    assert.deepEqual(repeatedIds(events), []);
    const ids = new Set(events.map(eventId));
    assert.deepEqual([...owed(world.sim, startedAt)].filter((id) => !ids.has(id)), []);
  });

  it("a records page that is not JSON is ERROR graph_page_unreadable naming the query; the next run reads it again, nothing lost or repeated", async () => {
    world = await startWorld({ simulator: { tenants: [{ ...defaultTenant(), backlog: { ...TEN_DAYS } }], graph: { versions: ["beta"], pageSize: 50 } } });
    world.sim.setFaults({ garbledGraphPages: { count: 1 } });
    world.addInput("garbled", graphParams(world));
    const startedAt = world.sim.now();
    const first = await world.run("garbled", { timeoutMs: 180_000 });
    assert.equal(first.code, 0, first.logs.map((l) => l.raw).join("\n"));
    proveFault({ garbledGraphPages: { count: 1 } }, "garbledGraphPages", world.sim.requestLog);
    const [queryId] = world.sim.graph.queries.keys();
    const unreadable = first.logs.filter((l) => /cause=graph_page_unreadable/.test(l.raw));
    assert.equal(unreadable.length, 1, first.logs.map((l) => l.raw).join("\n"));
    assert.equal(unreadable[0].level, "ERROR");
    assert.match(unreadable[0].raw, new RegExp(`record 1 of the page is not JSON \\(bad escape in the string "user\\\\qId" .*the next run reads that page again \\(failure 1 of this span, given up at 10\\).* query_id=${queryId}`));
    assert.ok(first.logs.some((l) => /graph_backfill_summary .*complete=false/.test(l.raw)));

    const second = await world.run("garbled", { timeoutMs: 180_000 });
    assert.equal(second.code, 0);
    assert.ok(second.logs.some((l) => /graph_backfill_summary .*lost_spans=0 pending_spans=0 complete=true/.test(l.raw)), second.logs.map((l) => l.raw).join("\n"));
    const events = [...first.events, ...second.events];
    assert.deepEqual(repeatedIds(events), []);
    const ids = new Set(events.map(eventId));
    assert.deepEqual([...owed(world.sim, startedAt)].filter((id) => !ids.has(id)), []);
    assert.equal(world.sim.graph.queries.size, 1, "the page was not read again from the same query");
  });

  it("a page that stays unreadable for 10 runs gives the span up with ERROR graph_span_lost naming it; the other records are written once", async () => {
    world = await startWorld({ simulator: { tenants: [{ ...defaultTenant(), backlog: { ...TEN_DAYS } }], graph: { versions: ["beta"], pageSize: 50 } } });
    world.sim.setFaults({ garbledGraphPages: { fraction: 1 } });
    world.addInput("lost", graphParams(world));
    const startedAt = world.sim.now();
    const runs = [];
    for (let n = 0; n < 10; n++) runs.push(await world.run("lost", { timeoutMs: 180_000 }));
    assert.ok(runs.every((r) => r.code === 0));
    const lost = runs[9].logs.filter((l) => /cause=graph_span_lost/.test(l.raw));
    assert.equal(lost.length, 1, runs[9].logs.map((l) => l.raw).join("\n"));
    assert.equal(lost[0].level, "ERROR");
    const span = /lost_start=(\S+) lost_end=(\S+)/.exec(lost[0].raw);
    assert.ok(span, lost[0].raw);
    assert.match(lost[0].raw, /given up after 10 runs in a row failed .*no page of it was written .*last_cause=graph_page_unreadable/);
    assert.ok(runs.slice(0, 9).every((r) => !r.logs.some((l) => /cause=graph_span_lost/.test(l.raw))), "given up before the 10th run");
    assert.ok(runs[9].logs.some((l) => /graph_backfill_summary .*lost_spans=1 pending_spans=0 complete=true/.test(l.raw)));
    // Only records of the span given up are missing; none is written twice.
    const events = runs.flatMap((r) => r.events);
    assert.deepEqual(repeatedIds(events), []);
    const ids = new Set(events.map(eventId));
    const [from, to] = [Date.parse(span[1]), Date.parse(span[2])];
    const records = world.sim.records(DEFAULT_TENANT_ID, "Audit.General");
    const missing = [...owed(world.sim, startedAt)].filter((id) => !ids.has(id));
    assert.ok(missing.length > 0, "the fault cost nothing: it did not fire on a page with records");
    for (const id of missing) {
      const t = Date.parse(`${String(records.get(id)?.CreationTime)}Z`);
      assert.ok(t >= from && t < to, `${id} at ${new Date(t).toISOString()} is missing but outside the span given up`);
    }
  });

  it("loses nothing and repeats at most one batch when SIGKILLed while paging Graph's records", async () => {
    world = await startWorld({ simulator: { tenants: [{ ...defaultTenant(), backlog: { ...TEN_DAYS } }], graph: { versions: ["beta"], pageSize: 50 } } });
    world.sim.setFaults({ latencyMs: 5 });
    world.addInput("kill", graphParams(world));
    const startedAt = world.sim.now();
    const delivered = new Map<string, number>();
    const account = (events: readonly StreamEvent[]): number => {
      let again = 0;
      for (const id of events.map(eventId)) {
        if (delivered.has(id)) again++;
        delivered.set(id, (delivered.get(id) ?? 0) + 1);
      }
      return again;
    };
    const handle = world.start("kill");
    const pages = (): number => world!.sim.requestLog.filter((r) => r.kind === "graph_records" && r.status === 200).length;
    let exited = false;
    void handle.exited.then(() => (exited = true), () => (exited = true));
    while (pages() < 3 && !exited) await new Promise((r) => setTimeout(r, 5));
    handle.kill("SIGKILL");
    const exit = await handle.exited;
    assert.equal(exit.signal, "SIGKILL", "the run ended before it could be killed mid-backfill");
    account(handle.events);
    const queriesBefore = world.sim.graph.queries.size;

    const rest = await world.run("kill", { timeoutMs: 180_000 });
    assert.equal(rest.code, 0, rest.logs.map((l) => l.raw).join("\n"));
    const again = account(rest.events);
    assert.ok(again <= BATCH, `${again} records repeated after the kill (> one batch)`);
    assert.equal(world.sim.graph.queries.size, queriesBefore, "the restart searched again instead of resuming the query");
    const lost = [...owed(world.sim, startedAt)].filter((id) => !delivered.has(id));
    assert.deepEqual(lost, []);
  });
});
