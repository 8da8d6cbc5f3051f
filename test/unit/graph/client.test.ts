import { strict as assert } from "node:assert";
import type { Dispatcher } from "undici";
import { createDispatcher } from "../../../src/api/http";
import { endpointsFor } from "../../../src/auth/clouds";
import { MsalTokenProvider } from "../../../src/auth/tokenProvider";
import { createQuery } from "../../../src/graph/createQuery";
import { graphScope } from "../../../src/graph/endpoints";
import { GraphError } from "../../../src/graph/errors";
import { GraphHttp } from "../../../src/graph/http";
import { firstRecordsUrl, readRecordsPage } from "../../../src/graph/listRecords";
import { pollQuery } from "../../../src/graph/pollQuery";
import type { GraphRecord } from "../../../src/graph/types";
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID, defaultTenant, startSimulator, type Simulator, type SimulatorOptions } from "../../simulator";
import { memoryLogger } from "../api/fixtures";

const noWait = async (): Promise<void> => undefined;

interface Setup {
  sim: Simulator;
  http: GraphHttp;
  waits: number[];
  dispatcher: Dispatcher;
}

async function setup(options: SimulatorOptions = {}, tenant = defaultTenant()): Promise<Setup> {
  const sim = await startSimulator({ tenants: [tenant], ...options });
  const dispatcher = createDispatcher({ ca: sim.caPem });
  const logger = memoryLogger();
  const endpoints = endpointsFor({ cloud: "commercial", tenantId: DEFAULT_TENANT_ID, apiUrl: sim.url, authorityUrl: sim.url });
  const tokens = new MsalTokenProvider({ endpoints, scope: graphScope(sim.url), clientId: DEFAULT_CLIENT_ID, credential: { kind: "secret", secret: DEFAULT_CLIENT_SECRET }, dispatcher, logger });
  const waits: number[] = [];
  const http = new GraphHttp({ origin: sim.url, tokens, dispatcher, logger, backoff: { sleep: async (ms) => void waits.push(ms) } });
  return { sim, http, waits, dispatcher };
}

async function teardown(s: Setup | undefined): Promise<void> {
  await s?.dispatcher.close();
  await s?.sim.close();
}

function span(sim: Simulator, hoursBack: number, hours: number): { filterStartDateTime: string; filterEndDateTime: string; displayName: string } {
  const start = new Date(sim.now() - hoursBack * 3_600_000);
  return { displayName: "test", filterStartDateTime: start.toISOString(), filterEndDateTime: new Date(start.getTime() + hours * 3_600_000).toISOString() };
}

describe("graph client against the simulator's Graph", () => {
  let s: Setup | undefined;
  afterEach(async () => {
    await teardown(s);
    s = undefined;
  });

  it("creates a query on v1.0, polls notStarted -> running -> succeeded, and pages every record with @odata.nextLink", async () => {
    s = await setup({ graph: { pageSize: 50 } });
    const created = await createQuery(s.http, span(s.sim, 6, 4));
    assert.equal(created.version, "v1.0");
    assert.equal(created.status, "notStarted");
    const seen: string[] = [];
    assert.equal(await pollQuery(s.http, created.version, created.id, { sleep: noWait, onStatus: (st) => seen.push(st) }), "succeeded");
    assert.deepEqual(seen, ["notStarted", "running", "succeeded"]);
    const records: GraphRecord[] = [];
    let pages = 0;
    for (let url: string | undefined = firstRecordsUrl(s.http.origin, created.version, created.id); url; pages++) {
      const page = await readRecordsPage(s.http, url);
      records.push(...page.records);
      url = page.nextLink;
    }
    const expected = s.sim.graph.queries.get(created.id)!.records!;
    assert.ok(expected.length > 100, `only ${expected.length} records in the span`);
    assert.equal(records.length, expected.length);
    assert.equal(pages, Math.ceil(expected.length / 50));
    assert.deepEqual(records.map((r) => r.id), expected.map((r) => String(r.Id)));
    assert.ok(records.every((r) => r.auditDataText.startsWith('{"@odata.type":"#microsoft.graph.security.defaultAuditData"')));
  });

  it("falls back to beta when v1.0 answers 404, as a live tenant did", async () => {
    s = await setup({ graph: { versions: ["beta"] } });
    const created = await createQuery(s.http, span(s.sim, 6, 1));
    assert.equal(created.version, "beta");
    const posts = s.sim.requestLog.filter((e) => e.kind === "graph_create").map((e) => `${e.path.split("/")[1]} ${e.status}`);
    assert.deepEqual(posts, ["v1.0 404", "beta 201"]);
  });

  it("turns a failed query into a GraphError with cause graph_query_failed", async () => {
    s = await setup();
    s.sim.setFaults({ failedQueries: { count: 1 } });
    const created = await createQuery(s.http, span(s.sim, 6, 1));
    await assert.rejects(pollQuery(s.http, created.version, created.id, { sleep: noWait }), (err: unknown) => {
      assert.ok(err instanceof GraphError);
      assert.equal(err.cause, "graph_query_failed");
      assert.match(err.message, /failed/);
      return true;
    });
  });

  it("waits what Retry-After asks on 429, then goes on", async () => {
    s = await setup();
    s.sim.setFaults({ throttle: { count: 2, on: ["graph_create"], retryAfterSeconds: 7 } });
    const created = await createQuery(s.http, span(s.sim, 6, 1));
    assert.equal(created.status, "notStarted");
    assert.deepEqual(s.waits, [7000, 7000]);
    assert.deepEqual(s.sim.requestLog.filter((e) => e.kind === "graph_create").map((e) => e.status), [429, 429, 201]);
  });

  it("names the missing permission and its consent step on 403", async () => {
    s = await setup({}, { ...defaultTenant(), graphConsentMissing: true });
    await assert.rejects(createQuery(s.http, span(s.sim, 6, 1)), (err: unknown) => {
      assert.ok(err instanceof GraphError);
      assert.equal(err.policy, "fatal");
      assert.equal(err.cause, "graph_consent_missing");
      assert.match(err.message, /AuditLogsQuery\.Read\.All/);
      assert.match(err.message, /Grant admin consent/);
      return true;
    });
  });

  it("gives up waiting after its budget and says pending, so the next run polls the same query", async () => {
    s = await setup({ graph: { pollsRunning: 1000 } });
    const created = await createQuery(s.http, span(s.sim, 6, 1));
    let clock = 0;
    const result = await pollQuery(s.http, created.version, created.id, { budgetMs: 60_000, now: () => clock, sleep: async (ms) => void (clock += ms) });
    assert.equal(result, "pending");
    assert.ok(s.sim.graph.queries.get(created.id)!.polls >= 3);
  });

  it("never sends the token outside Graph's origin", async () => {
    s = await setup();
    await assert.rejects(readRecordsPage(s.http, "https://attacker.example/v1.0/security/auditLog/queries/x/records"), /refusing a URL outside/);
    assert.equal(s.sim.requestLog.filter((e) => e.kind === "token").length, 0);
  });
});
