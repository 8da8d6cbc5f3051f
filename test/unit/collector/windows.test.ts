import { strict as assert } from "node:assert";
import { DAY_MS, DEFAULT_WINDOW_SETTINGS, HOUR_MS, planWindows } from "../../../src/collector/windows";

const now = new Date("2026-11-20T12:00:00.000Z");
const t = (iso: string): Date => new Date(iso);

describe("planWindows", () => {
  it("first run: backfill_hours up to now minus the lag, in one window", () => {
    const plan = planWindows({ now, backfillHours: 24 });
    assert.deepEqual(plan.windows, [{ start: t("2026-11-19T12:00:00.000Z"), end: t("2026-11-20T11:59:00.000Z") }]);
  });

  it("never plans a window longer than 24 h and covers the span without gaps", () => {
    const plan = planWindows({ now, backfillHours: 100 });
    for (const w of plan.windows) assert.ok(w.end.getTime() - w.start.getTime() <= DAY_MS);
    for (let i = 1; i < plan.windows.length; i++) assert.equal(plan.windows[i].start.getTime(), plan.windows[i - 1].end.getTime());
    assert.equal(plan.windows[0].start.getTime(), now.getTime() - 100 * HOUR_MS);
    assert.equal(plan.windows.at(-1)!.end.getTime(), now.getTime() - DEFAULT_WINDOW_SETTINGS.lagMs);
  });

  it("later runs resume at the committed end minus the overlap", () => {
    const plan = planWindows({ now, committedEnd: t("2026-11-20T11:00:00.000Z"), backfillHours: 24 });
    assert.deepEqual(plan.windows, [{ start: t("2026-11-20T10:00:00.000Z"), end: t("2026-11-20T11:59:00.000Z") }]);
    assert.equal(plan.lostSpan, undefined);
  });

  it("clamps to the 7-day horizon and names the lost span", () => {
    const plan = planWindows({ now, committedEnd: t("2026-11-10T00:00:00.000Z"), backfillHours: 24 });
    const horizon = now.getTime() - DEFAULT_WINDOW_SETTINGS.horizonMs;
    assert.equal(plan.windows[0].start.getTime(), horizon);
    assert.deepEqual(plan.lostSpan, { start: t("2026-11-10T00:00:00.000Z"), end: new Date(horizon) });
  });

  it("does not call the overlap lost when only the overlap crosses the horizon", () => {
    const horizon = now.getTime() - DEFAULT_WINDOW_SETTINGS.horizonMs;
    const plan = planWindows({ now, committedEnd: new Date(horizon + 10 * 60_000), backfillHours: 24 });
    assert.equal(plan.lostSpan, undefined);
    assert.equal(plan.windows[0].start.getTime(), horizon);
  });

  it("plans nothing when the committed end is already at now minus the lag", () => {
    const settings = { ...DEFAULT_WINDOW_SETTINGS, overlapMs: 0 };
    assert.deepEqual(planWindows({ now, committedEnd: new Date(now.getTime() - settings.lagMs), backfillHours: 1, settings }).windows, []);
  });

  it("works in whole seconds", () => {
    const plan = planWindows({ now: new Date("2026-11-20T12:00:00.789Z"), backfillHours: 1 });
    assert.equal(plan.windows[0].start.getTime() % 1000, 0);
    assert.equal(plan.windows[0].end.getTime() % 1000, 0);
  });
});
