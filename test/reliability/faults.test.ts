// Fault suite (issues 3 and 7): each fault class the simulator can inject, alone, then mixed
// at random, then cleared. After it clears nothing is lost (but the content the service itself
// expired) and nothing repeats, the log names the cause, and the request count stays bounded
// (no busy loop). Runs the packaged input through the splunkd harness.
import { strict as assert } from "node:assert";
import { DEFAULT_TENANT_ID, defaultTenant, startProxy, type Faults, type TenantOptions } from "../simulator";
import type { StreamEvent } from "../harness/eventStream";
import type { LogLine } from "../harness/logLine";
import { eventId, repeatedIds, startWorld, type World } from "../lib/world";

const BACKLOG = { days: 1, blobsPerHour: 3, recordsPerBlob: 10, seed: 5 };
const MIXED_ROUNDS = process.env.SOAK ? 20 : 3;

interface Outcome {
  events: StreamEvent[];
  logs: LogLine[];
  codes: (number | null)[];
}

/** Runs the input with the fault on, then with it cleared, until it reports a complete run. */
async function runThrough(world: World, input: string, faults: Faults, maxRuns = 4): Promise<Outcome> {
  const out: Outcome = { events: [], logs: [], codes: [] };
  world.sim.setFaults(faults);
  for (let i = 0; i < maxRuns; i++) {
    if (i === 1) world.sim.setFaults({});
    const r = await world.run(input, { timeoutMs: 60_000 });
    out.events.push(...r.events);
    out.logs.push(...r.logs);
    out.codes.push(r.code);
    if (i >= 1 && r.logs.some((l) => /run_summary .*complete=true/.test(l.raw))) break;
  }
  return out;
}

function logText(o: Outcome): string {
  return o.logs.map((l) => l.raw).join("\n");
}

describe("fault suite: each fault alone, then cleared", function () {
  this.timeout(180_000);
  let world: World;
  let n = 0;
  const tenant = (): TenantOptions => ({ ...defaultTenant(), backlog: BACKLOG });

  beforeEach(async () => {
    world = await startWorld({ simulator: { tenants: [tenant()], pageSize: 10 } });
  });
  afterEach(async () => world.close());

  /** Injects `faults`, clears them, and checks exactly-once delivery and the cause in the log. */
  async function check(faults: Faults, cause: RegExp, params: Record<string, string> = {}): Promise<Outcome> {
    const input = `fault${++n}`;
    world.addInput(input, params);
    const before = world.sim.requestLog.length;
    const o = await runThrough(world, input, faults);
    assert.match(logText(o), cause, "the log names the cause");
    assert.deepEqual(repeatedIds(o.events), [], "nothing repeated");
    assert.deepEqual(new Set(o.events.map(eventId)), world.sim.recordIds(DEFAULT_TENANT_ID, "Audit.General"), "nothing lost");
    const blobs = world.sim.requestLog.slice(before).filter((r) => r.kind === "blob" && r.status === 200).length;
    const requests = world.sim.requestLog.length - before;
    assert.ok(requests < 40 + 4 * blobs, `bounded requests: ${requests} for ${blobs} blobs`);
    return o;
  }

  it("AF429 as HTTP 403 (Microsoft's own example)", () => check({ throttle: { count: 6, status: 403 } }, /cause=throttled/));
  it("AF429 as HTTP 429 with Retry-After", () => check({ throttle: { count: 2, status: 429, retryAfterSeconds: 1 } }, /cause=throttled/));
  it("AF50000 internal errors", () => check({ internalErrors: { count: 6 } }, /cause=transient/));
  it("slow responses", () => check({ latencyMs: 150 }, /run_summary .*complete=true/));
  it("connection resets", () => check({ resets: { count: 6 } }, /cause=(transient|blob_broken)/));
  it("truncated blobs (connection cut)", () => check({ truncatedBlobs: { count: 3, mode: "abort" } }, /cause=(blob_broken|transient)/));
  it("truncated blobs (clean end)", () => check({ truncatedBlobs: { count: 3, mode: "end" } }, /cause=blob_broken/));
  it("garbled blobs", () => check({ garbledBlobs: { count: 3 } }, /cause=blob_broken/));
  it("a NextPageUri loop", () => check({ nextPageLoop: { count: 1 } }, /points back to a page already read/, { backfill_hours: "30" }));
  it("clock skew: the server an hour ahead", () => check({ clockSkewSeconds: 3600 }, /cause=clock_skew/, { backfill_hours: "167" }));
  it("a disabled subscription", () => check({ disableSubscription: ["Audit.General"] }, /Started the Audit.General subscription|cause=subscription_disabled/));
  it("tokens expiring mid-run", () => check({ tokenLifetimeSeconds: 1, latencyMs: 60 }, /run_summary .*complete=true/));

  it("expired content: skipped with a WARN naming it, everything else delivered", async () => {
    const input = "expired";
    world.addInput(input);
    const victim = world.sim.tenant(DEFAULT_TENANT_ID)!.allBlobs("Audit.General")[0];
    const o = await runThrough(world, input, { expire: [victim.contentId] });
    assert.match(logText(o), new RegExp(`WARN .*cause=content_expired .*content_id=${victim.contentId.replace(/\$/g, "\\$")}`));
    const lostByService = new Set<string>();
    for (let i = 0; i < victim.records.count; i++) lostByService.add(victim.records.id(i));
    const expected = [...world.sim.recordIds(DEFAULT_TENANT_ID, "Audit.General")].filter((id) => !lostByService.has(id));
    assert.deepEqual(new Set(o.events.map(eventId)), new Set(expected));
    assert.deepEqual(repeatedIds(o.events), []);
  });

  it("a proxy that refuses: one clear ERROR, then collection through a working proxy", async () => {
    const refusing = await startProxy({ refuse: true });
    const working = await startProxy();
    try {
      world.addInput("proxied", { proxy_url: refusing.url });
      const bad = await world.run("proxied");
      assert.notEqual(bad.code, 0);
      assert.equal(bad.events.length, 0);
      assert.match(bad.logs.filter((l) => l.level === "ERROR").map((l) => l.raw).join("\n"), /proxy/i);
      world.addInput("proxied", { proxy_url: working.url });
      const good = await world.run("proxied");
      assert.equal(good.code, 0, good.logs.map((l) => l.raw).join("\n"));
      assert.deepEqual(new Set(good.events.map(eventId)), world.sim.recordIds(DEFAULT_TENANT_ID, "Audit.General"));
      assert.ok(working.log.length > 0, "traffic went through the proxy");
    } finally {
      await refusing.close();
      await working.close();
    }
  });

  it("configuration faults stop with one clear ERROR and a non-zero exit", async () => {
    await world.close();
    world = await startWorld({
      simulator: {
        tenants: [
          { ...defaultTenant(), consentMissing: true },
          { ...defaultTenant(), tenantId: "6c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", auditLogOff: true },
        ],
      },
    });
    const cases: [string, Record<string, string>, RegExp][] = [
      ["consent", {}, /cause=consent_missing/],
      ["audit", { tenant_id: "6c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f" }, /cause=audit_log_off/],
      ["secret", { client_secret: "wrong-secret" }, /cause=auth_failed/],
    ];
    for (const [name, params, cause] of cases) {
      world.addInput(name, params);
      const r = await world.run(name);
      assert.notEqual(r.code, 0, name);
      const errors = r.logs.filter((l) => l.level === "ERROR");
      assert.equal(errors.length, 1, `${name}: ${errors.map((l) => l.raw).join("\n")}`);
      assert.match(errors[0].raw, cause);
    }
  });
});

