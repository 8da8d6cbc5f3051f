// Seeded pseudo-random numbers for the synthetic tenant: the same seed always gives the same
// records, so tests can regenerate any record from (seed, blob, index) instead of storing it.

/** FNV-1a over the parts' text, then a 32-bit avalanche: a seed for one (tenant, blob, record). */
export function hashSeed(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join("\u0001")) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** mulberry32: uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** Hex digits, eight per draw (this runs for every GUID and hash of every record). */
  hex(length: number, upper = false): string {
    let out = "";
    while (out.length < length) out += Math.floor(this.next() * 4294967296).toString(16).padStart(8, "0");
    out = out.slice(0, length);
    return upper ? out.toUpperCase() : out;
  }

  /** A version-4-shaped GUID (RFC 4122 layout), lower case as the API writes them. */
  guid(): string {
    const s = this.hex(32);
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-4${s.slice(13, 16)}-${"89ab"[this.int(4)]}${s.slice(17, 20)}-${s.slice(20)}`;
  }
}
