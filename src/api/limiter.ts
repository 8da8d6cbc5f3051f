// Client-side request limiter, one per tenant and shared by every content type and blob fetch
// of that tenant in this process. Microsoft's quota is per tenant with a 2,000 requests/minute
// baseline (Activity API reference, "Throttling"); we default under it. A token bucket:
// requests spend a token each, tokens refill at the rate, a short burst is allowed. Waiters
// reserve tokens ahead (the balance goes negative), so concurrent callers queue fairly.

import { cancellableSleep } from "./backoff";

export const DEFAULT_RATE_PER_MINUTE = 1_800;

export interface LimiterClock {
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const realClock: LimiterClock = { now: Date.now, sleep: cancellableSleep };

export class TokenBucket {
  private readonly perMs: number;
  private readonly burst: number;
  private tokens: number;
  private updatedAt: number;
  private pausedUntil = 0;

  constructor(
    ratePerMinute: number = DEFAULT_RATE_PER_MINUTE,
    private readonly clock: LimiterClock = realClock,
    /** Tokens available at once; one second's worth by default. */
    burst?: number,
  ) {
    if (!(ratePerMinute > 0)) throw new Error(`rate must be positive, got ${ratePerMinute}`);
    this.perMs = ratePerMinute / 60_000;
    this.burst = burst ?? Math.max(1, Math.floor(ratePerMinute / 60));
    this.tokens = this.burst;
    this.updatedAt = clock.now();
  }

  /** Milliseconds the caller must wait for a token it has now reserved (0 = go). Pure bookkeeping. */
  reserve(): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + (now - this.updatedAt) * this.perMs);
    this.updatedAt = now;
    this.tokens -= 1;
    const forToken = this.tokens >= 0 ? 0 : Math.ceil(-this.tokens / this.perMs);
    return Math.max(forToken, this.pausedUntil - now);
  }

  /** Resolves when the caller may send one request; rejects if the signal aborts first. */
  async take(signal?: AbortSignal): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await this.clock.sleep(wait, signal);
  }

  /** Holds every caller of this tenant back for `ms` (the server said we are throttled). */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
  }
}

const byTenant = new Map<string, TokenBucket>();

/** The process-wide limiter of a tenant; the first caller's rate wins. */
export function limiterForTenant(tenantId: string, ratePerMinute: number = DEFAULT_RATE_PER_MINUTE): TokenBucket {
  const key = tenantId.toLowerCase();
  let bucket = byTenant.get(key);
  if (!bucket) {
    bucket = new TokenBucket(ratePerMinute);
    byTenant.set(key, bucket);
  }
  return bucket;
}
