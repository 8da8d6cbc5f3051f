import { strict as assert } from "node:assert";
import { DEFAULT_RATE_PER_MINUTE, TokenBucket, limiterForTenant } from "../../../src/api/limiter";

/** A clock that only moves when told to, and records what the limiter asked to sleep. */
function fakeClock() {
  const clock = {
    t: 1_000_000,
    slept: [] as number[],
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.slept.push(ms);
      clock.t += ms;
    },
  };
  return clock;
}

describe("api/limiter", () => {
  it("lets a burst through, then spaces requests at the rate", async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(600, clock, 3); // 10/s: one token per 100 ms
    for (let i = 0; i < 3; i++) await bucket.take();
    assert.deepEqual(clock.slept, []);
    await bucket.take();
    await bucket.take();
    assert.deepEqual(clock.slept, [100, 100]);
  });

  it("refills with elapsed time, never above the burst", () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(600, clock, 2);
    assert.equal(bucket.reserve(), 0);
    assert.equal(bucket.reserve(), 0);
    clock.t += 10_000; // long idle: only 2 tokens come back
    assert.equal(bucket.reserve(), 0);
    assert.equal(bucket.reserve(), 0);
    assert.equal(bucket.reserve(), 100);
  });

  it("queues concurrent callers one slot apart", () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(60, clock, 1); // one per second
    assert.deepEqual([bucket.reserve(), bucket.reserve(), bucket.reserve()], [0, 1000, 2000]);
  });

  it("holds everyone back while paused", () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(600, clock, 5);
    bucket.pause(3000);
    assert.equal(bucket.reserve(), 3000);
    clock.t += 3000;
    assert.equal(bucket.reserve(), 0);
  });

  it("defaults under the documented 2,000 requests/minute and shares one bucket per tenant", () => {
    assert.ok(DEFAULT_RATE_PER_MINUTE < 2000);
    const a = limiterForTenant("AAAAAAAA-0000-0000-0000-000000000001");
    assert.equal(limiterForTenant("aaaaaaaa-0000-0000-0000-000000000001"), a);
    assert.notEqual(limiterForTenant("aaaaaaaa-0000-0000-0000-000000000002"), a);
  });

  it("rejects a rate that is not positive", () => {
    assert.throws(() => new TokenBucket(0), /rate must be positive/);
  });
});
