import { strict as assert } from "node:assert";
import { DEFAULT_REQUESTS_PER_WINDOW, QUOTA_WINDOW_MS, SlidingWindowLimiter, limiterForTenant } from "../../../src/api/limiter";

/**
 * A clock that moves only when `settle()` runs: it lets every pending promise run, then jumps to
 * the earliest sleeper's deadline and wakes it, until nobody sleeps. Time is simulated; no test
 * here waits for real time.
 */
function fakeClock() {
  const sleepers: { until: number; resolve: () => void; reject: (e: unknown) => void }[] = [];
  const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
  const clock = {
    t: 1_000_000,
    now: () => clock.t,
    sleep: (ms: number, signal?: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        const sleeper = { until: clock.t + ms, resolve, reject };
        sleepers.push(sleeper);
        signal?.addEventListener("abort", () => {
          sleepers.splice(sleepers.indexOf(sleeper), 1);
          reject(signal.reason);
        });
      }),
    async settle(): Promise<void> {
      for (;;) {
        await flush();
        if (sleepers.length === 0) return;
        sleepers.sort((a, b) => a.until - b.until);
        const next = sleepers.shift()!;
        clock.t = Math.max(clock.t, next.until);
        next.resolve();
      }
    },
  };
  return clock;
}

/** Starts `count` takes at the current fake time; each resolves to the fake time it was admitted at. */
function takeMany(limiter: SlidingWindowLimiter, clock: ReturnType<typeof fakeClock>, count: number): Promise<number>[] {
  return Array.from({ length: count }, () => limiter.take().then(() => clock.t));
}

/** The largest number of times inside any half-open window (t - windowMs, t]. */
function busiestWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let end = 0, start = 0; end < sorted.length; end++) {
    while (sorted[start] <= sorted[end] - windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe("api/limiter", () => {
  it("sends a run's few hundred requests at once: no per-second drip", async () => {
    const clock = fakeClock();
    const limiter = new SlidingWindowLimiter(DEFAULT_REQUESTS_PER_WINDOW, clock);
    const started = clock.t;
    const admitted = takeMany(limiter, clock, 205);
    await clock.settle();
    assert.deepEqual(new Set(await Promise.all(admitted)), new Set([started]));
  });

  it("admits the request past the limit one window after the oldest one it counts", async () => {
    const clock = fakeClock();
    const limiter = new SlidingWindowLimiter(1_800, clock);
    const start = clock.t;
    const first = takeMany(limiter, clock, 1_800);
    const later = clock.sleep(10_000).then(() => Promise.all(takeMany(limiter, clock, 3)));
    await clock.settle();
    assert.equal(Math.max(...(await Promise.all(first))), start);
    // The three over the limit wait until the first minute's requests leave the window.
    assert.deepEqual(await later, [start + QUOTA_WINDOW_MS, start + QUOTA_WINDOW_MS, start + QUOTA_WINDOW_MS]);
  });

  it("never lets more than the limit into any trailing window, whatever the arrival pattern", async () => {
    const clock = fakeClock();
    const limit = 7;
    const windowMs = 1_000;
    const limiter = new SlidingWindowLimiter(limit, clock, windowMs);
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const admitted: Promise<number>[] = [];
    const arrivals = (async () => {
      for (let burst = 0; burst < 60; burst++) {
        admitted.push(...takeMany(limiter, clock, Math.floor(random() * 12)));
        await clock.sleep(Math.floor(random() * 700));
      }
    })();
    await clock.settle();
    await arrivals;
    const times = await Promise.all(admitted);
    assert.ok(times.length > 200, `only ${times.length} requests`);
    assert.equal(busiestWindow(times, windowMs), limit);
  });

  it("admits callers in the order they asked", async () => {
    const clock = fakeClock();
    const limiter = new SlidingWindowLimiter(2, clock, 1_000);
    const order: number[] = [];
    const all = Array.from({ length: 6 }, (_, i) => limiter.take().then(() => order.push(i)));
    await clock.settle();
    await Promise.all(all);
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
  });

  it("holds everyone back while paused, callers already waiting included", async () => {
    const clock = fakeClock();
    const limiter = new SlidingWindowLimiter(1, clock, 1_000);
    const start = clock.t;
    const [a, b] = takeMany(limiter, clock, 2); // b waits for the window until start + 1000
    await new Promise<void>((resolve) => setImmediate(resolve));
    limiter.pause(5_000);
    const c = limiter.take().then(() => clock.t);
    await clock.settle();
    assert.equal(await a, start);
    assert.equal(await b, start + 5_000);
    assert.equal(await c, start + 5_000 + 1_000);
  });

  it("an aborted waiter is not counted and does not hold the queue", async () => {
    const clock = fakeClock();
    const limiter = new SlidingWindowLimiter(1, clock, 1_000);
    const start = clock.t;
    await limiter.take();
    const stop = new AbortController();
    const aborted = limiter.take(stop.signal);
    const next = limiter.take().then(() => clock.t);
    await new Promise<void>((resolve) => setImmediate(resolve));
    stop.abort(new Error("closing"));
    await assert.rejects(aborted, /closing/);
    await clock.settle();
    assert.equal(await next, start + 1_000);
    assert.equal(limiter.waitMs(), 1_000);
  });

  it("refuses a signal that is already aborted", async () => {
    const limiter = new SlidingWindowLimiter(5, fakeClock());
    await assert.rejects(limiter.take(AbortSignal.abort(new Error("gone"))), /gone/);
    assert.equal(limiter.waitMs(), 0);
  });

  it("defaults under the documented 2,000 requests/minute and shares one limiter per tenant", () => {
    assert.ok(DEFAULT_REQUESTS_PER_WINDOW < 2000);
    assert.equal(QUOTA_WINDOW_MS, 60_000);
    const a = limiterForTenant("AAAAAAAA-0000-0000-0000-000000000001");
    assert.equal(limiterForTenant("aaaaaaaa-0000-0000-0000-000000000001"), a);
    assert.notEqual(limiterForTenant("aaaaaaaa-0000-0000-0000-000000000002"), a);
  });

  it("rejects a limit that is not a positive integer", () => {
    assert.throws(() => new SlidingWindowLimiter(0), /positive integer/);
    assert.throws(() => new SlidingWindowLimiter(2.5), /positive integer/);
  });
});
