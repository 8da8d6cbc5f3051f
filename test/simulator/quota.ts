// Per-tenant request quota. Reference (section 4.2): each tenant starts at 2,000 requests per
// minute; every request counts, whatever its outcome, and excess requests get AF429.

export class MinuteQuota {
  private readonly stamps: number[] = [];
  private head = 0;

  constructor(private readonly limit: number, private readonly windowMs = 60_000) {}

  /** Counts one request at `now`; false when the window already held `limit` requests. */
  take(now: number): boolean {
    while (this.head < this.stamps.length && this.stamps[this.head] <= now - this.windowMs) this.head++;
    if (this.head > 4096) {
      this.stamps.splice(0, this.head);
      this.head = 0;
    }
    const allowed = this.stamps.length - this.head < this.limit;
    this.stamps.push(now);
    return allowed;
  }
}
