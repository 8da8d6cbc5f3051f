// One run of one input, as explicit steps (docs/collector.md): take the input's lock, load its
// state, check the state can be written, list the subscriptions (which also reads the API's
// clock), then per content type retry pending blobs and collect the planned windows; save and
// report. The state lives in CollectorRun; each API transaction has its own module.
import type { Logger } from "../splunk/logger";
import { loadCheckpoint, safeName } from "./checkpoint";
import { CollectorRun, Stopped, type CollectOptions, type ContentTypeSummary } from "./collectorRun";
import { backfillFromGraph } from "./backfill";
import { collectContentType } from "./contentType";
import { IdStore } from "./dedupe";
import type { Fatal } from "./fatal";
import { acquireLock, type LockOwner } from "./lock";
import { STATE_WRITE_CAUSE, stateStep } from "./stateFile";
import { ensureSubscriptions } from "./subscriptions";

export interface CollectResult {
  summaries: ContentTypeSummary[];
  /** Set when a fault stopped the run (configuration, or state that cannot be written). */
  fatal?: Fatal;
  aborted: boolean;
  /** Set when another run of this input holds its lock: this run did nothing. */
  alreadyRunning?: LockOwner;
}

function logSummaries(logger: Logger, summaries: readonly ContentTypeSummary[]): void {
  for (const s of summaries) {
    logger.info("run_summary", {
      content_type: s.contentType,
      blobs: s.blobs,
      records: s.records,
      duplicates_dropped: s.duplicatesDropped,
      filtered: s.filtered,
      expired: s.expired,
      unparsed: s.unparsed,
      pending: s.pending,
      lag_seconds: s.lagSeconds,
      errors: s.errors,
      windows: s.windows,
      complete: s.complete,
      bytes_received: s.bytesReceived,
      bytes_decoded: s.bytesDecoded,
    });
  }
}

/** Loads the checkpoint and the Id store, and proves the state can be written before any event. */
function loadState(run: CollectorRun): void {
  const loaded = loadCheckpoint(run.checkpointFile, run.config.tenantId, run.now());
  if (loaded.kind === "reset") {
    run.logger.warn(`Checkpoint reset (${loaded.reason}); collecting again from backfill_hours, already written records are still skipped`, {
      cause: "checkpoint_reset",
      moved_to: loaded.movedTo,
    });
  }
  const ids = stateStep(run.idsDir, () => IdStore.load(run.idsDir, { now: run.now }));
  run.begin(loaded.state, ids);
  run.save();
}

async function collectAll(run: CollectorRun): Promise<ContentTypeSummary[]> {
  try {
    loadState(run);
    await ensureSubscriptions(run);
  } catch (err) {
    if (!run.signal.aborted && !(err instanceof Stopped)) run.stop(err);
    return [];
  }
  // Content types run one after another so that max_concurrency bounds the whole input.
  const summaries: ContentTypeSummary[] = [];
  for (const ct of run.config.contentTypes) {
    if (run.halted) break;
    // Content types run one at a time, so the client's byte counters split between them.
    const before = run.api.transferredBytes();
    const summary = await collectContentType(run, ct);
    const after = run.api.transferredBytes();
    summary.bytesReceived = after.wire - before.wire;
    summary.bytesDecoded = after.decoded - before.decoded;
    summaries.push(summary);
  }
  // Past the Activity API's horizon, after its windows: the spans its planner handed to Graph.
  if (run.graph && !run.halted) {
    try {
      await backfillFromGraph(run, run.graph);
    } catch (err) {
      if (!run.signal.aborted && !(err instanceof Stopped)) run.stop(err);
    }
  }
  // Every batch is durable by now (each blob waited for its own); this proves it before the lock goes.
  await run.writes.drain().catch((err: unknown) => run.stop(err));
  return summaries;
}

export async function collect(opts: CollectOptions): Promise<CollectResult> {
  const run = new CollectorRun(opts);
  let got;
  try {
    got = await acquireLock(opts.checkpointDir, safeName(opts.config.name), run.now);
  } catch (err) {
    return { summaries: [], aborted: false, fatal: run.stop(err) };
  }
  if ("heldBy" in got) {
    run.logger.warn(`Another run of this input is still working (pid ${got.heldBy.pid}, since ${got.heldBy.startedAt}); this run does nothing. If that process is gone, the next run takes its lock over`, {
      cause: "already_running",
      pid: got.heldBy.pid,
    });
    return { summaries: [], aborted: false, alreadyRunning: got.heldBy };
  }
  try {
    const summaries = await collectAll(run);
    // The state as the run leaves it; not when writing it is what failed.
    if (run.state !== undefined && run.fatal?.cause !== STATE_WRITE_CAUSE) {
      try {
        run.save();
      } catch (err) {
        run.stop(err);
      }
    }
    logSummaries(run.logger, summaries);
    return { summaries, aborted: opts.signal.aborted, fatal: run.fatal };
  } finally {
    got.lock.release();
  }
}
