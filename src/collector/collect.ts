// One run of one input: ensure subscriptions, then per content type plan windows, list
// content, fetch blobs (max_concurrency in flight), map records, write events, remember
// their Ids, and commit each window once all of its blobs are written (docs/collector.md).
import type { ActivityApi } from "../api/activityApi";
import { ActivityApiError, isAuditLogOff } from "../api/errors";
import type { ContentItem } from "../api/types";
import type { InputConfig } from "../config/inputConfig";
import type { SplunkEvent } from "../splunk/event";
import type { EventSink } from "../splunk/eventSink";
import type { Logger } from "../splunk/logger";
import { JsonArraySplitter } from "./blobSplitter";
import {
  checkpointPaths,
  contentTypeState,
  loadCheckpoint,
  saveCheckpoint,
  type CheckpointState,
} from "./checkpoint";
import { IdStore, idKey } from "./dedupe";
import { mapRecord, type MapContext } from "./mapper";
import { DEFAULT_WINDOW_SETTINGS, planWindows, type Window, type WindowSettings } from "./windows";

/** The service allows one /subscriptions/start per 15 minutes (Reference, "Start a subscription"). */
const START_INTERVAL_MS = 15 * 60_000;

export interface CollectOptions {
  config: InputConfig;
  api: ActivityApi;
  sink: EventSink;
  logger: Logger;
  checkpointDir: string;
  signal: AbortSignal;
  now?: () => Date;
  windowSettings?: WindowSettings;
  /** Events per write (default: the sink's batchLimit, else 500 / 1 MiB); a hard kill may repeat at most one such batch. */
  batchMaxEvents?: number;
  batchMaxBytes?: number;
  /** Further attempts for a blob whose download or body broke. */
  blobRetries?: number;
  /** How often finished blobs inside an open window are written to the checkpoint (default 0.5 s). */
  progressSaveMs?: number;
  /** Wait before blob attempt n (1-based); tests pass 0. */
  blobRetryDelayMs?: (attempt: number) => number;
}

export interface ContentTypeSummary {
  contentType: string;
  blobs: number;
  records: number;
  duplicatesDropped: number;
  filtered: number;
  expired: number;
  errors: number;
  windows: number;
  lagSeconds?: number;
  complete: boolean;
  /** Body bytes of this content type's API responses as sent (compressed when compressed) and decoded. */
  bytesReceived: number;
  bytesDecoded: number;
}

export interface CollectResult {
  summaries: ContentTypeSummary[];
  /** Set when a configuration fault stopped the run. */
  fatal?: { cause: string; message: string };
  aborted: boolean;
}

/** 1 s, 2 s, 4 s … up to 30 s before blob attempt n. */
export function defaultBlobRetryDelayMs(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** (attempt - 1));
}

class Aborted extends Error {
  constructor() {
    super("stopped");
  }
}

/** Settles with the promise, or rejects with Aborted as soon as the signal fires. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Aborted());
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return abortable(new Promise<void>((r) => setTimeout(r, ms).unref()), signal);
}

/** Maps a configuration fault to a cause code and a message that says the fix. */
export function describeFatal(err: unknown): { cause: string; message: string } {
  const errCause = (err as { cause?: unknown }).cause;
  const message = err instanceof Error ? err.message : String(err);
  // Token errors (src/auth/tokenErrors.ts) already name their cause and fix.
  if (typeof errCause === "string") return { cause: errCause, message };
  if (err instanceof ActivityApiError) {
    if (err.code === "AF10001") {
      return {
        cause: "consent_missing",
        message: `The app registration lacks the ActivityFeed.Read application permission or its admin consent (${err.code}). In Entra ID, add Office 365 Management APIs > ActivityFeed.Read (Application) and grant admin consent.`,
      };
    }
    if (isAuditLogOff(err.message)) {
      return {
        cause: "audit_log_off",
        message: "The tenant's unified audit log is off (the API answers 'Tenant ... does not exist'). Turn on auditing in Microsoft Purview > Audit; it can take 60 minutes to take effect.",
      };
    }
    if (err.code && /^AF2001[0-3]$/.test(err.code)) {
      return { cause: "tenant_invalid", message: `The API rejected the tenant (${err.code}: ${err.message}). Check tenant_id: it must be the tenant's GUID and match the app registration's tenant.` };
    }
    return { cause: "api_error", message: `The Activity API refused the request (${err.code ?? `HTTP ${err.status}`}: ${err.message}).` };
  }
  return { cause: "collector_error", message };
}

interface Batch {
  events: SplunkEvent[];
  keys: Uint8Array[];
  bytes: number;
}

