// Transaction "commit": a window's end is committed once every blob listed in it was written,
// expired, or put on the pending list; the pending list and the lag figure live here too.
import type { ContentItem } from "../api/types";
import type { PendingBlob } from "./checkpoint";
import type { CollectorRun, TypeContext } from "./collectorRun";
import { DAY_MS, type Window } from "./windows";

const BLOB_LIFETIME_MS = 7 * DAY_MS;

export function commitWindow(run: CollectorRun, ctx: TypeContext, window: Window): void {
  const { cts } = ctx;
  cts.committedEnd = window.end.toISOString();
  // Keep only blobs the next run can list again (its overlap) so the state stays small.
  const s = run.settings.windows;
  const keepFrom = window.end.getTime() - s.overlapMs - s.lagMs;
  for (const [id, created] of Object.entries(cts.doneBlobs)) if (created < keepFrom) delete cts.doneBlobs[id];
  run.save();
}

/** A blob written in full: the next listings skip it. */
export function markDone(ctx: TypeContext, item: ContentItem, fallbackCreated: number): void {
  ctx.cts.doneBlobs[item.contentId] = Date.parse(item.contentCreated) || fallbackCreated;
}

/** Puts a blob on (or updates it in) the pending list. */
export function addPending(ctx: TypeContext, item: ContentItem, attempts: number, lastError: string, fallbackCreated: number): PendingBlob {
  const known = ctx.cts.pending.find((p) => p.contentId === item.contentId);
  if (known) {
    known.attempts += attempts;
    known.lastError = lastError.slice(0, 500);
    return known;
  }
  // The listing's times as the checkpoint can hold them: a blob lives 7 days after it was created.
  const created = Date.parse(item.contentCreated) || fallbackCreated;
  const expires = Date.parse(item.contentExpiration) || created + BLOB_LIFETIME_MS;
  const entry: PendingBlob = {
    contentId: item.contentId,
    contentUri: item.contentUri,
    contentCreated: new Date(created).toISOString(),
    contentExpiration: new Date(expires).toISOString(),
    attempts,
    lastError: lastError.slice(0, 500),
  };
  ctx.cts.pending.push(entry);
  return entry;
}

export function removePending(ctx: TypeContext, contentId: string): void {
  ctx.cts.pending = ctx.cts.pending.filter((p) => p.contentId !== contentId);
}

/** Seconds from the oldest content still owed (committed end, or a pending blob) to the API's now. */
export function lagSeconds(run: CollectorRun, ctx: TypeContext): number | undefined {
  const times = [ctx.cts.committedEnd, ...ctx.cts.pending.map((p) => p.contentCreated)].map((t) => (t ? Date.parse(t) : NaN)).filter((t) => !Number.isNaN(t));
  if (times.length === 0) return undefined;
  return Math.max(0, Math.round((run.serverNow().getTime() - Math.min(...times)) / 1000));
}
