// Plans the contentCreated windows of one run (docs/collector.md; docs/reference/activity-api.md
// section 3): the API selects blobs by when they became available (startTime <= contentCreated
// < endTime), accepts at most 24 h per query and no start older than 7 days.

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export interface WindowSettings {
  /** The newest content we ask for is this far behind the server's clock. */
  lagMs: number;
  /** Each run re-lists this much before the committed end, for blobs that surface late at an edge. */
  overlapMs: number;
  /** The documented maximum span of one listing. */
  maxWindowMs: number;
  /** How far back a start may be; the service rejects starts older than 7 days (Elastic clamps to 167h55m). */
  horizonMs: number;
}

export const DEFAULT_WINDOW_SETTINGS: WindowSettings = {
  lagMs: 60_000,
  overlapMs: HOUR_MS,
  maxWindowMs: DAY_MS,
  horizonMs: 7 * DAY_MS - 10 * 60_000,
};

export interface Window {
  start: Date;
  end: Date;
}

export interface WindowPlan {
  windows: Window[];
  /** Content that can no longer be listed: it was due before the 7-day horizon. */
  lostSpan?: Window;
}

export interface PlanInput {
  /** The server's clock. */
  now: Date;
  /** End of the last fully written window, if any run has committed one. */
  committedEnd?: Date;
  /** History to collect on the first run. */
  backfillHours: number;
  settings?: WindowSettings;
}

export function planWindows(input: PlanInput): WindowPlan {
  const s = input.settings ?? DEFAULT_WINDOW_SETTINGS;
  // Whole seconds: the API's time parameters have no fractions.
  const now = Math.floor(input.now.getTime() / 1000) * 1000;
  const end = now - s.lagMs;
  const horizon = now - s.horizonMs;
  const committed = input.committedEnd?.getTime();
  // The first run starts backfill_hours ago; later runs resume at the committed end, minus the overlap.
  const due = committed ?? now - input.backfillHours * HOUR_MS;
  let start = committed !== undefined ? committed - s.overlapMs : due;
  let lostSpan: Window | undefined;
  if (start < horizon) {
    if (due < horizon) lostSpan = { start: new Date(due), end: new Date(horizon) };
    start = horizon;
  }
  const windows: Window[] = [];
  for (let t = start; t < end; t += s.maxWindowMs) {
    windows.push({ start: new Date(t), end: new Date(Math.min(t + s.maxWindowMs, end)) });
  }
  return { windows, lostSpan };
}
