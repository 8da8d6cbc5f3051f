// Each retry path of the packaged input with the waits it has in Splunk (DEFENDER_O365_RETRY_SCALE
// unset): blob retry, API backoff, the tenant-wide pause on a 403, Retry-After, and a stop on
// SIGTERM while a backoff sleeps. Each fault fires once, so each test waits for one real retry.
// The request log's arrival times show the waits; the figures are the product's, written out.
import { strict as assert } from "node:assert";
import { API_KINDS, DEFAULT_TENANT_ID, defaultTenant, type RequestLogEntry } from "../simulator";
import { eventId, repeatedIds, startWorld, type World } from "../lib/world";

/** First blob retry: 1 s (src/collector: 1 s doubling to 30 s). */
const BLOB_RETRY_MS = 1000;
/** First API backoff: full jitter below 5 s (src/api/backoff.ts). */
const FIRST_BACKOFF_CEILING_MS = 5000;
/** After SIGTERM the process ends by itself within 4.5 s or is ended (src/main.ts). */
const STOP_GRACE_MS = 4500;
/** Timers never fire early by more than a millisecond; the log rounds waits to 0.1 s. */
const SLACK_MS = 60;

describe("production timing: each retry path with its real wait", function () {
  this.timeout(120_000);
  let world: World;
  afterEach(async () => world?.close());

  async function collect(backlog = { days: 0.25, blobsPerHour: 8, recordsPerBlob: 5, seed: 21 }, params: Record<string, string> = {}): Promise<void> {
    world = await startWorld({ productionTiming: true, simulator: { tenants: [{ ...defaultTenant(), backlog }], pageSize: 50 } });
    world.addInput("timed", { backfill_hours: "6", ...params });
  }

  /** Runs the input once; checks it delivered everything once and returns its requests. */
  async function runComplete(): Promise<{ log: RequestLogEntry[]; text: string }> {
    const from = world.sim.requestLog.length;
    const r = await world.run("timed", { timeoutMs: 60_000 });
    const text = r.logs.map((l) => l.raw).join("\n");
    assert.equal(r.code, 0, text);
    assert.deepEqual(repeatedIds(r.events), []);
    assert.deepEqual(new Set(r.events.map(eventId)), world.sim.recordIds(DEFAULT_TENANT_ID, "Audit.General"));
    return { log: world.sim.requestLog.slice(from), text };
  }

  /** The request after `fault` that repeats it (same method, path and query). */
  function retryOf(log: RequestLogEntry[], fault: RequestLogEntry): RequestLogEntry {
    const again = log.find((e) => e.time >= fault.time && e !== fault && e.method === fault.method && e.path === fault.path && JSON.stringify(e.query) === JSON.stringify(fault.query));
    assert.ok(again, `no retry of ${fault.path}`);
    return again;
  }

  it("blob retry: a broken blob is fetched again after 1 s", async () => {
    await collect();
    world.sim.setFaults({ truncatedBlobs: { count: 1, mode: "end" } });
    const { log, text } = await runComplete();
    const broken = log.find((e) => e.fault === "truncate-end");
    assert.ok(broken, "the fault fired");
    const again = retryOf(log, broken);
    assert.equal(again.status, 200);
    assert.ok(again.time - broken.time >= BLOB_RETRY_MS - SLACK_MS, `fetched again after ${again.time - broken.time} ms`);
    assert.match(text, /cause=blob_broken/);
  });

  it("API backoff: an AF50000 listing is retried after the jittered wait the log names", async () => {
    await collect();
    world.sim.setFaults({ internalErrors: { count: 1, on: ["content"] } });
    const { log, text } = await runComplete();
    const failed = log.find((e) => e.fault === "internalError");
    assert.ok(failed, "the fault fired");
    const m = /WARN Activity API call failed: retrying .*wait_seconds=([\d.]+)/.exec(text);
    assert.ok(m, text);
    const waitMs = Number(m[1]) * 1000;
    assert.ok(waitMs <= FIRST_BACKOFF_CEILING_MS, `first backoff ${waitMs} ms`);
    const gap = retryOf(log, failed).time - failed.time;
    assert.ok(gap >= waitMs - SLACK_MS, `retried after ${gap} ms, the log said ${waitMs} ms`);
  });

  it("403 pause: AF429 on one blob holds every caller of the tenant back for its wait", async () => {
    // Seed 23: the backlog's oldest blob is 226 s inside the 12 h and its newest 252 s older than
    // the simulator's start, so a run starting seconds later owes every record (the input leaves
    // blobs younger than its 60 s lag to the next run; seed 22's newest was 61 s old).
    await collect({ days: 0.5, blobsPerHour: 12, recordsPerBlob: 5, seed: 23 }, { backfill_hours: "12", max_concurrency: "4" });
    world.sim.setFaults({ throttle: { count: 1, status: 403, retryAfterSeconds: 1, on: ["blob"] }, latencyMs: 20 });
    const { log, text } = await runComplete();
    const throttled = log.find((e) => e.fault === "throttle");
    assert.ok(throttled && throttled.status === 403, "the fault fired");
    assert.match(text, /WARN Activity API throttled: waiting before retrying .*wait_seconds=1\b/);
    // Only requests already past the limiter may land during the pause (late on a loaded
    // machine): the other three workers' and the window listing's next page, which runs beside
    // them; without the pause they would send dozens in that time.
    const api = log.filter((e) => API_KINDS.includes(e.kind));
    const quiet = api.filter((e) => e.time > throttled.time && e.time < throttled.time + 1000 - SLACK_MS);
    assert.ok(quiet.length <= 4, `${quiet.length} API requests while the tenant was paused: ${quiet.map((e) => e.path).join(", ")}`);
    const after = api.filter((e) => e.time >= throttled.time + 1000 - SLACK_MS && e.time < throttled.time + 2000 - SLACK_MS);
    assert.ok(after.length > 3, `the same span after the pause holds more (${after.length}): the pause is what held them`);
    assert.ok(retryOf(log, throttled).time - throttled.time >= 1000 - SLACK_MS);
  });

  it("Retry-After: an AF429 listing over HTTP 429 is retried after the 1 s the server asked for", async () => {
    await collect();
    world.sim.setFaults({ throttle: { count: 1, status: 429, retryAfterSeconds: 1, on: ["content"] } });
    const { log } = await runComplete();
    const throttled = log.find((e) => e.fault === "throttle");
    assert.ok(throttled && throttled.status === 429, "the fault fired");
    const gap = retryOf(log, throttled).time - throttled.time;
    assert.ok(gap >= 1000 - SLACK_MS, `retried after ${gap} ms`);
  });

  it("SIGTERM during a backoff sleep: the input ends by itself within the 4.5 s grace", async () => {
    await collect();
    // Every listing fails: the client sleeps between tries (up to 5 s, then 10 s, ...).
    world.sim.setFaults({ internalErrors: { fraction: 1, on: ["content"] } });
    const from = world.sim.requestLog.length;
    const handle = world.start("timed");
    while (!world.sim.requestLog.slice(from).some((e) => e.fault === "internalError")) await new Promise((r) => setTimeout(r, 10));
    const stopAt = Date.now();
    handle.kill("SIGTERM");
    const exit = await handle.exited;
    const took = Date.now() - stopAt;
    const text = handle.logs.map((l) => l.raw).join("\n");
    assert.ok(took < STOP_GRACE_MS, `ended ${took} ms after SIGTERM:\n${text}`);
    assert.doesNotMatch(text, /cause=stop_timeout/, "the grace timer did not have to end it");
    assert.deepEqual(handle.logs.filter((l) => l.level === "ERROR").map((l) => l.raw), [], "a stop is no error");
    assert.equal(exit.signal, null, text);
    // Nothing was committed past what was written: the next run delivers everything once.
    world.sim.setFaults({});
    await runComplete();
  });
});
