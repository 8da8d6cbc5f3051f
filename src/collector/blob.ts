// Transaction "fetch and stream a blob": GET the contentUri, cut the body into records as it
// arrives, map and de-duplicate them, and hand full batches to the write path. A record that is
// not a JSON object is written as it came (sourcetype defender_o365:unparsed); a blob whose
// body breaks is tried again, and after its attempts is reported back for the pending list.
import { setTimeout as wait } from "node:timers/promises";
import { ActivityApiError } from "../api/errors";
import type { ContentItem } from "../api/types";
import { FaultError } from "../errors/faultError";
import type { SplunkEvent } from "../splunk/event";
import { JsonArraySplitter } from "./blobSplitter";
import { Stopped, type CollectorRun, type TypeContext } from "./collectorRun";
import { idKey } from "./dedupe";
import { UNPARSED_MAX_BYTES } from "./defaults";
import { mapRecord, sourceFor } from "./mapper";
import { UNPARSED_SOURCETYPE } from "./sourcetype";
import { StateWriteError } from "./stateFile";
import { emptyBatch } from "./writePath";

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

function unparsedEvent(ctx: TypeContext, text: string): SplunkEvent {
  const m = ctx.mapCtx;
  return { stanza: m.stanza, source: sourceFor(m.tenantId, m.contentType), sourcetype: UNPARSED_SOURCETYPE, index: m.index, host: m.host, data: text };
}

/** One pass over a blob's body. Records read before a failure are written, never dropped. */
async function streamBlob(run: CollectorRun, ctx: TypeContext, item: ContentItem): Promise<void> {
  const { summary } = ctx;
  const body = await run.api.fetchBlob(item.contentUri);
  const splitter = new JsonArraySplitter();
  const durable: Promise<void>[] = [];
  let batch = emptyBatch();
  const badTime = { count: 0, example: "" };
  // Records that are not JSON objects wait until the body proved a whole array: in a body
  // that breaks, an element that does not parse is the break, not a record.
  let held: string[] = [];
  let heldBytes = 0;
  const unparsed = { count: 0, example: "" };

  const flush = async (): Promise<void> => {
    if (batch.events.length === 0) return;
    const full = batch;
    batch = emptyBatch();
    const { durable: done } = await run.writes.submit(full);
    durable.push(done.then(() => void (summary.records += full.events.length)));
  };
  const add = async (event: SplunkEvent, key: Uint8Array, bytes: number): Promise<void> => {
    if (!run.ids.remember(key)) {
      summary.duplicatesDropped++;
      return;
    }
    batch.events.push(event);
    batch.keys.push(key);
    batch.bytes += bytes;
    if (batch.events.length >= run.settings.batchMaxEvents || batch.bytes >= run.settings.batchMaxBytes) await flush();
  };
  const writeHeld = async (): Promise<void> => {
    const texts = held;
    held = [];
    heldBytes = 0;
    for (const text of texts) {
      const before = summary.duplicatesDropped;
      await add(unparsedEvent(ctx, text), idKey(undefined, text), text.length);
      if (summary.duplicatesDropped === before) unparsed.count++;
    }
  };

  try {
    for await (const chunk of body) {
      for (const raw of splitter.push(chunk)) {
        const text = raw.toString("utf8");
        const mapped = mapRecord(text, ctx.mapCtx);
        if (mapped.kind === "filtered") {
          summary.filtered++;
          continue;
        }
        if (mapped.kind === "invalid") {
          unparsed.example ||= mapped.reason;
          held.push(text);
          heldBytes += text.length;
          if (heldBytes >= UNPARSED_MAX_BYTES) await writeHeld();
          continue;
        }
        if (mapped.timeProblem) {
          badTime.count++;
          badTime.example ||= mapped.timeProblem;
        }
        await add(mapped.event, idKey(mapped.id, text), text.length);
      }
      // Stop between chunks on SIGTERM; what was read is still written below.
      if (run.halted) break;
    }
    if (!run.halted) {
      splitter.end();
      await writeHeld();
    }
  } finally {
    await flush();
    await Promise.all(durable);
    if (badTime.count > 0) {
      ctx.log.warn(`${badTime.count} record(s) had no usable CreationTime (${badTime.example}); they were delivered with Splunk's own time`, {
        cause: "bad_record_time",
        content_id: item.contentId,
      });
    }
    if (unparsed.count > 0) {
      summary.unparsed += unparsed.count;
      ctx.log.warn(`${unparsed.count} record(s) in blob ${item.contentId} are not JSON objects (${unparsed.example}); written as received with sourcetype ${UNPARSED_SOURCETYPE}`, {
        cause: "record_unparsed",
        content_id: item.contentId,
      });
    }
  }
  run.checkHalted();
}
