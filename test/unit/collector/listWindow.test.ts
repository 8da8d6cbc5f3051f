import { strict as assert } from "node:assert";
import { ActivityApiError } from "../../../src/api/errors";
import { emptyCheckpoint } from "../../../src/collector/checkpoint";
import type { CollectorRun, TypeContext } from "../../../src/collector/collectorRun";
import { listWindow, reportHorizon } from "../../../src/collector/listWindow";
import { createLogger } from "../../../src/splunk/logger";
import { FakeApi } from "./fakeApi";

// The "list a window" transaction on a bare run: only the fields listWindow.ts reads.
const NOW = new Date("2026-11-20T12:00:00.000Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
function fixture(graphBackfill = false) {
  const api = new FakeApi();
  api.subscriptions = [];
  const logs: string[] = [];
  const logger = createLogger((l) => logs.push(l), "DEBUG");
  let serverAhead = 0;
  let halted = 0;
  const run = {
    api,
    state: emptyCheckpoint("t1"),
    config: { contentTypes: ["Audit.General"], autoSubscribe: true, graphBackfill },
    settings: { windows: { horizonMs: 7 * DAY } },
    logger,
    clockSkewSeconds: 0,
    now: () => NOW,
    serverNow: () => new Date(NOW.getTime() + serverAhead),
    readClock: () => {
      serverAhead = api.skewSeconds * 1000;
      run.clockSkewSeconds = api.skewSeconds;
    },
    checkHalted: () => void halted++,
  } as unknown as CollectorRun & { clockSkewSeconds: number };
  const ctx = { contentType: "Audit.General", log: logger } as unknown as TypeContext;
  return { api, run, ctx, logs, halted: () => halted };
}
const blob = (id: string, created: Date) => ({ contentType: "Audit.General", contentId: id, created, records: [] });

describe("listWindow", () => {
  it("gathers every page, checking for a stop after each", async () => {
    const f = fixture();
    const window = { start: new Date(NOW.getTime() - HOUR), end: NOW };
    f.api.blobs = [1, 2, 3].map((n) => blob(`b${n}`, new Date(NOW.getTime() - n * 60_000)));
    const got = await listWindow(f.run, f.ctx, window);
    assert.equal(got.window, window);
    assert.deepEqual(
      got.items.map((i) => i.contentId),
      ["b1", "b2", "b3"],
    );
    assert.equal(f.halted(), 2, "two pages of two");
  });

  it("starts a missing subscription once and lists again; a second refusal is the run's error", async () => {
    const f = fixture();
    const window = { start: new Date(NOW.getTime() - HOUR), end: NOW };
    f.api.listErrors = [new ActivityApiError("no subscription", 400, "AF20022")];
    await listWindow(f.run, f.ctx, window);
    assert.deepEqual(
      f.api.calls.map((c) => c.split(" ")[0] + " " + c.split(" ")[1]),
      ["content Audit.General", "start Audit.General", "content Audit.General"],
    );
    assert.match(f.logs.join("\n"), /Started the Audit\.General subscription \(it was missing\)/);
    const g = fixture();
    g.api.listErrors = [new ActivityApiError("disabled", 400, "AF20023"), new ActivityApiError("disabled", 400, "AF20023")];
    await assert.rejects(listWindow(g.run, g.ctx, window), /disabled/);
    assert.match(g.logs.join("\n"), /it was disabled/);
    assert.equal(g.api.calls.filter((c) => c.startsWith("content")).length, 2);
  });

  it("an error that is not a listing recovery is thrown at once", async () => {
    const f = fixture();
    f.api.listErrors = [new ActivityApiError("bad tenant", 401, "AF10001")];
    await assert.rejects(listWindow(f.run, f.ctx, { start: new Date(NOW.getTime() - HOUR), end: NOW }), /bad tenant/);
    assert.equal(f.api.calls.length, 1);
  });

  it("a rejected window is retried on the server's clock, its start clamped to the horizon, and the lost span reported", async () => {
    const f = fixture();
    f.api.skewAfterListError = 3600; // the server is an hour ahead of this host
    f.api.listErrors = [new ActivityApiError("too old", 400, "AF20055")];
    const start = new Date(NOW.getTime() - 7 * DAY + 30 * 60_000);
    const got = await listWindow(f.run, f.ctx, { start, end: NOW });
    const horizon = new Date(NOW.getTime() + HOUR - 7 * DAY);
    assert.deepEqual(got.window, { start: horizon, end: NOW });
    assert.equal(f.api.calls[1], `content Audit.General ${horizon.toISOString()} ${NOW.toISOString()}`);
    assert.deepEqual(
      f.logs.map((l) => l.split(" ")[0] + " " + (/cause=(\w+)/.exec(l)?.[1] ?? "")),
      ["WARN horizon_exceeded", "WARN window_rejected"],
    );
    assert.match(f.logs[0], new RegExp(`lost_start=${start.toISOString()} lost_end=${horizon.toISOString()}`));
    assert.match(f.logs[1], /^WARN The API rejected the window \(AF20055\); retrying it on the server's clock cause=window_rejected skew_seconds=3600$/);
  });

  it("a rejected window inside the horizon is retried as it was; one wholly past it lists nothing", async () => {
    const f = fixture();
    f.api.listErrors = [new ActivityApiError("skew", 400, "AF20030")];
    const window = { start: new Date(NOW.getTime() - HOUR), end: NOW };
    const got = await listWindow(f.run, f.ctx, window);
    assert.deepEqual(got.window, window);
    assert.equal(f.logs.filter((l) => l.includes("horizon_exceeded")).length, 0);
    const g = fixture();
    g.api.listErrors = [new ActivityApiError("too old", 400, "AF20055")];
    const old = { start: new Date(NOW.getTime() - 9 * DAY), end: new Date(NOW.getTime() - 8 * DAY) };
    const none = await listWindow(g.run, g.ctx, old);
    assert.deepEqual(none.items, []);
    assert.equal(g.api.calls.length, 1, "not listed again");
    assert.equal(g.logs.length, 1);
  });

  it("without graph_backfill the horizon WARN names the span and the way to recover it", () => {
    const f = fixture();
    reportHorizon(f.run, f.ctx, { start: new Date("2026-11-10T00:00:00Z"), end: new Date("2026-11-11T00:00:00Z") });
    assert.equal(
      f.logs[0],
      "WARN Content from 2026-11-10T00:00:00.000Z to 2026-11-11T00:00:00.000Z is past the API's 7-day horizon and cannot be collected from it; graph_backfill = 1 would recover this span from Microsoft Graph's audit log. Run the input more often or check why it was stopped cause=horizon_exceeded lost_start=2026-11-10T00:00:00.000Z lost_end=2026-11-11T00:00:00.000Z",
    );
  });
});
