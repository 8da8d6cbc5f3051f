import { strict as assert } from "node:assert";
import { addGraphSpan, graphSpan, GRAPH_OVERLAP_MS, type GraphJob } from "../../../src/collector/backfillPlan";
import { DEFAULT_WINDOW_SETTINGS, planWindows } from "../../../src/collector/windows";

const H = 3_600_000;
const NOW = new Date("2026-12-01T09:00:00Z");
const at = (hoursAgo: number): Date => new Date(NOW.getTime() - hoursAgo * H);

describe("collector/backfillPlan", () => {
  it("asks Graph only past the horizon, plus an hour: a first run with backfill_hours = 240 asks about 72 h", () => {
    const plan = planWindows({ now: NOW, backfillHours: 240, settings: DEFAULT_WINDOW_SETTINGS });
    const span = graphSpan(plan.lostSpan!);
    const hours = (span.end.getTime() - span.start.getTime()) / H;
    assert.equal(span.start.getTime(), at(240).getTime());
    assert.ok(hours > 72 && hours <= 72 + 1 + 1 / 6, `asked ${hours} h`);
    assert.equal(span.end.getTime() - plan.lostSpan!.end.getTime(), GRAPH_OVERLAP_MS);
    // The Activity API serves the rest: its first window starts at the horizon.
    assert.equal(plan.windows[0].start.getTime(), plan.lostSpan!.end.getTime());
  });

  it("shares one job between content types whose spans overlap", () => {
    let jobs: GraphJob[] = addGraphSpan([], "Audit.General", { start: at(240), end: at(167) });
    jobs = addGraphSpan(jobs, "Audit.Exchange", { start: at(239.9), end: at(166.9) });
    assert.deepEqual(jobs, [{ start: at(240).toISOString(), end: at(166.9).toISOString(), contentTypes: ["Audit.General", "Audit.Exchange"] }]);
  });

  it("keeps spans far apart as separate jobs", () => {
    const jobs = addGraphSpan(addGraphSpan([], "Audit.General", { start: at(400), end: at(380) }), "Audit.General", { start: at(240), end: at(167) });
    assert.equal(jobs.length, 2);
  });

  it("never asks again for what a created query covers; only the new part becomes a job", () => {
    const started: GraphJob = { start: at(240).toISOString(), end: at(167).toISOString(), contentTypes: ["Audit.General"], queryId: "q1", version: "beta" };
    assert.deepEqual(addGraphSpan([started], "Audit.General", { start: at(239), end: at(167) }), [started]);
    const grown = addGraphSpan([started], "Audit.General", { start: at(239), end: at(160) });
    assert.deepEqual(grown[1], { start: at(167).toISOString(), end: at(160).toISOString(), contentTypes: ["Audit.General"] });
    // Another content type is not covered by that query.
    assert.equal(addGraphSpan([started], "Audit.Exchange", { start: at(239), end: at(167) }).length, 2);
  });

  it("does not change the list it was given", () => {
    const jobs: GraphJob[] = [{ start: at(240).toISOString(), end: at(167).toISOString(), contentTypes: ["Audit.General"] }];
    const copy = structuredClone(jobs);
    addGraphSpan(jobs, "Audit.Exchange", { start: at(241), end: at(166) });
    assert.deepEqual(jobs, copy);
  });
});
