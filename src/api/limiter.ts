// Client-side request limiter, one per tenant and shared by every content type and blob fetch
// of that tenant in this process. Microsoft's quota is per tenant, 2,000 requests per minute at
// the baseline (docs/reference/activity-api.md 4.2); we stay under it with a sliding
// window: at most `limit` requests in any trailing `windowMs`. Unlike a drip of limit/60 per
// second, a run that needs a few hundred requests sends them at once, and a backlog still never
// exceeds the quota. Callers are admitted in arrival order; a throttled answer pauses them all.

import { cancellableSleep } from "./backoff";

/** Under the documented 2,000/minute, leaving room for the token and a concurrent listing. */
export const DEFAULT_REQUESTS_PER_WINDOW = 1_800;
export const QUOTA_WINDOW_MS = 60_000;

export interface LimiterClock {
  /** Milliseconds on a clock that never goes back. */
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const realClock: LimiterClock = { now: () => performance.now(), sleep: cancellableSleep };

export class SlidingWindowLimiter {
  /** Send times of the last `limit` admitted requests, a ring starting at `head` (oldest). */
  private readonly sent: Float64Array;
  private head = 0;
  private count = 0;
  private pausedUntil = -Infinity;
  /** The admission of the caller before the newest one; each waits for its predecessor. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly limit: number = DEFAULT_REQUESTS_PER_WINDOW,
    private readonly clock: LimiterClock = realClock,
    private readonly windowMs: number = QUOTA_WINDOW_MS,
  ) {
    if (!(Number.isInteger(limit) && limit > 0)) throw new Error(`limit must be a positive integer, got ${limit}`);
    if (!(windowMs > 0)) throw new Error(`window must be positive, got ${windowMs}`);
    this.sent = new Float64Array(limit);
  }

  /** Milliseconds until one more request keeps the window and any pause (0 = now). */
  waitMs(): number {
    const now = this.clock.now();
    const forWindow = this.count < this.limit ? 0 : this.sent[this.head] + this.windowMs - now;
    return Math.max(0, forWindow, this.pausedUntil - now);
  }

  /** Resolves when the caller may send one request (now counted); rejects if the signal aborts first. */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.admit(signal));
    this.queue = turn.catch(() => undefined); // an aborted caller gives its turn to the next
    return turn;
  }

  /** Holds every caller of this tenant back for `ms`, those already waiting included (the server said we are throttled). */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
  }

  private async admit(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    // Checked again after each sleep: a pause may have come in meanwhile.
    for (let wait = this.waitMs(); wait > 0; wait = this.waitMs()) await this.clock.sleep(wait, signal);
    this.record(this.clock.now());
  }

  private record(at: number): void {
    if (this.count < this.limit) {
      this.sent[(this.head + this.count) % this.limit] = at;
      this.count++;
    } else {
      this.sent[this.head] = at;
      this.head = (this.head + 1) % this.limit;
    }
  }
}

const byTenant = new Map<string, SlidingWindowLimiter>();

/** The process-wide limiter of a tenant; the first caller's limit wins. */
export function limiterForTenant(tenantId: string, limit: number = DEFAULT_REQUESTS_PER_WINDOW): SlidingWindowLimiter {
  const key = tenantId.toLowerCase();
  let limiter = byTenant.get(key);
  if (!limiter) {
    limiter = new SlidingWindowLimiter(limit);
    byTenant.set(key, limiter);
  }
  return limiter;
}