describe(`fault suite: faults mixed at random (${MIXED_ROUNDS} rounds), then cleared`, function () {
  this.timeout(MIXED_ROUNDS * 60_000 + 60_000);
  let world: World;
  after(async () => world?.close());

  it("loses nothing and repeats nothing", async () => {
    world = await startWorld({
      simulator: { tenants: [{ ...defaultTenant(), backlog: { days: 2, blobsPerHour: 4, recordsPerBlob: 15, seed: 9 } }], pageSize: 10, seed: 4 },
    });
    world.addInput("mixed", { backfill_hours: "48" });
    const events: StreamEvent[] = [];
    const mixes: Faults[] = [
      { throttle: { fraction: 0.1, status: 403 }, resets: { fraction: 0.05 }, truncatedBlobs: { fraction: 0.05 } },
      { internalErrors: { fraction: 0.1 }, garbledBlobs: { fraction: 0.05 }, latencyMs: 10 },
      { throttle: { fraction: 0.05, status: 429 }, nextPageLoop: { fraction: 0.3 }, tokenLifetimeSeconds: 2 },
    ];
    for (let round = 0; round < MIXED_ROUNDS; round++) {
      world.sim.setFaults(mixes[round % mixes.length]);
      const r = await world.run("mixed", { timeoutMs: 90_000 });
      events.push(...r.events);
    }
    world.sim.setFaults({});
    for (let i = 0; i < 3; i++) {
      const r = await world.run("mixed");
      events.push(...r.events);
      if (r.logs.some((l) => /run_summary .*complete=true/.test(l.raw))) break;
    }
    assert.deepEqual(repeatedIds(events), []);
    assert.deepEqual(new Set(events.map(eventId)), world.sim.recordIds(DEFAULT_TENANT_ID, "Audit.General"));
  });
});
