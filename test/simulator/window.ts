// The /subscriptions/content time window (docs/reference/activity-api.md section 3): formats the
// service accepts and the rules it enforces, as pure functions of the request and its clock.

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/**
 * Reference: accepted formats YYYY-MM-DD, YYYY-MM-DDTHH:MM, YYYY-MM-DDTHH:MM:SS (UTC), plus the
 * service's own NextPageUri form with a fraction and `Z` (2020-02-20T10:46:42.0000000Z, observed).
 * Returns epoch ms, or undefined when the text is none of these.
 */
export function parseApiTime(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?(Z)?)?$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = "00", mi = "00", s = "00", fraction, zone] = m;
  // A zone suffix is only seen on the full-seconds form; a fraction only together with Z.
  if ((zone && m[6] === undefined) || (fraction !== undefined && !zone)) return undefined;
  const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0);
  const check = new Date(ms);
  if (check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || +h > 23 || +mi > 59 || +s > 59) return undefined;
  return ms;
}

/** contentCreated / contentExpiration: `2015-05-23T17:35:00.000Z` (reference section 3). */
export const formatContentTime = (ms: number): string => new Date(ms).toISOString();

/** The 7-digit form the service writes into NextPageUri (observed, reference section 3). */
export const formatPageTime = (ms: number): string => `${new Date(ms).toISOString().slice(0, 23)}0000Z`;

export type WindowResult =
  | { ok: true; start: number; end: number }
  | { ok: false; code: "AF20030" | "AF20055" | "AF20002"; message: string };

const RULE_TEXT =
  "startTime and endTime must both be present or both absent, at most 24 hours apart, with startTime no more than 7 days in the past";

/**
 * Reference: startTime/endTime both or neither, at most 24 h apart, start no more than 7 days
 * before now -> AF20030; start not before end -> AF20055; a value that is not a date -> AF20002
 * (wrong parameter type). Neither given: the last 24 hours (Reference page; the FAQ's "since
 * midnight" variant is not modelled). End times in the future are accepted (observed by Elastic).
 */
export function checkWindow(startText: string | undefined, endText: string | undefined, now: number): WindowResult {
  if (startText === undefined && endText === undefined) return { ok: true, start: now - DAY_MS, end: now };
  if (startText === undefined || endText === undefined) return { ok: false, code: "AF20030", message: RULE_TEXT + "." };
  const start = parseApiTime(startText);
  const end = parseApiTime(endText);
  if (start === undefined || end === undefined) {
    return { ok: false, code: "AF20002", message: `The parameter ${start === undefined ? "startTime" : "endTime"} must be of type DateTime.` };
  }
  if (start >= end) return { ok: false, code: "AF20055", message: `${RULE_TEXT}, and startTime before endTime.` };
  if (end - start > DAY_MS || start < now - 7 * DAY_MS) return { ok: false, code: "AF20030", message: RULE_TEXT + "." };
  return { ok: true, start, end };
}
