// One content type's part of a run: retry the pending blobs, plan the windows on the API's
// clock (windows.ts), list each window while fetching its blobs max_concurrency at a time,
// commit it.
import { ActivityApiError } from "../api/errors";
import type { ContentItem } from "../api/types";
import { FaultError } from "../errors/faultError";
import { collectBlob, type BlobOutcome } from "./blob";
import { contentTypeState, type PendingBlob } from "./checkpoint";
import { Stopped, type CollectorRun, type ContentTypeSummary, type TypeContext } from "./collectorRun";
import { addPending, commitWindow, lagSeconds, markDone, removePending } from "./commit";
import { listWindow, reportHorizon } from "./listWindow";
import { planWindows, type Window } from "./windows";
import { StateWriteError } from "./stateFile";

function context(run: CollectorRun, contentType: string): TypeContext {
  const { config } = run;
  return {
    contentType,
    cts: contentTypeState(run.state, contentType),
    log: run.logger.child({ content_type: contentType }),
    summary: { contentType, blobs: 0, records: 0, duplicatesDropped: 0, filtered: 0, expired: 0, unparsed: 0, errors: 0, windows: 0, pending: 0, complete: false, bytesReceived: 0, bytesDecoded: 0 },
    mapCtx: {
      stanza: config.stanza,
      tenantId: config.tenantId,
      contentType,
      index: config.index,
      host: config.host,
      recordTypes: new Set(config.recordTypes),
    },
  };
}

/** Items a producer adds while workers take them; `close` once the producer is done. */
class WorkQueue<T> {
  private readonly items: T[] = [];
  private closed = false;
  private waiting: (() => void)[] = [];

  static of<T>(items: readonly T[]): WorkQueue<T> {
    const queue = new WorkQueue<T>();
    queue.push(items);
    queue.close();
    return queue;
  }

  push(items: readonly T[]): void {
    this.items.push(...items);
    this.wake();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  /** The next item, or undefined once the queue is closed and empty. */
  async take(): Promise<T | undefined> {
    while (this.items.length === 0 && !this.closed) await new Promise<void>((resolve) => this.waiting.push(resolve));
    return this.items.shift();
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }
}

/**
 * Runs `work` over the queue's items, `concurrency` at a time, taking no new item once the run
 * halts. Settles only when every worker has stopped (a failing one must not leave others
 * writing behind the caller's back), then throws the first failure.
 */
async function pool<T>(run: CollectorRun, queue: WorkQueue<T>, concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  const worker = async (): Promise<void> => {
    while (!run.halted) {
      const item = await queue.take();
      if (item === undefined || run.halted) return;
      await work(item);
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: concurrency }, worker));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) throw failed.reason;
  run.checkHalted();
}

function warnExpired(ctx: TypeContext, item: { contentId: string; contentCreated: string; contentExpiration?: string }, why: string): void {
  ctx.summary.expired++;
  ctx.log.warn(`Blob ${item.contentId} (created ${item.contentCreated}) is no longer available (${why}): its records are lost; collection ran more than 7 days behind`, {
    cause: "content_expired",
    content_id: item.contentId,
    lost_start: item.contentCreated,
    lost_end: item.contentExpiration,
  });
}

/** Settles one blob's outcome: done, reported lost, or owed (pending). */
function settle(run: CollectorRun, ctx: TypeContext, item: ContentItem, outcome: BlobOutcome, fallbackCreated: number): void {
  if (outcome.kind === "failed") {
    const entry = addPending(ctx, item, outcome.attempts, outcome.lastError, fallbackCreated);
    ctx.log.warn(`Blob ${item.contentId} still fails after ${entry.attempts} attempts (${outcome.lastError}); it is kept as pending and every later run tries it first, until it expires ${entry.contentExpiration}`, {
      cause: "blob_pending",
      content_id: item.contentId,
      attempts: entry.attempts,
    });
    return;
  }
  removePending(ctx, item.contentId);
  if (outcome.kind === "expired") warnExpired(ctx, item, outcome.reason);
  else markDone(ctx, item, fallbackCreated);
  run.saveProgress();
}

