import { strict as assert } from "node:assert";
import { DEFAULT_WINDOW_SETTINGS, planWindows } from "../../../src/collector/windows";

// The contract, written out: windows of at most 24 h, ending 60 s before now, starting no
// earlier than 7 days less a 10-minute margin before now (2026-11-13T12:10:00Z for this now).
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const now = new Date("2026-11-20T12:00:00.000Z");
const HORIZON = new Date("2026-11-13T12:10:00.000Z");
const NOW_LESS_LAG = new Date("2026-11-20T11:59:00.000Z");
const t = (iso: string): Date => new Date(iso);

describe("planWindows", () => {
  it("keeps the documented lag, overlap, window length and horizon", () => {
    assert.deepEqual(DEFAULT_WINDOW_SETTINGS, { lagMs: 60_000, overlapMs: 3_600_000, maxWindowMs: 86_400_000, horizonMs: 604_200_000 });
  });

  it("first run: backfill_hours up to now minus the lag, in one window", () => {
    const plan = planWindows({ now, backfillHours: 24 });
    assert.deepEqual(plan.windows, [{ start: t("2026-11-19T12:00:00.000Z"), end: t("2026-11-20T11:59:00.000Z") }]);
  });

  it("never plans a window longer than 24 h and covers the span without gaps", () => {
    const plan = planWindows({ now, backfillHours: 100 });
    for (const w of plan.windows) assert.ok(w.end.getTime() - w.start.getTime() <= DAY_MS);
    for (let i = 1; i < plan.windows.length; i++) assert.equal(plan.windows[i].start.getTime(), plan.windows[i - 1].end.getTime());
    assert.equal(plan.windows[0].start.getTime(), now.getTime() - 100 * HOUR_MS);
    assert.deepEqual(plan.windows.at(-1)!.end, NOW_LESS_LAG);
  });

  it("later runs resume at the committed end minus the overlap", () => {
    const plan = planWindows({ now, committedEnd: t("2026-11-20T11:00:00.000Z"), backfillHours: 24 });
    assert.deepEqual(plan.windows, [{ start: t("2026-11-20T10:00:00.000Z"), end: t("2026-11-20T11:59:00.000Z") }]);
    assert.equal(plan.lostSpan, undefined);
  });

  it("clamps to the 7-day horizon and names the lost span", () => {
    const plan = planWindows({ now, committedEnd: t("2026-11-10T00:00:00.000Z"), backfillHours: 24 });
    assert.deepEqual(plan.windows[0].start, HORIZON);
    assert.deepEqual(plan.lostSpan, { start: t("2026-11-10T00:00:00.000Z"), end: HORIZON });
  });

  it("does not call the overlap lost when only the overlap crosses the horizon", () => {
    const plan = planWindows({ now, committedEnd: t("2026-11-13T12:20:00.000Z"), backfillHours: 24 });
    assert.equal(plan.lostSpan, undefined);
    assert.deepEqual(plan.windows[0].start, HORIZON);
  });

  it("plans nothing when the committed end is already at now minus the lag", () => {
    const settings = { ...DEFAULT_WINDOW_SETTINGS, overlapMs: 0 };
    assert.deepEqual(planWindows({ now, committedEnd: NOW_LESS_LAG, backfillHours: 1, settings }).windows, []);
  });

  it("works in whole seconds", () => {
    const plan = planWindows({ now: new Date("2026-11-20T12:00:00.789Z"), backfillHours: 1 });
    assert.equal(plan.windows[0].start.getTime() % 1000, 0);
    assert.equal(plan.windows[0].end.getTime() % 1000, 0);
  });
});
