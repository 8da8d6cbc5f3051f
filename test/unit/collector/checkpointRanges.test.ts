import { strict as assert } from "node:assert";
import { validateCheckpoint } from "../../../src/collector/checkpoint";

// Every bound of the checkpoint's field checks, on both sides: a value just inside is kept as
// written, one just outside is refused with the field's path and the reason.
describe("checkpoint validation: bounds of each field", () => {
  const now = new Date("2026-11-20T12:00:00Z");
  const blob = (change: Record<string, unknown> = {}) => ({
    contentId: "p",
    contentUri: "https://x/audit/p",
    contentCreated: "2026-11-19T00:00:00.000Z",
    contentExpiration: "2026-11-26T00:00:00.000Z",
    attempts: 4,
    lastError: "garbled",
    ...change,
  });
  const state = (ct: Record<string, unknown> = {}, top: Record<string, unknown> = {}) => ({
    version: 1,
    tenantId: "t1",
    contentTypes: { "Audit.General": { doneBlobs: {}, pending: [], ...ct } },
    ...top,
  });
  const reason = (value: unknown): string => {
    const r = validateCheckpoint(value, now);
    return r.ok ? "accepted" : r.reason;
  };

  it("times: 2012-01-01 and two days past the host's clock are the edges", () => {
    assert.equal(reason(state({ committedEnd: "2012-01-01T00:00:00.000Z" })), "accepted");
    assert.equal(reason(state({ committedEnd: "2011-12-31T23:59:59.999Z" })), "checkpoint.contentTypes.Audit.General.committedEnd is out of range (2011-12-31T23:59:59.999Z)");
    assert.equal(reason(state({ lastStartAttempt: "2026-11-22T12:00:00.000Z" })), "accepted");
    assert.equal(reason(state({ lastStartAttempt: "2026-11-22T12:00:00.001Z" })), "checkpoint.contentTypes.Audit.General.lastStartAttempt is out of range (2026-11-22T12:00:00.001Z)");
    assert.equal(reason(state({ lastStartAttempt: 5 })), "checkpoint.contentTypes.Audit.General.lastStartAttempt is not a time");
  });

  it("a pending blob's expiration may lie 10 days ahead (7-day life plus the allowance), not more", () => {
    assert.equal(reason(state({ pending: [blob({ contentExpiration: "2026-11-30T12:00:00.000Z" })] })), "accepted");
    assert.equal(
      reason(state({ pending: [blob({ contentExpiration: "2026-11-30T12:00:00.001Z" })] })),
      "checkpoint.contentTypes.Audit.General.pending[0].contentExpiration is out of range (2026-11-30T12:00:00.001Z)",
    );
    assert.equal(
      reason(state({ pending: [blob({ contentCreated: "2026-11-22T12:00:00.001Z" })] })),
      "checkpoint.contentTypes.Audit.General.pending[0].contentCreated is out of range (2026-11-22T12:00:00.001Z)",
    );
  });

  it("attempts from 1 to 1,000,000; the error text is kept, cut to 500 characters", () => {
    const ok = validateCheckpoint(state({ pending: [blob({ attempts: 1 }), blob({ attempts: 1_000_000, lastError: "e".repeat(600) })] }), now);
    assert.ok(ok.ok);
    assert.deepEqual(
      ok.state.contentTypes["Audit.General"].pending.map((p) => [p.attempts, p.lastError.length]),
      [
        [1, 7],
        [1_000_000, 500],
      ],
    );
    assert.equal(reason(state({ pending: [blob({ attempts: 1_000_001 })] })), "checkpoint.contentTypes.Audit.General.pending[0].attempts is not an integer in [1, 1000000]");
    assert.equal(reason(state({ pending: [blob(), blob({ attempts: 2.5 })] })), "checkpoint.contentTypes.Audit.General.pending[1].attempts is not an integer in [1, 1000000]");
    assert.equal(reason(state({ pending: [blob({ attempts: "3" })] })), "checkpoint.contentTypes.Audit.General.pending[0].attempts is not an integer in [1, 1000000]");
    assert.equal(reason(state({ pending: [blob({ lastError: 7 })] })), "checkpoint.contentTypes.Audit.General.pending[0].lastError is not a string");
  });

  it("texts: non-empty and within their length; URIs http or https in any case", () => {
    assert.equal(reason(state({ pending: [blob({ contentId: "i".repeat(1000), contentUri: "HTTP://x/" + "u".repeat(3991) })] })), "accepted");
    assert.equal(reason(state({ pending: [blob({ contentId: "i".repeat(1001) })] })), "checkpoint.contentTypes.Audit.General.pending[0].contentId is not a non-empty string");
    assert.equal(reason(state({ pending: [blob({ contentId: "" })] })), "checkpoint.contentTypes.Audit.General.pending[0].contentId is not a non-empty string");
    assert.equal(reason(state({ pending: [blob({ contentUri: "https://x/" + "u".repeat(3991) })] })), "checkpoint.contentTypes.Audit.General.pending[0].contentUri is not a non-empty string");
    assert.equal(reason(state({ pending: [blob({ contentUri: " https://x/p" })] })), "checkpoint.contentTypes.Audit.General.pending[0].contentUri is not an http(s) URL");
    assert.equal(reason(state({}, { tenantId: "t".repeat(200) })), "accepted");
    assert.equal(reason(state({}, { tenantId: "t".repeat(201) })), "checkpoint.tenantId is not a non-empty string");
  });

  it("clock skew within ten years either way", () => {
    const tenYears = 10 * 365 * 86_400;
    assert.equal(reason(state({}, { clockSkewSeconds: -tenYears })), "accepted");
    assert.equal(reason(state({}, { clockSkewSeconds: tenYears })), "accepted");
    assert.equal(reason(state({}, { clockSkewSeconds: tenYears + 1 })), `checkpoint.clockSkewSeconds is not an integer in [-${tenYears}, ${tenYears}]`);
    assert.equal(reason(state({}, { clockSkewSeconds: -tenYears - 1 })), `checkpoint.clockSkewSeconds is not an integer in [-${tenYears}, ${tenYears}]`);
  });

  it("done blobs: a time of 0 ms is kept; infinite, text and null are refused; pending must be a list", () => {
    assert.equal(reason(state({ doneBlobs: { a: 0 } })), "accepted");
    assert.equal(reason(state({ doneBlobs: { a: Infinity } })), 'checkpoint.contentTypes.Audit.General.doneBlobs["a"] is not a time in ms');
    assert.equal(reason(state({ doneBlobs: { b: "1" } })), 'checkpoint.contentTypes.Audit.General.doneBlobs["b"] is not a time in ms');
    assert.equal(reason(state({ doneBlobs: null })), "checkpoint.contentTypes.Audit.General.doneBlobs is not an object");
    assert.equal(reason(state({ pending: {} })), "checkpoint.contentTypes.Audit.General.pending is not a list");
    assert.equal(reason(state({ pending: [null] })), "checkpoint.contentTypes.Audit.General.pending[0] is not an object");
    assert.equal(reason(null), "checkpoint is not an object");
  });

  it("keeps no field the checkpoint did not have, and drops unknown ones", () => {
    const r = validateCheckpoint({ ...state(), extra: 1 }, now);
    assert.ok(r.ok);
    assert.deepEqual(Object.keys(r.state), ["version", "tenantId", "contentTypes"]);
    assert.deepEqual(Object.keys(r.state.contentTypes["Audit.General"]), ["doneBlobs", "pending"]);
  });
});
