// Retry timing for throttled and transient Activity API calls (docs/reference/activity-api.md
// 4.2): honour Retry-After (delta seconds or HTTP date, RFC 9110 10.2.3) when the server
// sends one, otherwise exponential backoff with full jitter, capped, for a bounded number of
// attempts. Pure functions plus injectable sleep/random so tests run instantly.

import { setTimeout as delay } from "node:timers/promises";
import type { Cause } from "../errors/causes";

export interface BackoffOptions {
  /** First backoff ceiling, in ms; attempt n waits up to baseMs * 2^n. */
  baseMs: number;
  /** Largest computed wait, in ms. */
  capMs: number;
  /** Largest Retry-After we will honour, in ms; a longer ask ends the retries. */
  maxRetryAfterMs: number;
  /** Total tries of one call, the first included. */
  maxAttempts: number;
  random: () => number;
  /** Waits ms; rejects with the signal's reason when it aborts (the client is closing). */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
}

/**
 * A timer that a closing client can cancel, so that no wait outlives it. Rejects with the
 * signal's reason (what the owner said when it closed), not Node's generic AbortError.
 */
export async function cancellableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch (err) {
    throw signal?.aborted ? signal.reason : err;
  }
}

export const BACKOFF_DEFAULTS: BackoffOptions = {
  baseMs: 5_000,
  capMs: 120_000,
  maxRetryAfterMs: 600_000,
  maxAttempts: 6,
  random: Math.random,
  sleep: cancellableSleep,
  now: Date.now,
};

/** Full jitter: uniform in [0, min(cap, base * 2^retry)]; `retry` counts from 0. */
export function jitteredDelayMs(retry: number, options: Pick<BackoffOptions, "baseMs" | "capMs" | "random">): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** retry);
  return Math.floor(options.random() * ceiling);
}

/** Retry-After as seconds from `nowMs`, or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/**
 * How long to wait before retry number `retry` (0-based), or undefined when the call should
 * give up (attempts spent, or the server asks for longer than we will wait).
 */
export function retryDelayMs(
  retry: number,
  retryAfterSeconds: number | undefined,
  options: Pick<BackoffOptions, "baseMs" | "capMs" | "random" | "maxAttempts" | "maxRetryAfterMs">,
): number | undefined {
  if (retry + 1 >= options.maxAttempts) return undefined;
  if (retryAfterSeconds === undefined) return jitteredDelayMs(retry, options);
  const asked = retryAfterSeconds * 1000;
  return asked > options.maxRetryAfterMs ? undefined : asked;
}

/**
 * Tells whether a retry starts a new episode of its kind (log it at WARN) or continues one
 * already reported (log at DEBUG). Any success ends every episode.
 */
export class RetryEpisodes {
  private readonly active = new Set<Cause>();

  /** True when this is the first retry of `cause` since the last success. */
  begin(cause: Cause): boolean {
    if (this.active.has(cause)) return false;
    this.active.add(cause);
    return true;
  }

  /** Ends all episodes; returns the causes that were active (to log a recovery). */
  succeed(): Cause[] {
    const ended = [...this.active];
    this.active.clear();
    return ended;
  }
}
