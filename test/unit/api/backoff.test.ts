import { strict as assert } from "node:assert";
import { RetryEpisodes, cancellableSleep, jitteredDelayMs, parseRetryAfter, retryDelayMs } from "../../../src/api/backoff";

const opts = { baseMs: 100, capMs: 1000, maxAttempts: 4, maxRetryAfterMs: 5000 };

describe("api/backoff", () => {
  it("full jitter scales the random draw by min(cap, base * 2^retry)", () => {
    const half = { ...opts, random: () => 0.5 };
    assert.deepEqual([0, 1, 2, 3, 4, 5].map((n) => jitteredDelayMs(n, half)), [50, 100, 200, 400, 500, 500]);
    assert.equal(jitteredDelayMs(3, { ...opts, random: () => 0 }), 0);
    assert.equal(jitteredDelayMs(3, { ...opts, random: () => 0.999 }), 799);
  });

  it("gives up once the attempts are spent", () => {
    const o = { ...opts, random: () => 1 };
    assert.equal(retryDelayMs(0, undefined, o), 100);
    assert.equal(retryDelayMs(2, undefined, o), 400);
    assert.equal(retryDelayMs(3, undefined, o), undefined); // 4th attempt failed: no 5th
  });

  it("honours Retry-After instead of the jitter, up to the largest wait allowed", () => {
    const o = { ...opts, random: () => 0 };
    assert.equal(retryDelayMs(0, 3, o), 3000);
    assert.equal(retryDelayMs(0, 0, o), 0);
    assert.equal(retryDelayMs(0, 6, o), undefined);
  });

  it("reads Retry-After as delta seconds or an HTTP date", () => {
    const now = Date.parse("2026-03-09T14:00:00Z");
    assert.equal(parseRetryAfter("120", now), 120);
    assert.equal(parseRetryAfter(" 7 ", now), 7);
    assert.equal(parseRetryAfter("Mon, 09 Mar 2026 14:00:30 GMT", now), 30);
    assert.equal(parseRetryAfter("Mon, 09 Mar 2026 13:00:00 GMT", now), 0);
    assert.equal(parseRetryAfter("soon", now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });

  it("reports one episode per cause until a success", () => {
    const e = new RetryEpisodes();
    assert.equal(e.begin("throttled"), true);
    assert.equal(e.begin("throttled"), false);
    assert.equal(e.begin("transient"), true);
    assert.deepEqual(e.succeed().sort(), ["throttled", "transient"]);
    assert.deepEqual(e.succeed(), []);
    assert.equal(e.begin("throttled"), true);
  });

  it("a cancellable sleep ends early with the abort reason", async () => {
    const controller = new AbortController();
    const sleeping = cancellableSleep(60_000, controller.signal);
    controller.abort(new Error("closing"));
    await assert.rejects(sleeping, /closing/);
    await assert.rejects(cancellableSleep(1, controller.signal), /closing/);
    await cancellableSleep(0);
  });
});
