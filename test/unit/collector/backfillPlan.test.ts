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

  it("asks only what a created query leaves of the span: the parts before and after it, nothing of a query it only touches", () => {
    const created = (from: number, to: number, contentType = "Audit.General"): GraphJob => ({ start: at(from).toISOString(), end: at(to).toISOString(), contentTypes: [contentType], queryId: `q${from}`, version: "v1.0" });
    const job = (from: number, to: number): GraphJob => ({ start: at(from).toISOString(), end: at(to).toISOString(), contentTypes: ["Audit.General"] });
    // A query inside the span: two pieces, far enough apart to be two jobs.
    assert.deepEqual(addGraphSpan([created(200, 190)], "Audit.General", { start: at(240), end: at(167) }).slice(1), [job(240, 200), job(190, 167)]);
    // A query at the span's start: only the rest, no empty piece in front of it.
    assert.deepEqual(addGraphSpan([created(240, 200)], "Audit.General", { start: at(240), end: at(167) }).slice(1), [job(200, 167)]);
    // Queries before, after, or touching the span leave it whole.
    for (const [from, to] of [[300, 260], [100, 90], [260, 240], [167, 150]]) {
      assert.deepEqual(addGraphSpan([created(from, to)], "Audit.General", { start: at(240), end: at(167) }).slice(1), [job(240, 167)], `query ${from}-${to} h ago`);
    }
    // Another content type's query covers nothing of this one's.
    assert.deepEqual(addGraphSpan([created(240, 167, "Audit.Exchange")], "Audit.General", { start: at(240), end: at(167) }).slice(1), [job(240, 167)]);
  });

  it("grows a job not yet created by a span up to an hour away on either side, not further, and lists a content type once", () => {
    const base: GraphJob[] = [{ start: at(240).toISOString(), end: at(200).toISOString(), contentTypes: ["Audit.General"] }];
    const one = (start: Date, end: Date): GraphJob[] => [{ start: start.toISOString(), end: end.toISOString(), contentTypes: ["Audit.General"] }];
    // Exactly an hour after the job's end, and exactly an hour before its start: the same job.
    assert.deepEqual(addGraphSpan(base, "Audit.General", { start: at(199), end: at(190) }), one(at(240), at(190)));
    assert.deepEqual(addGraphSpan(base, "Audit.General", { start: at(250), end: at(241) }), one(at(250), at(200)));
    // Half an hour away: the same job too.
    assert.deepEqual(addGraphSpan(base, "Audit.General", { start: at(199.5), end: at(190) }), one(at(240), at(190)));
    assert.deepEqual(addGraphSpan(base, "Audit.General", { start: at(250), end: at(240.5) }), one(at(250), at(200)));
    // A minute more than an hour away, on either side: a job of its own.
    const later = { start: new Date(at(199).getTime() + 60_000), end: at(190) };
    assert.deepEqual(addGraphSpan(base, "Audit.General", later), [...base, ...one(later.start, later.end)]);
    const earlier = { start: at(250), end: new Date(at(241).getTime() - 60_000) };
    assert.deepEqual(addGraphSpan(base, "Audit.General", earlier), [...base, ...one(earlier.start, earlier.end)]);
  });

  it("a span bridging two jobs not yet created grows the first one it reaches over the whole span", () => {
    const jobs: GraphJob[] = [
      { start: at(240).toISOString(), end: at(230).toISOString(), contentTypes: ["Audit.General"] },
      { start: at(220).toISOString(), end: at(210).toISOString(), contentTypes: ["Audit.General"] },
    ];
    assert.deepEqual(addGraphSpan(jobs, "Audit.General", { start: at(235), end: at(215) }), [
      { start: at(240).toISOString(), end: at(215).toISOString(), contentTypes: ["Audit.General"] },
      jobs[1],
    ]);
  });
});
