// Transaction "fetch and stream a blob": GET the contentUri, cut the body into records as it
// arrives, map and de-duplicate them (recordStream.ts), and hand full batches to the write path. A record that is
// not a JSON object is written as it came (sourcetype defender_o365:unparsed); a blob whose
// body breaks is tried again, and after its attempts is reported back for the pending list.
import { setTimeout as wait } from "node:timers/promises";
import { ActivityApiError } from "../api/errors";
import type { ContentItem } from "../api/types";
import { FaultError } from "../errors/faultError";
import { Stopped, type CollectorRun, type TypeContext } from "./collectorRun";
import { emptyNotes, streamRecords, type RecordOutlet } from "./recordStream";
import { UNPARSED_SOURCETYPE } from "./sourcetype";
import { StateWriteError } from "./stateFile";

export type BlobOutcome =
  | { kind: "written" }
  | { kind: "expired"; reason: string }
  | { kind: "failed"; attempts: number; lastError: string };

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Faults the blob cannot fix by being tried again: they end the run. */
function endsRun(run: CollectorRun, err: unknown): boolean {
  return err instanceof StateWriteError || run.writes.broken || (err instanceof FaultError && err.policy === "fatal");
}

/**
 * Fetches and writes one blob, trying it up to `attempts` times. Throws Stopped on SIGTERM and
 * the fault itself when it ends the run.
 */
export async function collectBlob(run: CollectorRun, ctx: TypeContext, item: ContentItem, attempts: number): Promise<BlobOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      await streamBlob(run, ctx, item);
      ctx.summary.blobs++;
      return { kind: "written" };
    } catch (err) {
      if (run.signal.aborted) throw new Stopped();
      if (err instanceof Stopped || endsRun(run, err)) throw err;
      if (err instanceof ActivityApiError && err.policy === "expired") return { kind: "expired", reason: `${err.code}: ${err.message}` };
      ctx.summary.errors++;
      const reason = reasonOf(err);
      if (attempt >= attempts) return { kind: "failed", attempts: attempt, lastError: reason };
      ctx.log.warn(`Blob ${item.contentId} broke (${reason}); retrying, records already written are skipped`, {
        cause: "blob_broken",
        content_id: item.contentId,
        attempt,
      });
      const ms = run.settings.retryDelayMs(attempt);
      // A plain (ref'd) timer: the process must not end while this wait is pending.
      if (ms > 0) await wait(ms, undefined, { signal: run.signal }).catch(() => run.checkHalted());
    }
  }
}

/** One pass over a blob's body. Records read before a failure are written, never dropped. */
async function streamBlob(run: CollectorRun, ctx: TypeContext, item: ContentItem): Promise<void> {
  const body = await run.api.fetchBlob(item.contentUri);
  const notes = emptyNotes();
  const outlet: RecordOutlet = {
    remember: (key) => run.ids.remember(key),
    submit: (batch) => run.writes.submit(batch),
    batchMaxEvents: run.settings.batchMaxEvents,
    batchMaxBytes: run.settings.batchMaxBytes,
    halted: () => run.halted,
  };
  try {
    await streamRecords(body, ctx.mapCtx, outlet, ctx.summary, notes);
  } finally {
    const { badTime, unparsed } = notes;
    if (badTime.count > 0) {
      ctx.log.warn(`${badTime.count} record(s) had no usable CreationTime (${badTime.example}); they were delivered with Splunk's own time`, {
        cause: "bad_record_time",
        content_id: item.contentId,
      });
    }
    if (unparsed.count > 0) {
      ctx.summary.unparsed += unparsed.count;
      ctx.log.warn(`${unparsed.count} record(s) in blob ${item.contentId} are not JSON objects (${unparsed.example}); written as received with sourcetype ${UNPARSED_SOURCETYPE}`, {
        cause: "record_unparsed",
        content_id: item.contentId,
      });
    }
  }
  run.checkHalted();
}
