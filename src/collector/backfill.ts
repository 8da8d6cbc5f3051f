// The Graph backfill step of a run (docs/collector.md, "Backfill from Microsoft Graph"). The
// planner's span past the Activity API's 7-day horizon becomes a job in the checkpoint
// (backfillPlan.ts); after the Activity API's windows, each job's audit log query is created,
// polled until it succeeded, and its records paged and written through the run's write path
// with the shared record-Id dedupe, the next link kept in the checkpoint after each page is
// durable. A restart resumes the query (its id is kept) at the page it stopped in.
import { createQuery } from "../graph/createQuery";
import { GraphError } from "../graph/errors";
import type { GraphHttp } from "../graph/http";
import { firstRecordsUrl, readRecordsPage } from "../graph/listRecords";
import { pollQuery, type PollOptions } from "../graph/pollQuery";
import { queryBody } from "../graph/queryBody";
import { mapGraphRecord } from "../graph/record";
import type { GraphRecord } from "../graph/types";
import type { ContentType } from "../config/inputConfig";
import { FaultError } from "../errors/faultError";
import type { SplunkEvent } from "../splunk/event";
import type { Logger } from "../splunk/logger";
import { addGraphSpan, graphSpan, type GraphJob } from "./backfillPlan";
import { Stopped, type CollectorRun, type TypeContext } from "./collectorRun";
import { idKey } from "./dedupe";
import { sourceFor } from "./mapper";
import { emptyNotes } from "./recordStream";
import { UNPARSED_SOURCETYPE } from "./sourcetype";
import { StateWriteError } from "./stateFile";
import { emptyBatch, type Batch } from "./writePath";
import type { Window } from "./windows";

/** Audit searches queued or running per tenant are limited (docs/reference/graph-audit-query.md 3.2). */
export const MAX_QUERIES_IN_FLIGHT = 2;

/**
 * Runs in a row whose search failed or whose page could not be read, with no page written
 * between them, before the rest of the span is given up (cause=graph_span_lost): Graph answers
 * such a fault the same way every time, so trying on would hold the span forever.
 */
export const MAX_SPAN_FAILURES = 10;

export interface BackfillOptions {
  graph: GraphHttp;
  /** Poll timing (tests scale it); the budget bounds how long one run waits for a search. */
  poll?: Pick<PollOptions, "delayMs" | "budgetMs">;
}

export interface BackfillSummary {
  queries: number;
  records: number;
  duplicatesDropped: number;
  filtered: number;
  unparsed: number;
  errors: number;
  /** Jobs left for a later run (query still running, or a fault). */
  pendingSpans: number;
  /** Jobs given up after MAX_SPAN_FAILURES. */
  lostSpans: number;
}

/** The planner's lost span, with graph_backfill = 1: a job for Graph instead of a loss. */
export function recordLostSpan(run: CollectorRun, ctx: TypeContext, lost: Window): void {
  run.state.graph = { jobs: addGraphSpan(run.state.graph?.jobs ?? [], ctx.contentType, graphSpan(lost)) };
  ctx.log.info(`Content from ${lost.start.toISOString()} to ${lost.end.toISOString()} is past the Activity API's 7-day horizon; it is collected from Microsoft Graph's audit log query API`, {
    lost_start: lost.start.toISOString(),
    lost_end: lost.end.toISOString(),
  });
  run.save();
}

/** Batches a page's events into the run's write path; `done()` waits until they are durable. */
class PageWriter {
  private batch: Batch = emptyBatch();
  private readonly durable: Promise<void>[] = [];

  constructor(
    private readonly run: CollectorRun,
    private readonly summary: BackfillSummary,
  ) {}

  async add(event: SplunkEvent, key: Uint8Array, bytes: number): Promise<boolean> {
    if (!this.run.ids.remember(key)) {
      this.summary.duplicatesDropped++;
      return false;
    }
    this.batch.events.push(event);
    this.batch.keys.push(key);
    this.batch.bytes += bytes;
    const { batchMaxEvents, batchMaxBytes } = this.run.settings;
    if (this.batch.events.length >= batchMaxEvents || this.batch.bytes >= batchMaxBytes) await this.flush();
    return true;
  }

  private async flush(): Promise<void> {
    if (this.batch.events.length === 0) return;
    const full = this.batch;
    this.batch = emptyBatch();
    const { durable } = await this.run.writes.submit(full);
    this.durable.push(durable.then(() => void (this.summary.records += full.events.length)));
  }