export async function collect(opts: CollectOptions): Promise<CollectResult> {
  const { config, api, logger, signal } = opts;
  const now = opts.now ?? (() => new Date());
  const settings = opts.windowSettings ?? DEFAULT_WINDOW_SETTINGS;
  const batchMaxEvents = opts.batchMaxEvents ?? opts.sink.batchLimit?.events ?? 500;
  const batchMaxBytes = opts.batchMaxBytes ?? opts.sink.batchLimit?.bytes ?? 1 << 20;
  const blobRetries = opts.blobRetries ?? 3;
  const progressSaveMs = opts.progressSaveMs ?? 500;
  const retryDelay = opts.blobRetryDelayMs ?? defaultBlobRetryDelayMs;
  const serverNow = (): Date => new Date(now().getTime() + api.clockSkewSeconds() * 1000);

  const paths = checkpointPaths(opts.checkpointDir, config.name);
  const loaded = loadCheckpoint(paths.file, config.tenantId);
  if (loaded.kind === "reset") {
    logger.warn(`Checkpoint reset (${loaded.reason}); collecting again from backfill_hours, already written records are still skipped`, {
      cause: "checkpoint_reset",
      moved_to: loaded.movedTo,
    });
  }
  const state: CheckpointState = loaded.state;
  const ids = IdStore.load(paths.idsDir, { now });
  let savedAt = Date.now();
  const save = (): void => {
    saveCheckpoint(paths.file, state);
    savedAt = Date.now();
  };
  /** Inside a long window: records finished blobs now and then, so a hard kill re-downloads little. */
  const saveProgress = (): void => {
    if (Date.now() - savedAt >= progressSaveMs) save();
  };

  // All content types share stdout: one write at a time keeps batches whole.
  let writeChain: Promise<void> = Promise.resolve();
  const writeBatch = (batch: Batch): Promise<void> => {
    const events = batch.events;
    const keys = batch.keys;
    const next = writeChain.then(async () => {
      await opts.sink.write(events);
      ids.persist(keys);
    });
    writeChain = next.catch(() => undefined);
    return next;
  };

  const result: CollectResult = { summaries: [], aborted: false };
  let skewReported = false;
  try {
    await ensureSubscriptions();
  } catch (err) {
    if (err instanceof Aborted || signal.aborted) return { ...result, aborted: true };
    result.fatal = describeFatal(err);
    logger.error(result.fatal.message, { cause: result.fatal.cause });
    save();
    return result;
  }

  // Content types run one after another so that max_concurrency bounds the whole input.
  const summaries: ContentTypeSummary[] = [];
  for (const ct of config.contentTypes) {
    if (signal.aborted || result.fatal) break;
    // Content types run one at a time, so the client's byte counters split between them.
    const before = api.transferredBytes();
    const summary = await collectContentType(ct);
    const after = api.transferredBytes();
    summary.bytesReceived = after.wire - before.wire;
    summary.bytesDecoded = after.decoded - before.decoded;
    summaries.push(summary);
  }
  result.summaries = summaries;
  result.aborted = signal.aborted;
  save();
  for (const s of summaries) {
    logger.info("run_summary", {
      content_type: s.contentType,
      blobs: s.blobs,
      records: s.records,
      duplicates_dropped: s.duplicatesDropped,
      filtered: s.filtered,
      expired: s.expired,
      lag_seconds: s.lagSeconds,
      errors: s.errors,
      windows: s.windows,
      complete: s.complete,
      bytes_received: s.bytesReceived,
      bytes_decoded: s.bytesDecoded,
    });
  }
  if (result.fatal) logger.error(result.fatal.message, { cause: result.fatal.cause });
  return result;

  /** Once per run: the local clock is off the API's by more than a minute (windows use the API's). */
  function warnSkew(): void {
    const skew = api.clockSkewSeconds();
    if (skewReported || Math.abs(skew) <= 60) return;
    skewReported = true;
    logger.warn(`This host's clock differs from the Activity API's by ${Math.round(skew)} s; windows are planned on the API's clock. Sync the host's clock (NTP)`, {
      cause: "clock_skew",
      skew_seconds: Math.round(skew),
    });
  }

  async function ensureSubscriptions(): Promise<void> {
    const checked = state.subscriptionsCheckedAt ? Date.parse(state.subscriptionsCheckedAt) : 0;
    if (now().getTime() - checked < START_INTERVAL_MS) return;
    const subs = await abortable(api.listSubscriptions(), signal);
    let allEnabled = true;
    for (const ct of config.contentTypes) {
      const sub = subs.find((s) => s.contentType.toLowerCase() === ct.toLowerCase());
      if (sub && sub.status.toLowerCase() === "enabled") continue;
      allEnabled = false;
      await startSubscription(ct, sub ? "disabled" : "missing");
    }
    if (allEnabled) state.subscriptionsCheckedAt = now().toISOString();
  }

  /** Starts a subscription unless auto_subscribe is off or a start was made in the last 15 minutes. */
  async function startSubscription(ct: string, why: string): Promise<void> {
    const cts = contentTypeState(state, ct);
    if (!config.autoSubscribe) {
      logger.error(`The ${ct} subscription is ${why} and auto_subscribe is 0: start it, or set auto_subscribe = 1`, {
        cause: "subscription_disabled",
        content_type: ct,
      });
      return;
    }
    const last = cts.lastStartAttempt ? Date.parse(cts.lastStartAttempt) : 0;
    if (now().getTime() - last < START_INTERVAL_MS) {
      logger.warn(`The ${ct} subscription is ${why}; the last start was under 15 minutes ago, so the next run will try again`, {
        cause: "subscription_disabled",
        content_type: ct,
      });
      return;
    }
    cts.lastStartAttempt = now().toISOString();
    await abortable(api.startSubscription(ct), signal);
    logger.info(`Started the ${ct} subscription (it was ${why}); new subscriptions can take up to 12 hours to deliver content`, {
      content_type: ct,
    });
  }

  async function collectContentType(contentType: string): Promise<ContentTypeSummary> {
    const log = logger.child({ content_type: contentType });
    const cts = contentTypeState(state, contentType);
    const summary: ContentTypeSummary = {
      contentType,
      blobs: 0,
      records: 0,
      duplicatesDropped: 0,
      filtered: 0,
      expired: 0,
      errors: 0,
      windows: 0,
      complete: false,
      bytesReceived: 0,
      bytesDecoded: 0,
    };
    const mapCtx: MapContext = {
      stanza: config.stanza,
      tenantId: config.tenantId,
      contentType,
      index: config.index,
      host: config.host,
      recordTypes: new Set(config.recordTypes),
    };
    warnSkew();
    const plan = planWindows({
      now: serverNow(),
      committedEnd: cts.committedEnd ? new Date(cts.committedEnd) : undefined,
      backfillHours: config.backfillHours,
      settings,
    });
    if (plan.lostSpan) warnHorizon(plan.lostSpan);
    try {
      for (const window of plan.windows) {
        if (signal.aborted) break;
        const ok = await collectWindow(window);
        if (!ok) break;
        summary.windows++;
        commitWindow(window);
      }
      summary.complete = !signal.aborted && summary.windows === plan.windows.length;
    } catch (err) {
      // A stop cuts API calls short (their signal is the run's): that is no error.
      if (!(err instanceof Aborted) && !signal.aborted) {
        summary.errors++;
        const fatal = err instanceof ActivityApiError && err.policy === "fatal";
        if (fatal || !(err instanceof ActivityApiError)) {
          const f = describeFatal(err);
          if (fatal) result.fatal = f;
          else log.error(`Collection stopped: ${f.message}; the next run resumes from the last committed window`, { cause: f.cause });
        } else {
          log.error(`Collection stopped after retries: ${err.message}; the next run resumes from the last committed window`, {
            cause: err.policy,
            code: err.code,
            status: err.status,
          });
        }
      }
    }
    if (cts.committedEnd) summary.lagSeconds = Math.max(0, Math.round((serverNow().getTime() - Date.parse(cts.committedEnd)) / 1000));
    return summary;

    function warnHorizon(span: Window): void {
      log.warn(
        `Content from ${span.start.toISOString()} to ${span.end.toISOString()} is past the API's 7-day horizon and cannot be collected; run the input more often or check why it was stopped`,
        { cause: "horizon_exceeded", lost_start: span.start.toISOString(), lost_end: span.end.toISOString() },
      );
    }

    function commitWindow(window: Window): void {
      cts.committedEnd = window.end.toISOString();
      // Keep only blobs the next run can list again (its overlap) so the state stays small.
      const keepFrom = window.end.getTime() - settings.overlapMs - settings.lagMs;
      for (const [id, created] of Object.entries(cts.doneBlobs)) if (created < keepFrom) delete cts.doneBlobs[id];
      save();
    }

    async function listWindow(window: Window): Promise<ContentItem[]> {
      for (let attempt = 0; ; attempt++) {
        try {
          const items: ContentItem[] = [];
          const pages = api.listContent(contentType, window.start, window.end);
          for await (const page of pages) {
            if (signal.aborted) throw new Aborted();
            items.push(...page);
          }
          return items;
        } catch (err) {
          if (!(err instanceof ActivityApiError) || attempt > 0) throw err;
          if (err.policy === "subscribe") {
            await startSubscription(contentType, err.code === "AF20023" ? "disabled" : "missing");
            continue;
          }
          if (err.policy === "rewindow") {
            // Usually clock skew: the client now knows the server's clock; clamp to its horizon.
            const horizon = serverNow().getTime() - settings.horizonMs;
            if (window.start.getTime() < horizon) {
              warnHorizon({ start: window.start, end: new Date(horizon) });
              window.start = new Date(horizon);
            }
            if (window.start >= window.end) return [];
            warnSkew();
            log.warn(`The API rejected the window (${err.code}); retrying it on the server's clock`, {
              cause: "window_rejected",
              skew_seconds: api.clockSkewSeconds(),
            });
            continue;
          }
          throw err;
        }
      }
    }

    /** Returns true when every blob of the window was written (or expired). */
    async function collectWindow(window: Window): Promise<boolean> {
      const listed = await listWindow(window);
      const seen = new Set<string>();
      const todo = listed.filter((item) => {
        if (seen.has(item.contentId) || item.contentId in cts.doneBlobs) return false;
        seen.add(item.contentId);
        return true;
      });
      let failed = false;
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < todo.length && !failed && !signal.aborted) {
          const item = todo[next++];
          if (await collectBlob(item)) {
            cts.doneBlobs[item.contentId] = Date.parse(item.contentCreated) || window.end.getTime();
            saveProgress();
          } else failed = true;
        }
      };
      await Promise.all(Array.from({ length: Math.min(config.maxConcurrency, todo.length) }, worker));
      if (signal.aborted) throw new Aborted();
      return !failed;
    }

    /** Returns true when the blob was written in full, or is gone (expired) and was reported. */
    async function collectBlob(item: ContentItem): Promise<boolean> {
      for (let attempt = 1; ; attempt++) {
        try {
          await streamBlob(item);
          summary.blobs++;
          return true;
        } catch (err) {
          if (err instanceof Aborted) throw err;
          if (err instanceof ActivityApiError && err.policy === "expired") {
            summary.expired++;
            log.warn(`Blob ${item.contentId} (created ${item.contentCreated}) is no longer available (${err.code}): its records are lost; collection ran more than 7 days behind`, {
              cause: "content_expired",
              content_id: item.contentId,
            });
            return true;
          }
          if (err instanceof ActivityApiError && err.policy === "fatal") throw err;
          summary.errors++;
          const reason = err instanceof Error ? err.message : String(err);
          if (attempt > blobRetries) {
            log.error(`Blob ${item.contentId} still fails after ${attempt} attempts (${reason}); its window stays open and the next run retries it`, {
              cause: "blob_broken",
              content_id: item.contentId,
            });
            return false;
          }
          log.warn(`Blob ${item.contentId} broke (${reason}); retrying, records already written are skipped`, {
            cause: "blob_broken",
            content_id: item.contentId,
            attempt,
          });
          await sleep(retryDelay(attempt), signal);
        }
      }
    }

    async function streamBlob(item: ContentItem): Promise<void> {
      const body = await abortable(api.fetchBlob(item.contentUri), signal);
      const splitter = new JsonArraySplitter();
      let batch: Batch = { events: [], keys: [], bytes: 0 };
      let badTimes = 0;
      let badTimeExample = "";
      const flush = async (): Promise<void> => {
        if (batch.events.length === 0) return;
        const full = batch;
        batch = { events: [], keys: [], bytes: 0 };
        await writeBatch(full);
        summary.records += full.events.length;
      };
      try {
        for await (const chunk of body) {
          for (const raw of splitter.push(chunk)) {
            const text = raw.toString("utf8");
            const mapped = mapRecord(text, mapCtx);
            if (mapped.kind === "filtered") {
              summary.filtered++;
              continue;
            }
            if (mapped.kind === "invalid") throw new Error(`a record in the blob is unusable: ${mapped.reason}`);
            const key = idKey(mapped.id, text);
            if (!ids.remember(key)) {
              summary.duplicatesDropped++;
              continue;
            }
            if (mapped.timeProblem) {
              badTimes++;
              badTimeExample ||= mapped.timeProblem;
            }
            batch.events.push(mapped.event);
            batch.keys.push(key);
            batch.bytes += text.length;
            if (batch.events.length >= batchMaxEvents || batch.bytes >= batchMaxBytes) await flush();
          }
          // Stop between chunks on SIGTERM; what was read is still written below.
          if (signal.aborted) break;
        }
        if (!signal.aborted) splitter.end();
      } finally {
        // Complete records read before a failure are genuine: write them, never drop them.
        await flush();
        if (badTimes > 0) {
          log.warn(`${badTimes} record(s) had no usable CreationTime (${badTimeExample}); they were delivered with Splunk's own time`, {
            cause: "bad_record_time",
            content_id: item.contentId,
          });
        }
      }
      if (signal.aborted) throw new Aborted();
    }
  }
}
