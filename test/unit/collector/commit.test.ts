import { strict as assert } from "node:assert";
import type { ContentItem } from "../../../src/api/types";
import type { ContentTypeState } from "../../../src/collector/checkpoint";
import type { CollectorRun, TypeContext } from "../../../src/collector/collectorRun";
import { addPending, commitWindow, lagSeconds, markDone, removePending } from "../../../src/collector/commit";

// The commit transaction's bookkeeping on a bare run: only the fields commit.ts reads.
const HOUR = 3_600_000;
function fixture(cts: Partial<ContentTypeState> = {}) {
  const saved: string[] = [];
  const ctx = { contentType: "Audit.General", cts: { doneBlobs: {}, pending: [], ...cts } } as unknown as TypeContext;
  const run = {
    settings: { windows: { overlapMs: HOUR, lagMs: 60_000 } },
    save: () => saved.push(JSON.stringify(ctx.cts)),
    serverNow: () => new Date("2026-11-20T12:00:00Z"),
  } as unknown as CollectorRun;
  return { run, ctx, saved };
}
const item = (id: string, created = "2026-11-20T10:00:00.000Z", expiration = "2026-11-27T10:00:00.000Z"): ContentItem => ({
  contentType: "Audit.General",
  contentId: id,
  contentUri: `https://x/audit/${id}`,
  contentCreated: created,
  contentExpiration: expiration,
});

describe("commit", () => {
  it("commits the window's end, keeps done blobs of the next run's overlap only, then saves", () => {
    const end = Date.parse("2026-11-20T11:00:00Z");
    const keepFrom = end - HOUR - 60_000;
    const { run, ctx, saved } = fixture({ doneBlobs: { old: keepFrom - 1, edge: keepFrom, recent: end - 1 } });
    commitWindow(run, ctx, { start: new Date(end - HOUR), end: new Date(end) });
    assert.deepEqual(saved.map((s) => JSON.parse(s)), [{ committedEnd: "2026-11-20T11:00:00.000Z", doneBlobs: { edge: keepFrom, recent: end - 1 }, pending: [] }]);
  });

  it("marks a blob done at its listed creation time, or the fallback when the listing has none", () => {
    const { ctx } = fixture();
    markDone(ctx, item("a"), 5);
    markDone(ctx, item("b", "not a time"), 5);
    assert.deepEqual(ctx.cts.doneBlobs, { a: Date.parse("2026-11-20T10:00:00Z"), b: 5 });
  });

  it("puts a blob on the pending list once, adding attempts and keeping the last error (500 characters)", () => {
    const { ctx } = fixture();
    const first = addPending(ctx, item("a"), 3, "http_500", 0);
    assert.deepEqual(first, {
      contentId: "a",
      contentUri: "https://x/audit/a",
      contentCreated: "2026-11-20T10:00:00.000Z",
      contentExpiration: "2026-11-27T10:00:00.000Z",
      attempts: 3,
      lastError: "http_500",
    });
    const again = addPending(ctx, item("a"), 2, "x".repeat(700), 0);
    assert.equal(again, first);
    assert.equal(ctx.cts.pending.length, 1);
    assert.equal(first.attempts, 5);
    assert.equal(first.lastError, "x".repeat(500));
    assert.equal(addPending(ctx, item("b"), 1, "y".repeat(501), 0).lastError.length, 500);
    removePending(ctx, "a");
    assert.deepEqual(
      ctx.cts.pending.map((p) => p.contentId),
      ["b"],
    );
  });

  it("a blob listed without times: created at the fallback, expiring 7 days later", () => {
    const { ctx } = fixture();
    const fallback = Date.parse("2026-11-20T08:00:00Z");
    const p = addPending(ctx, item("a", "", ""), 1, "e", fallback);
    assert.equal(p.contentCreated, "2026-11-20T08:00:00.000Z");
    assert.equal(p.contentExpiration, "2026-11-27T08:00:00.000Z");
    const q = addPending(ctx, item("b", "2026-11-20T09:00:00Z", "garbage"), 1, "e", fallback);
    assert.equal(q.contentExpiration, "2026-11-27T09:00:00.000Z");
  });

  it("lag: from the oldest content still owed to the server's now, in whole seconds, never negative", () => {
    assert.equal(lagSeconds(fixture().run, fixture().ctx), undefined);
    const { run, ctx } = fixture({ committedEnd: "2026-11-20T11:59:00.400Z" });
    assert.equal(lagSeconds(run, ctx), 60);
    addPending(ctx, item("a", "2026-11-20T11:00:00Z"), 1, "e", 0);
    assert.equal(lagSeconds(run, ctx), 3600);
    ctx.cts.committedEnd = "2026-11-20T13:00:00Z";
    removePending(ctx, "a");
    assert.equal(lagSeconds(run, ctx), 0);
    ctx.cts.committedEnd = undefined;
    addPending(ctx, item("b", "2026-11-20T11:30:00Z"), 1, "e", 0);
    assert.equal(lagSeconds(run, ctx), 1800);
  });
});