  async done(): Promise<void> {
    await this.flush();
    await Promise.all(this.durable);
  }
}

async function writePage(run: CollectorRun, job: GraphJob, records: readonly GraphRecord[], summary: BackfillSummary, log: Logger): Promise<void> {
  const { config } = run;
  const wanted = new Set<string>(job.contentTypes.filter((ct) => (config.contentTypes as string[]).includes(ct)));
  const ctx = { stanza: config.stanza, tenantId: config.tenantId, index: config.index, host: config.host, recordTypes: new Set(config.recordTypes) };
  const writer = new PageWriter(run, summary);
  const { badTime, unparsed } = emptyNotes();
  try {
    for (const record of records) {
      const mapped = mapGraphRecord(record, ctx, wanted);
      if (mapped.kind === "other_content_type" || mapped.kind === "filtered") summary.filtered++;
      else if (mapped.kind === "invalid") {
        // As on the Activity path: a record that is not a JSON object is written as it came.
        const event: SplunkEvent = { stanza: ctx.stanza, source: sourceFor(ctx.tenantId, mapped.contentType as ContentType), sourcetype: UNPARSED_SOURCETYPE, index: ctx.index, host: ctx.host, data: mapped.text };
        if (await writer.add(event, idKey(undefined, mapped.text), mapped.text.length)) {
          summary.unparsed++;
          if (unparsed.count++ === 0) unparsed.example = mapped.reason;
        }
      } else if ((await writer.add(mapped.event, idKey(mapped.id, mapped.text), mapped.text.length)) && mapped.timeProblem) {
        // As on the Activity path: written without <time>, so Splunk gives it its own.
        if (badTime.count++ === 0) badTime.example = mapped.timeProblem;
      }
    }
  } finally {
    await writer.done();
  }
  if (badTime.count > 0) {
    log.warn(`${badTime.count} record(s) of a Microsoft Graph page had no usable CreationTime (${badTime.example}); they were delivered with Splunk's own time`, {
      cause: "bad_record_time",
      query_id: job.queryId,
    });
  }
  if (unparsed.count > 0) {
    log.warn(`${unparsed.count} record(s) of a Microsoft Graph page are not JSON objects (${unparsed.example}); written as received with sourcetype ${UNPARSED_SOURCETYPE}`, {
      cause: "record_unparsed",
      query_id: job.queryId,
    });
  }
}

/** `owed`: the checkpoint's list of jobs (the run's state), which the next save writes. */
function forget(owed: GraphJob[], job: GraphJob): void {
  const at = owed.indexOf(job);
  if (at >= 0) owed.splice(at, 1);
}

/** Faults that end the run rather than the job: state that cannot be written, a broken stdout. */
function endsRun(run: CollectorRun, err: unknown): boolean {
  return err instanceof Stopped || err instanceof StateWriteError || run.writes.broken || run.signal.aborted;
}

/** Faults that Graph answers the same way in every run: counted per span, which is given up after MAX_SPAN_FAILURES. */
function counted(err: unknown): err is GraphError {
  return err instanceof GraphError && (err.policy === "query_failed" || err.policy === "page_unreadable");
}

/** `queryId`: the job's query when it failed (a failed query is already gone from the job). */
function report(log: Logger, job: GraphJob, queryId: string | undefined, err: unknown): void {
  const cause = err instanceof FaultError ? err.cause : "graph_error";
  const message = err instanceof Error ? err.message : String(err);
  const status = err instanceof GraphError ? err.status : undefined;
  const count = `(failure ${job.failures} of this span, given up at ${MAX_SPAN_FAILURES})`;
  if (err instanceof GraphError && err.policy === "query_failed") {
    log.error(`${message}; the next run creates a new query for the span ${count}`, { cause, query_id: queryId });
    return;
  }
  const next = counted(err) ? `the next run reads that page again ${count}` : "the next run resumes it";
  log.error(`Microsoft Graph backfill of ${job.start} to ${job.end} stopped: ${message}; ${next}`, { cause, query_id: queryId, status });
}

