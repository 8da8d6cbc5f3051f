import assert from "node:assert/strict";
import { checkWindow, DAY_MS, formatContentTime, formatPageTime, HOUR_MS, parseApiTime } from "../../simulator/window";

describe("simulator time window", () => {
  const now = Date.UTC(2026, 2, 10, 12, 0, 0);

  it("accepts the documented formats and the service's own fractional Z form", () => {
    assert.equal(parseApiTime("2026-03-09"), Date.UTC(2026, 2, 9));
    assert.equal(parseApiTime("2026-03-09T13:58"), Date.UTC(2026, 2, 9, 13, 58));
    assert.equal(parseApiTime("2026-03-09T13:58:12"), Date.UTC(2026, 2, 9, 13, 58, 12));
    assert.equal(parseApiTime("2026-03-09T13:58:12Z"), Date.UTC(2026, 2, 9, 13, 58, 12));
    assert.equal(parseApiTime("2026-03-09T13:58:12.1234567Z"), Date.UTC(2026, 2, 9, 13, 58, 12, 123));
    assert.equal(parseApiTime(formatPageTime(now)), now);
  });

  it("rejects other forms and impossible dates", () => {
    for (const bad of ["2026-3-9", "2026-03-09 13:58", "2026-03-09T13:58:12+00:00", "2026-03-09T13:58Z", "2026-02-30", "2026-03-09T24:00", "2026-03-09T13:58:12.5", "yesterday"]) {
      assert.equal(parseApiTime(bad), undefined, bad);
    }
  });

  it("formats contentCreated with milliseconds and page times with seven digits", () => {
    assert.equal(formatContentTime(Date.UTC(2015, 4, 23, 17, 35)), "2015-05-23T17:35:00.000Z");
    assert.equal(formatPageTime(Date.UTC(2020, 1, 20, 10, 46, 42)), "2020-02-20T10:46:42.0000000Z");
  });

  it("defaults to the last 24 hours when both times are absent", () => {
    assert.deepEqual(checkWindow(undefined, undefined, now), { ok: true, start: now - DAY_MS, end: now });
  });

  it("answers AF20030 for one time alone, more than 24 h, or a start over 7 days old", () => {
    const code = (s?: string, e?: string): string | undefined => {
      const r = checkWindow(s, e, now);
      return r.ok ? undefined : r.code;
    };
    assert.equal(code("2026-03-10T00:00:00", undefined), "AF20030");
    assert.equal(code(undefined, "2026-03-10T00:00:00"), "AF20030");
    assert.equal(code("2026-03-09T00:00:00", "2026-03-10T00:00:01"), "AF20030");
    assert.equal(code("2026-03-03T11:59:59", "2026-03-04T00:00:00"), "AF20030");
    assert.equal(code("2026-03-03T12:00:00", "2026-03-04T12:00:00"), undefined);
    assert.equal(code("2026-03-09T00:00:00", "2026-03-10T00:00:00"), undefined);
  });

  it("answers AF20055 when start is not before end, AF20002 for a non-date", () => {
    const r1 = checkWindow("2026-03-10T01:00:00", "2026-03-10T00:00:00", now);
    assert.equal(r1.ok ? "" : r1.code, "AF20055");
    const r2 = checkWindow("2026-03-10T00:00:00", "2026-03-10T00:00:00", now);
    assert.equal(r2.ok ? "" : r2.code, "AF20055");
    const r3 = checkWindow("2026-03-10T00:00:00", "tomorrow", now);
    assert.equal(r3.ok ? "" : r3.code, "AF20002");
  });

  it("accepts an end time in the future", () => {
    const r = checkWindow(new Date(now - HOUR_MS).toISOString().slice(0, 19), new Date(now + 10 * HOUR_MS).toISOString().slice(0, 19), now);
    assert.equal(r.ok, true);
  });
});