/** Pending blobs first: one attempt each per run; expired ones are reported lost without a request. */
async function retryPending(run: CollectorRun, ctx: TypeContext): Promise<void> {
  const owed: PendingBlob[] = [...ctx.cts.pending];
  if (owed.length === 0) return;
  const now = run.serverNow().getTime();
  const live = owed.filter((p) => {
    if (Date.parse(p.contentExpiration) > now) return true;
    removePending(ctx, p.contentId);
    warnExpired(ctx, p, `it expired ${p.contentExpiration} while pending after ${p.attempts} attempts; last error: ${p.lastError}`);
    return false;
  });
  await pool(run, WorkQueue.of(live), run.config.maxConcurrency, async (p) => {
    const item: ContentItem = { contentType: ctx.contentType, ...p };
    settle(run, ctx, item, await collectBlob(run, ctx, item, 1), Date.parse(p.contentCreated));
  });
  run.save();
}

/**
 * Lists a window and fetches its blobs, once each, skipping those written or pending already,
 * max_concurrency at a time while later pages are still being listed: under the quota's
 * trailing minute the pace of a run's first requests is the pace of its last ones, and a
 * window's pages come one after another. Settles when the listing and every worker have
 * stopped; returns the window as listed.
 */
async function listAndCollect(run: CollectorRun, ctx: TypeContext, planned: Window): Promise<Window> {
  const seen = new Set<string>(ctx.cts.pending.map((p) => p.contentId));
  const queue = new WorkQueue<ContentItem>();
  const fresh = (item: ContentItem): boolean => {
    if (seen.has(item.contentId) || item.contentId in ctx.cts.doneBlobs) return false;
    seen.add(item.contentId);
    return true;
  };
  const attempts = run.settings.blobRetries + 1;
  // The listing only moves a window's start (to the horizon), never its end.
  const fallbackCreated = planned.end.getTime();
  const listing = listWindow(run, ctx, planned, (page) => queue.push(page.filter(fresh))).finally(() => queue.close());
  const fetching = pool(run, queue, run.config.maxConcurrency, async (item) => {
    settle(run, ctx, item, await collectBlob(run, ctx, item, attempts), fallbackCreated);
  });
  const [listed, fetched] = await Promise.allSettled([listing, fetching]);
  // A blob's fault says more than the Stopped the listing met because of it.
  if (fetched.status === "rejected" && !(fetched.reason instanceof Stopped)) throw fetched.reason;
  if (listed.status === "rejected") throw listed.reason;
  if (fetched.status === "rejected") throw fetched.reason;
  return listed.value.window;
}

/** A committed end past the API's own clock cannot be right (a host clock once far ahead): start over. */
function checkCommittedEnd(run: CollectorRun, ctx: TypeContext): void {
  const end = ctx.cts.committedEnd;
  if (!end || Date.parse(end) <= run.serverNow().getTime() + 60_000) return;
  ctx.log.warn(`Checkpoint reset (the committed end ${end} is past the Activity API's clock); collecting again from backfill_hours, already written records are still skipped`, {
    cause: "checkpoint_reset",
  });
  delete ctx.cts.committedEnd;
}

function reportStop(run: CollectorRun, ctx: TypeContext, err: unknown): void {
  if (err instanceof Stopped) return;
  ctx.summary.errors++;
  if (err instanceof StateWriteError || run.writes.broken || !(err instanceof FaultError) || err.policy === "fatal") {
    run.stop(err);
    return;
  }
  ctx.log.error(`Collection stopped after retries: ${err.message}; the next run resumes from the last committed window`, {
    cause: err.cause,
    code: err.code,
    status: err instanceof ActivityApiError ? err.status : 0,
  });
}

export async function collectContentType(run: CollectorRun, contentType: string): Promise<ContentTypeSummary> {
  const ctx = context(run, contentType);
  try {
    await retryPending(run, ctx);
    checkCommittedEnd(run, ctx);
    const plan = planWindows({
      now: run.serverNow(),
      committedEnd: ctx.cts.committedEnd ? new Date(ctx.cts.committedEnd) : undefined,
      backfillHours: run.config.backfillHours,
      settings: run.settings.windows,
    });
    if (plan.lostSpan) reportHorizon(run, ctx, plan.lostSpan);
    for (const planned of plan.windows) {
      run.checkHalted();
      const window = await listAndCollect(run, ctx, planned);
      commitWindow(run, ctx, window);
      ctx.summary.windows++;
    }
    ctx.summary.complete = ctx.cts.pending.length === 0;
  } catch (err) {
    reportStop(run, ctx, run.signal.aborted ? new Stopped() : err);
  }
  ctx.summary.pending = ctx.cts.pending.length;
  ctx.summary.lagSeconds = lagSeconds(run, ctx);
  return ctx.summary;
}