/** The span's last allowed failure: the job is dropped and what it had not written is reported lost. */
function giveUp(log: Logger, owed: GraphJob[], job: GraphJob, queryId: string | undefined, err: GraphError): void {
  forget(owed, job);
  const written = job.nextLink === undefined ? "no page of it was written" : "the pages before it were written";
  log.error(
    `Microsoft Graph backfill of ${job.start} to ${job.end} given up after ${job.failures} runs in a row failed (last: ${err.message}): its records not yet written are lost; ${written}`,
    { cause: "graph_span_lost", query_id: queryId, lost_start: job.start, lost_end: job.end, last_cause: err.cause },
  );
}

async function runJob(run: CollectorRun, opts: BackfillOptions, owed: GraphJob[], job: GraphJob, summary: BackfillSummary): Promise<void> {
  const { graph } = opts;
  const log = run.logger.child({ span_start: job.start, span_end: job.end });
  try {
    if (job.queryId === undefined || job.version === undefined) {
      const types = job.contentTypes.filter((ct): ct is ContentType => (run.config.contentTypes as string[]).includes(ct));
      const created = await createQuery(graph, queryBody(run.config.name, { start: new Date(job.start), end: new Date(job.end) }, types, run.config.recordTypes));
      job.queryId = created.id;
      job.version = created.version;
      run.save();
      summary.queries++;
      log.info("Microsoft Graph audit log query created", { query_id: created.id, version: created.version });
    }
    const { queryId, version } = job;
    if (job.nextLink === undefined) {
      const status = await pollQuery(graph, version, queryId, { ...opts.poll, signal: run.signal });
      if (status === "pending") {
        summary.pendingSpans++;
        log.info("Microsoft Graph is still running the audit log search; the next run polls it again", { query_id: queryId });
        return;
      }
    }
    for (let url = job.nextLink ?? firstRecordsUrl(graph.origin, version, queryId); ; ) {
      run.checkHalted();
      const page = await readRecordsPage(graph, url);
      await writePage(run, job, page.records, summary, log);
      // A page written is progress: the failures counted are those in a row.
      delete job.failures;
      if (page.nextLink === undefined) break;
      // Saved only once the page's records are durable: a kill repeats at most its last batch.
      job.nextLink = url = page.nextLink;
      run.save();
    }
    forget(owed, job);
    run.save();
    log.info("Microsoft Graph backfill of the span complete", { query_id: queryId });
  } catch (err) {
    if (endsRun(run, err)) throw err;
    summary.errors++;
    const { queryId } = job;
    if (counted(err)) {
      job.failures = (job.failures ?? 0) + 1;
      if (job.failures >= MAX_SPAN_FAILURES) {
        summary.lostSpans++;
        giveUp(log, owed, job, queryId, err);
        run.save();
        return;
      }
      if (err.policy === "query_failed") {
        // The search itself failed: the next run asks again for the span.
        delete job.queryId;
        delete job.version;
        delete job.nextLink;
      }
      // A page that cannot be read keeps its link: the next run reads it again.
      run.save();
    }
    summary.pendingSpans++;
    report(log, job, queryId, err);
  }
}

/** Runs every job of the checkpoint, at most MAX_QUERIES_IN_FLIGHT at once; logs one summary line. */
export async function backfillFromGraph(run: CollectorRun, opts: BackfillOptions): Promise<BackfillSummary | undefined> {
  const owed = run.state.graph?.jobs ?? [];
  if (owed.length === 0) return undefined;
  const jobs = [...owed];
  const summary: BackfillSummary = { queries: 0, records: 0, duplicatesDropped: 0, filtered: 0, unparsed: 0, errors: 0, pendingSpans: 0, lostSpans: 0 };
  let next = 0;
  // The first fault that ends the run. The other worker stops at its job's next step (that
  // fault halts it there too) and is waited for: no event or state write of this step may
  // come after it returned, when the run is committing and closing.
  let ended: { err: unknown } | undefined;
  const worker = async (): Promise<void> => {
    try {
      while (!ended && next < jobs.length && !run.halted) await runJob(run, opts, owed, jobs[next++], summary);
    } catch (err) {
      ended ??= { err };
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(MAX_QUERIES_IN_FLIGHT, jobs.length) }, worker));
    if (ended) throw ended.err;
  } finally {
    run.logger.info("graph_backfill_summary", {
      queries: summary.queries,
      records: summary.records,
      duplicates_dropped: summary.duplicatesDropped,
      filtered: summary.filtered,
      unparsed: summary.unparsed,
      errors: summary.errors,
      lost_spans: summary.lostSpans,
      pending_spans: owed.length,
      complete: owed.length === 0,
    });
  }
  return summary;
}
