import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { backfillFromGraph, recordLostSpan, type BackfillSummary } from "../../../src/collector/backfill";
import type { GraphJob } from "../../../src/collector/backfillPlan";
import { emptyCheckpoint, type CheckpointState } from "../../../src/collector/checkpoint";
import { CollectorRun, Stopped, type TypeContext } from "../../../src/collector/collectorRun";
import { IdStore } from "../../../src/collector/dedupe";
import { StateWriteError } from "../../../src/collector/stateFile";
import type { InputConfig } from "../../../src/config/inputConfig";
import { parseGraphError } from "../../../src/graph/errors";
import type { SplunkEvent } from "../../../src/splunk/event";
import type { EventSink } from "../../../src/splunk/eventSink";
import { createLogger } from "../../../src/splunk/logger";
import { TEST_TENANT_ID, testConfig } from "../../lib/testConfig";
import { FakeApi } from "./fakeApi";
import { FakeGraph, graphRecord, type FakeGraphRecord } from "./fakeGraph";
import { FaultError } from "../../../src/errors/faultError";

// The Graph backfill step on a real CollectorRun (checkpoint file, Id store, write path) with an
// in-memory Graph: which events are written, what the checkpoint keeps, and the log lines.
const NOW = Date.parse("2026-11-20T12:00:00Z");
const START = "2026-11-10T00:00:00.000Z";
const END = "2026-11-13T01:00:00.000Z";
const SPAN_FIELDS = `span_start=${START} span_end=${END}`;
const STANZA = "defender_o365_activity://contoso";
const QUERIES = "/v1.0/security/auditLog/queries";
const GRAPH_ORIGIN_V1 = `https://graph.test${QUERIES}`;
const noWait = { delayMs: () => 0, budgetMs: 60_000 };

const exchange = (n: number, over: Record<string, unknown> = {}): Record<string, unknown> => ({
  Id: `ex-${n}`,
  RecordType: 28,
  CreationTime: `2026-11-10T01:00:0${n}Z`,
  Workload: "Exchange",
  Operation: "TIMailData",
  ...over,
});
/** The event an Exchange record's fields become: Graph's annotation gone, the rest as sent. */
const eventOf = (fields: Record<string, unknown>, sourcetype = "o365:defender:email"): SplunkEvent => ({
  stanza: STANZA,
  time: Date.parse(String(fields.CreationTime)) / 1000,
  source: `defender_o365:${TEST_TENANT_ID}:Audit.Exchange`,
  sourcetype,
  index: "o365",
  host: "collector1",
  data: JSON.stringify(fields),
  dataIsJson: true,
});
const job = (over: Partial<GraphJob> = {}): GraphJob => ({ start: START, end: END, contentTypes: ["Audit.Exchange"], ...over });
const summaryLine = (s: { queries?: number; records?: number; duplicates?: number; filtered?: number; unparsed?: number; errors?: number; lost?: number; pending?: number }): string =>
  `INFO graph_backfill_summary queries=${s.queries ?? 1} records=${s.records ?? 0} duplicates_dropped=${s.duplicates ?? 0} filtered=${s.filtered ?? 0} unparsed=${s.unparsed ?? 0} errors=${s.errors ?? 0} lost_spans=${s.lost ?? 0} pending_spans=${s.pending ?? 0} complete=${(s.pending ?? 0) === 0}`;
const summary = (over: Partial<BackfillSummary>): BackfillSummary => ({ queries: 1, records: 0, duplicatesDropped: 0, filtered: 0, unparsed: 0, errors: 0, pendingSpans: 0, lostSpans: 0, ...over });

describe("collector/backfill", () => {
  let dir: string;
  let logs: string[];
  let batches: SplunkEvent[][];
  let sinkFault: Error | undefined;
  let abort: AbortController;
  let graph: FakeGraph;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "backfill-"));
    logs = [];
    batches = [];
    sinkFault = undefined;
    abort = new AbortController();
    graph = new FakeGraph();
    graph.signal = abort.signal;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const sink: EventSink = {
    write: async (events) => {
      if (sinkFault) throw sinkFault;
      batches.push([...events]);
    },
    close: async () => undefined,
  };
  const make = (jobs: GraphJob[] | undefined, over: { config?: Partial<InputConfig>; batchMaxEvents?: number; batchMaxBytes?: number } = {}): CollectorRun => {
    const config = testConfig({ clientSecret: "s", contentTypes: ["Audit.Exchange"], index: "o365", host: "collector1", graphBackfill: true, ...over.config });
    const run = new CollectorRun({ config, api: new FakeApi(), sink, logger: createLogger((l) => logs.push(l), "DEBUG"), checkpointDir: dir, signal: abort.signal, now: () => new Date(NOW), batchMaxEvents: over.batchMaxEvents ?? 100, batchMaxBytes: over.batchMaxBytes ?? 1_000_000 });
    const state: CheckpointState = emptyCheckpoint(TEST_TENANT_ID);
    if (jobs) state.graph = { jobs };
    run.begin(state, IdStore.load(path.join(dir, "ids"), { now: run.now }));
    return run;
  };
  /** The jobs of the checkpoint file as last saved. */
  const saved = (run: CollectorRun): GraphJob[] | undefined =>
    fs.existsSync(run.checkpointFile) ? (JSON.parse(fs.readFileSync(run.checkpointFile, "utf8")) as CheckpointState).graph?.jobs : undefined;
  const events = (): SplunkEvent[] => batches.flat();
  const records = (...fields: Record<string, unknown>[]): FakeGraphRecord[] => fields.map(graphRecord);

  describe("recordLostSpan", () => {
    const lost = { start: new Date("2026-11-10T00:00:00Z"), end: new Date("2026-11-13T00:00:00Z") };
    const ctx = (contentType: string): TypeContext => ({ contentType, log: createLogger((l) => logs.push(l), "DEBUG") }) as unknown as TypeContext;

    it("makes the span past the horizon, plus an hour, a job in the saved checkpoint and says Graph collects it", () => {
      const run = make(undefined);
      recordLostSpan(run, ctx("Audit.Exchange"), lost);
      const expected = [{ start: START, end: END, contentTypes: ["Audit.Exchange"] }];
      assert.deepEqual(run.state.graph, { jobs: expected });
      assert.deepEqual(saved(run), expected);
      assert.deepEqual(logs, [
        `INFO Content from ${lost.start.toISOString()} to ${lost.end.toISOString()} is past the Activity API's 7-day horizon; it is collected from Microsoft Graph's audit log query API lost_start=${lost.start.toISOString()} lost_end=${lost.end.toISOString()}`,
      ]);
    });

    it("adds to the jobs already owed: another content type's span shares its job", () => {
      const run = make([job({ contentTypes: ["Audit.General"] })]);
      recordLostSpan(run, ctx("Audit.Exchange"), lost);
      assert.deepEqual(saved(run), [job({ contentTypes: ["Audit.General", "Audit.Exchange"] })]);
    });
  });

  describe("backfillFromGraph", () => {
    it("with no job owed asks Graph nothing and logs nothing", async () => {
      assert.equal(await backfillFromGraph(make(undefined), { graph }), undefined);
      assert.equal(await backfillFromGraph(make([]), { graph }), undefined);
      assert.deepEqual(graph.requests, []);
      assert.deepEqual(logs, []);
    });

    it("creates the query, polls it, pages every record into events without annotations, forgets the job and logs the summary", async () => {
      const fields = [exchange(1), exchange(2), exchange(3, { RecordType: 2, Operation: "Send" })];
      graph.records = records(...fields);
      const run = make([job({ contentTypes: ["Audit.Exchange", "Audit.General"] })]);
      graph.statuses = ["notStarted", "running", "succeeded"];
      const result = await backfillFromGraph(run, { graph, poll: noWait });
      assert.deepEqual(graph.requests, [
        `create ${QUERIES}`,
        `poll ${QUERIES}/q1`,
        `poll ${QUERIES}/q1`,
        `poll ${QUERIES}/q1`,
        `records ${QUERIES}/q1/records`,
        `records ${QUERIES}/q1/records?page=1`,
      ]);
      // Only the content types this input collects are asked for: Exchange is a whole service.
      assert.deepEqual(graph.queries[0].body, { displayName: `defender_o365 backfill contoso ${START}`, filterStartDateTime: START, filterEndDateTime: END, serviceFilters: ["Exchange"] });
      assert.deepEqual(events(), [eventOf(fields[0]), eventOf(fields[1]), eventOf(fields[2], "o365:management:activity")]);
      assert.deepEqual(result, summary({ records: 3 }));
      assert.deepEqual(run.state.graph, { jobs: [] });
      assert.deepEqual(saved(run), []);
      assert.deepEqual(logs, [
        `INFO Microsoft Graph audit log query created ${SPAN_FIELDS} query_id=q1 version=v1.0`,
        `INFO Microsoft Graph backfill of the span complete ${SPAN_FIELDS} query_id=q1`,
        summaryLine({ records: 3 }),
      ]);
    });

    it("keeps the query in the checkpoint before polling it, and each next link only once the page before it is written", async () => {
      graph.records = records(exchange(1), exchange(2), exchange(3), exchange(4), exchange(5));
      const run = make([job()]);
      const seen: string[] = [];
      graph.before = (operation, url) => {
        const [j] = saved(run) ?? [];
        seen.push(`${operation} ${url.slice(url.lastIndexOf("/") + 1)}: query=${j?.queryId} version=${j?.version} next=${j?.nextLink?.slice(-6)} written=${events().length}`);
      };
      await backfillFromGraph(run, { graph, poll: noWait });
      assert.deepEqual(seen, [
        "create queries: query=undefined version=undefined next=undefined written=0",
        "poll q1: query=q1 version=v1.0 next=undefined written=0",
        "records records: query=q1 version=v1.0 next=undefined written=0",
        "records records?page=1: query=q1 version=v1.0 next=page=1 written=2",
        "records records?page=2: query=q1 version=v1.0 next=page=2 written=4",
      ]);
      assert.equal(events().length, 5);
      assert.deepEqual(saved(run), []);
    });

    it("writes in batches of batchMaxEvents or batchMaxBytes of record text, never an empty batch", async () => {
      // Each round its own Ids (the Id store is shared), every record's text as long as the others.
      const round = (prefix: string, count: number): Record<string, unknown>[] => Array.from({ length: count }, (_, i) => exchange(i + 1, { Id: `${prefix}-${i + 1}` }));
      graph.pageSize = 5;
      graph.records = records(...round("r1", 5));
      await backfillFromGraph(make([job()], { batchMaxEvents: 2 }), { graph, poll: noWait });
      assert.deepEqual(batches.map((b) => b.length), [2, 2, 1]);
      batches = [];
      graph.records = records(...round("r2", 4));
      await backfillFromGraph(make([job()], { batchMaxEvents: 2 }), { graph, poll: noWait });
      assert.deepEqual(batches.map((b) => b.length), [2, 2]);
      batches = [];
      const third = round("r3", 3);
      graph.records = records(...third);
      const run = make([job()], { batchMaxBytes: JSON.stringify(third[0]).length });
      assert.deepEqual(await backfillFromGraph(run, { graph, poll: noWait }), summary({ records: 3 }));
      assert.deepEqual(batches.map((b) => b.length), [1, 1, 1]);
    });

    it("drops records already written, and counts those of other content types or record types as filtered", async () => {
      const kept = exchange(1);
      graph.records = records(kept, exchange(2, { RecordType: 2 }), { ...exchange(3), Workload: "MicrosoftTeams" }, kept, exchange(4));
      graph.pageSize = 10;
      // ex-4 was written by an earlier run (the Id store is shared).
      await backfillFromGraph(make([job()]), { graph: Object.assign(new FakeGraph(), { records: records(exchange(4)) }), poll: noWait });
      const run = make([job({ contentTypes: ["Audit.Exchange", "Audit.General"] })], { config: { recordTypes: [28] } });
      batches = [];
      logs = [];
      const result = await backfillFromGraph(run, { graph, poll: noWait });
      assert.deepEqual(events(), [eventOf(kept)]);
      assert.deepEqual(result, summary({ records: 1, duplicatesDropped: 2, filtered: 2 }));
      assert.deepEqual(graph.queries[0].body.recordTypeFilters, ["threatIntelligence"]);
      assert.equal(logs.at(-1), summaryLine({ records: 1, duplicates: 2, filtered: 2 }));
    });

    it("writes a record whose auditData is not JSON as it came, as defender_o365:unparsed, once, with one WARN per page", async () => {
      const broken = '{"Id":"bad-1","RecordType":28,"Workload":"Exchange","Subject":"\\q"}';
      const other = '{"Id":"bad-2","Subject":"\\u12"}';
      graph.records = [{ id: "bad-1", auditData: broken }, { id: "bad-1", auditData: broken }, graphRecord(exchange(1)), { id: "bad-2", auditData: other }];
      graph.pageSize = 10;
      const run = make([job({ contentTypes: ["Audit.Exchange", "Audit.General"] })], { config: { contentTypes: ["Audit.Exchange", "Audit.General"] } });
      const result = await backfillFromGraph(run, { graph, poll: noWait });
      assert.deepEqual(events(), [
        { stanza: STANZA, source: `defender_o365:${TEST_TENANT_ID}:Audit.General`, sourcetype: "defender_o365:unparsed", index: "o365", host: "collector1", data: broken },
        eventOf(exchange(1)),
        { stanza: STANZA, source: `defender_o365:${TEST_TENANT_ID}:Audit.General`, sourcetype: "defender_o365:unparsed", index: "o365", host: "collector1", data: other },
      ]);
      assert.deepEqual(result, summary({ records: 3, unparsed: 2, duplicatesDropped: 1 }));
      assert.deepEqual(saved(run), []);
      // One WARN per page, naming the first such record (the parser's own words vary by Node version).
      const warns = logs.filter((l) => l.startsWith("WARN"));
      assert.equal(warns.length, 1, logs.join("\n"));
      assert.match(warns[0], /^WARN 2 record\(s\) of a Microsoft Graph page are not JSON objects \(auditData of record bad-1 is not JSON: [^)]+\); written as received with sourcetype defender_o365:unparsed span_start=\S+ span_end=\S+ cause=record_unparsed query_id=q1$/);
    });

    it("writes a record without a usable CreationTime with Splunk's own time, with one WARN cause=bad_record_time per page, as the Activity path does", async () => {
      const soon = exchange(1, { CreationTime: "soon" });
      const timeless = exchange(2);
      delete timeless.CreationTime;
      graph.records = records(soon, exchange(3), timeless, soon);
      const run = make([job()]);
      const result = await backfillFromGraph(run, { graph, poll: noWait });
      assert.deepEqual(events(), [{ ...eventOf(soon), time: undefined }, eventOf(exchange(3)), { ...eventOf(timeless), time: undefined }]);
      assert.deepEqual(result, summary({ records: 3, duplicatesDropped: 1 }));
      const warn = (n: number, why: string) =>
        `WARN ${n} record(s) of a Microsoft Graph page had no usable CreationTime (${why}); they were delivered with Splunk's own time ${SPAN_FIELDS} cause=bad_record_time query_id=q1`;
      // Page 2's copy of ex-1 is a duplicate, not delivered, so not counted.
      assert.deepEqual(logs.filter((l) => l.startsWith("WARN")), [warn(1, 'CreationTime "soon" is not a time'), warn(1, "CreationTime is missing")]);
    });

    describe("a page that is not JSON (a bad escape outside auditData)", () => {
      const NEXT = `${GRAPH_ORIGIN_V1}/q1/records?page=1`;
      const garbled = (n: number): FakeGraphRecord => ({ ...graphRecord(exchange(n)), outside: '"user\\qId":"x"' });
      const unreadable = (n: number) =>
        `ERROR Microsoft Graph backfill of ${START} to ${END} stopped: Graph list records: record 1 of the page is not JSON (bad escape in the string "user\\qId" at offset 13): ` +
        `{"@odata.context":"${graph.origin}/$metadata","value":[{"id":"ex-3","user\\qId":"x","auditData":{"@odata.type":"#microsoft.graph.security.defaultAuditData","Id":"ex-3","RecordType":28,"CreationTime"; ` +
        `the next run reads that page again (failure ${n} of this span, given up at 10) ${SPAN_FIELDS} cause=graph_page_unreadable query_id=q1 status=200`;

      it("is ERROR cause=graph_page_unreadable naming the query and the fault, read again by the next run; a page read resets the count", async () => {
        graph.records = [...records(exchange(1), exchange(2)), garbled(3), ...records(exchange(4), exchange(5))];
        const run = make([job()]);
        assert.deepEqual(await backfillFromGraph(run, { graph, poll: noWait }), summary({ records: 2, errors: 1, pendingSpans: 1 }));
        assert.deepEqual(logs.slice(1), [unreadable(1), summaryLine({ records: 2, errors: 1, pending: 1 })]);
        assert.deepEqual(saved(run), [job({ queryId: "q1", version: "v1.0", nextLink: NEXT, failures: 1 })]);
        logs = [];
        graph.requests.length = 0;
        await backfillFromGraph(run, { graph, poll: noWait });
        assert.deepEqual(graph.requests, ["records /v1.0/security/auditLog/queries/q1/records?page=1"]);
        assert.deepEqual(logs, [unreadable(2), summaryLine({ queries: 0, errors: 1, pending: 1 })]);
        assert.deepEqual(saved(run), [job({ queryId: "q1", version: "v1.0", nextLink: NEXT, failures: 2 })]);

        // Graph serves the page whole again: it is written and the failures in a row start over.
        graph.records = records(...[1, 2, 3, 4, 5].map((n) => exchange(n)));
        graph.records[4] = garbled(5);
        logs = [];
        await backfillFromGraph(run, { graph, poll: noWait });
        assert.deepEqual(saved(run), [job({ queryId: "q1", version: "v1.0", nextLink: `${GRAPH_ORIGIN_V1}/q1/records?page=2` , failures: 1 })]);
        assert.deepEqual(events().map((e) => JSON.parse(e.data).Id), ["ex-1", "ex-2", "ex-3", "ex-4"]);
      });

      it("after 10 runs in a row is given up: ERROR cause=graph_span_lost names the span and query, the job is dropped, nothing was written twice", async () => {
        graph.records = [...records(exchange(1), exchange(2)), garbled(3), ...records(exchange(4))];
        const run = make([job()]);
        for (let n = 1; n < 10; n++) await backfillFromGraph(run, { graph, poll: noWait });
        assert.deepEqual(saved(run), [job({ queryId: "q1", version: "v1.0", nextLink: NEXT, failures: 9 })]);
        logs = [];
        assert.deepEqual(await backfillFromGraph(run, { graph, poll: noWait }), summary({ queries: 0, errors: 1, lostSpans: 1 }));
        assert.deepEqual(saved(run), []);
        assert.equal(logs.length, 2, logs.join("\n"));
        assert.match(
          logs[0],
          new RegExp(
            `^ERROR Microsoft Graph backfill of ${START} to ${END} given up after 10 runs in a row failed \\(last: Graph list records: record 1 of the page is not JSON \\(bad escape in the string "user\\\\qId" at offset 13\\): .*\\): ` +
              `its records not yet written are lost; the pages before it were written ${SPAN_FIELDS} cause=graph_span_lost query_id=q1 lost_start=${START} lost_end=${END} last_cause=graph_page_unreadable$`,
          ),
        );
        assert.equal(logs[1], summaryLine({ queries: 0, errors: 1, lost: 1 }));
        assert.deepEqual(events().map((e) => JSON.parse(e.data).Id), ["ex-1", "ex-2"]);
        assert.equal(graph.requests.filter((r) => r.endsWith("?page=1")).length, 10);
      });

      it("a bad escape in a value the backfill does not read (outside auditData) loses nothing: the record is written", async () => {
        graph.records = [{ ...graphRecord(exchange(1)), outside: '"userId":"a\\qb"' }];
        const run = make([job()]);
        assert.deepEqual(await backfillFromGraph(run, { graph, poll: noWait }), summary({ records: 1 }));
        assert.deepEqual(events(), [eventOf(exchange(1))]);
      });
    });

    it("a search that fails in 10 runs in a row is given up: ERROR cause=graph_span_lost names the span, no page of it written", async () => {
      graph.statuses = ["failed"];
      const run = make([job()]);
      for (let n = 1; n < 10; n++) await backfillFromGraph(run, { graph, poll: noWait });
      assert.deepEqual(saved(run), [job({ failures: 9 })]);
      logs = [];
      assert.deepEqual(await backfillFromGraph(run, { graph, poll: noWait }), summary({ errors: 1, lostSpans: 1 }));
      assert.deepEqual(saved(run), []);
      assert.equal(
        logs[1],
        `ERROR Microsoft Graph backfill of ${START} to ${END} given up after 10 runs in a row failed (last: Graph audit log query q10 failed: Microsoft Purview could not complete the search): its records not yet written are lost; no page of it was written ${SPAN_FIELDS} cause=graph_span_lost query_id=q10 lost_start=${START} lost_end=${END} last_cause=graph_query_failed`,
      );
      assert.equal(graph.queries.length, 10);
    });

    it("creates the query on beta when v1.0 answers 404, and keeps reading on beta", async () => {
      graph.versions = ["beta"];
      graph.records = records(exchange(1));
      const run = make([job()]);
      await backfillFromGraph(run, { graph, poll: noWait });
      assert.deepEqual(graph.requests, [`create ${QUERIES}`, `create /beta/security/auditLog/queries`, `poll /beta/security/auditLog/queries/q1`, `records /beta/security/auditLog/queries/q1/records`]);
      assert.equal(logs[0], `INFO Microsoft Graph audit log query created ${SPAN_FIELDS} query_id=q1 version=beta`);
      assert.equal(events().length, 1);
    });

    it("resumes a created query by polling it, and a job with a next link at that page, asking for nothing again", async () => {
      graph.versions = ["beta"];
      graph.queries.push({ id: "q1", version: "beta", body: { displayName: "earlier run", filterStartDateTime: START, filterEndDateTime: END }, polls: 0 });
      const fields = [1, 2, 3].map((n) => exchange(n));
      graph.records = records(...fields);
      const run = make([job({ queryId: "q1", version: "beta" })]);
      const result = await backfillFromGraph(run, { graph, poll: noWait });
      assert.deepEqual(graph.requests, ["poll /beta/security/auditLog/queries/q1", "records /beta/security/auditLog/queries/q1/records", "records /beta/security/auditLog/queries/q1/records?page=1"]);
      assert.deepEqual(result, summary({ queries: 0, records: 3 }));

      graph.requests.length = 0;
      batches = [];
      graph.records = records(exchange(4), exchange(5), exchange(6));
      const next = `${graph.origin}/beta/security/auditLog/queries/q1/records?page=1`;
      const resumed = make([job({ queryId: "q1", version: "beta", nextLink: next })]);
      await backfillFromGraph(resumed, { graph, poll: noWait });
      assert.deepEqual(graph.requests, ["records /beta/security/auditLog/queries/q1/records?page=1"]);
      assert.deepEqual(events(), [eventOf(exchange(6))]);
      assert.deepEqual(saved(resumed), []);
    });

    it("leaves a query still running after the poll budget to the next run, which polls it again", async () => {
      graph.statuses = ["running"];
      graph.records = records(exchange(1));
      const run = make([job()]);
      const result = await backfillFromGraph(run, { graph, poll: { delayMs: () => 1_000, budgetMs: 0 } });
      assert.deepEqual(graph.requests, [`create ${QUERIES}`, `poll ${QUERIES}/q1`]);
      assert.deepEqual(result, summary({ pendingSpans: 1 }));
      assert.deepEqual(saved(run), [job({ queryId: "q1", version: "v1.0" })]);
      assert.deepEqual(logs.slice(1), [
        `INFO Microsoft Graph is still running the audit log search; the next run polls it again ${SPAN_FIELDS} query_id=q1`,
        summaryLine({ pending: 1 }),
      ]);
      assert.deepEqual(events(), []);

      graph.statuses = ["succeeded"];
      graph.requests.length = 0;
      assert.deepEqual(await backfillFromGraph(run, { graph, poll: noWait }), summary({ queries: 0, records: 1 }));
      assert.deepEqual(graph.requests, [`poll ${QUERIES}/q1`, `records ${QUERIES}/q1/records`]);
    });

    it("a failed query: ERROR graph_query_failed with the query and the span's failure count; the next run searches the span again", async () => {
      graph.statuses = ["failed"];
      graph.records = records(exchange(1));
      const run = make([job()]);
      const failed = (n: number, id: string): string =>
        `ERROR Graph audit log query ${id} failed: Microsoft Purview could not complete the search; the next run creates a new query for the span (failure ${n} of this span, given up at 10) ${SPAN_FIELDS} cause=graph_query_failed query_id=${id}`;
      assert.deepEqual(await backfillFromGraph(run, { graph, poll: noWait }), summary({ errors: 1, pendingSpans: 1 }));
      assert.deepEqual(saved(run), [job({ failures: 1 })]);
      assert.deepEqual(logs.slice(1), [failed(1, "q1"), summaryLine({ errors: 1, pending: 1 })]);

      graph.statuses = ["cancelled"];
      logs = [];
      await backfillFromGraph(run, { graph, poll: noWait });
      assert.deepEqual(saved(run), [job({ failures: 2 })]);
      assert.equal(logs[1], failed(2, "q2").replace("q2 failed", "q2 cancelled"));

      graph.statuses = ["succeeded"];
      assert.deepEqual(await backfillFromGraph(run, { graph, poll: noWait }), summary({ records: 1 }));
      assert.deepEqual(saved(run), []);
      assert.equal(graph.queries.length, 3);
    });

    it("a Graph error ends only its job, which keeps its query and next link for the next run: ERROR with the cause and status", async () => {
      graph.records = records(exchange(1), exchange(2), exchange(3));
      graph.faults.records = [undefined, parseGraphError("list records", 503, '{"error":{"code":"ServiceUnavailable","message":"try later"}}')];
      const run = make([job()]);
      const result = await backfillFromGraph(run, { graph, poll: noWait });
      assert.deepEqual(result, summary({ records: 2, errors: 1, pendingSpans: 1 }));
      assert.deepEqual(saved(run), [job({ queryId: "q1", version: "v1.0", nextLink: `${graph.origin}${QUERIES}/q1/records?page=1` })]);
      assert.deepEqual(logs.slice(1), [
        `ERROR Microsoft Graph backfill of ${START} to ${END} stopped: Graph list records failed (HTTP 503) [server: ServiceUnavailable try later]; the next run resumes it ${SPAN_FIELDS} cause=graph_transient query_id=q1 status=503`,
        summaryLine({ records: 2, errors: 1, pending: 1 }),
      ]);
    });

    it("an error that is no Graph error is reported with cause graph_error, and the other jobs still run", async () => {
      const other = job({ start: "2026-11-01T00:00:00.000Z", end: "2026-11-02T00:00:00.000Z" });
      graph.faults.create = [new TypeError("fetch failed"), "a thrown string"];
      graph.records = records(exchange(1));
      const run = make([job(), other, job({ start: "2026-11-03T00:00:00.000Z", end: "2026-11-04T00:00:00.000Z" })]);
      const result = await backfillFromGraph(run, { graph, poll: noWait });
      assert.deepEqual(result, summary({ records: 1, errors: 2, pendingSpans: 2 }));
      const errors = logs.filter((l) => l.startsWith("ERROR"));
      assert.deepEqual(errors, [
        `ERROR Microsoft Graph backfill of ${START} to ${END} stopped: fetch failed; the next run resumes it ${SPAN_FIELDS} cause=graph_error`,
        `ERROR Microsoft Graph backfill of ${other.start} to ${other.end} stopped: a thrown string; the next run resumes it span_start=${other.start} span_end=${other.end} cause=graph_error`,
      ]);
      assert.deepEqual(saved(run), [job(), other]);
      assert.equal(logs.at(-1), summaryLine({ queries: 1, records: 1, errors: 2, pending: 2 }));
    });

    it("a missing consent is reported with its own cause and status", async () => {
      graph.faults.create = [parseGraphError("create audit log query (v1.0)", 403, '{"error":{"code":"Forbidden","message":"no"}}')];
      const run = make([job()]);
      await backfillFromGraph(run, { graph, poll: noWait });
      assert.match(logs[0], /^ERROR Microsoft Graph backfill of .* stopped: Graph create audit log query \(v1\.0\) failed \(HTTP 403\): the app registration lacks .*AuditLogsQuery\.Read\.All.* cause=graph_consent_missing status=403$/);
      assert.deepEqual(run.state.graph, { jobs: [job()] });
    });

    it("runs at most two queries at once, each job in turn", async () => {
      const spans = ["2026-11-01", "2026-11-03", "2026-11-05"].map((d) => job({ start: `${d}T00:00:00.000Z`, end: `${d}T12:00:00.000Z` }));
      let inFlight = 0;
      let most = 0;
      graph.before = async (operation) => {
        if (operation !== "create") return;
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
      };
      const run = make(spans.map((s) => ({ ...s })));
      assert.deepEqual(await backfillFromGraph(run, { graph, poll: noWait }), summary({ queries: 3 }));
      assert.equal(most, 2);
      assert.deepEqual(graph.queries.map((q) => q.body.filterStartDateTime), spans.map((s) => s.start));
      assert.deepEqual(saved(run), []);
    });

    it("a run halted before the backfill starts no job", async () => {
      const run = make([job()]);
      run.stop(new FaultError("earlier fault", { policy: "fatal", cause: "checkpoint_unwritable" }));
      logs = [];
      assert.deepEqual(await backfillFromGraph(run, { graph, poll: noWait }), summary({ queries: 0 }));
      assert.deepEqual(graph.requests, []);
      assert.deepEqual(logs, [summaryLine({ queries: 0, pending: 1 })]);
    });

    it("a fault that ends the run stops paging at the next page: Stopped is thrown, what was written stays committed", async () => {
      graph.records = records(...[1, 2, 3, 4, 5].map((n) => exchange(n)));
      const run = make([job()]);
      graph.before = (operation, url) => {
        if (operation === "records" && url.endsWith("page=1")) run.stop(new FaultError("disk gone", { policy: "fatal", cause: "checkpoint_unwritable" }));
      };
      await assert.rejects(backfillFromGraph(run, { graph, poll: noWait }), (e: unknown) => e instanceof Stopped);
      assert.equal(events().length, 4);
      assert.deepEqual(saved(run), [job({ queryId: "q1", version: "v1.0", nextLink: `${graph.origin}${QUERIES}/q1/records?page=2` })]);
      assert.deepEqual(logs.slice(1), ["ERROR disk gone cause=checkpoint_unwritable", summaryLine({ records: 4, pending: 1 })]);
    });

    it("a run halted while jobs are in flight starts no further job", async () => {
      const run = make(["2026-11-01", "2026-11-03", "2026-11-05"].map((d) => job({ start: `${d}T00:00:00.000Z`, end: `${d}T12:00:00.000Z` })));
      graph.before = (operation) => {
        if (operation === "poll") run.stop(new FaultError("disk gone", { policy: "fatal", cause: "checkpoint_unwritable" }));
      };
      await assert.rejects(backfillFromGraph(run, { graph, poll: noWait }), (e: unknown) => e instanceof Stopped);
      assert.deepEqual(graph.requests.filter((r) => r.startsWith("create")).length, 2);
      assert.ok(!graph.requests.some((r) => r.startsWith("records")), graph.requests.join("\n"));
      assert.deepEqual(saved(run)?.map((j) => j.queryId), ["q1", "q2", undefined]);
    });

    it("a stop signal ends the backfill at once with its reason, the job keeping the page it reached", async () => {
      graph.records = records(exchange(1), exchange(2), exchange(3));
      const run = make([job()]);
      graph.before = (operation, url) => {
        if (operation === "records" && url.endsWith("page=1")) abort.abort(new Error("SIGTERM"));
      };
      await assert.rejects(backfillFromGraph(run, { graph, poll: noWait }), /SIGTERM/);
      assert.equal(events().length, 2);
      assert.deepEqual(saved(run), [job({ queryId: "q1", version: "v1.0", nextLink: `${graph.origin}${QUERIES}/q1/records?page=1` })]);
      assert.deepEqual(logs.slice(1), [summaryLine({ records: 2, pending: 1 })]);
    });

    it("a checkpoint that cannot be written ends the run with StateWriteError, after the other job in flight has stopped, and starts no other", async () => {
      const other = job({ start: "2026-11-01T00:00:00.000Z", end: "2026-11-02T00:00:00.000Z" });
      const run = make([job(), other, job({ start: "2026-11-03T00:00:00.000Z", end: "2026-11-04T00:00:00.000Z" })]);
      let release = (): void => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      // The second job's query is still being created when the first job's save fails; then Graph refuses it.
      graph.faults.create = [undefined, parseGraphError("create audit log query (v1.0)", 503, "busy")];
      graph.before = async (operation) => {
        if (operation === "create" && graph.requests.length === 2) await held;
      };
      fs.mkdirSync(`${run.checkpointFile}.tmp`);
      let settled = false;
      const done = backfillFromGraph(run, { graph, poll: noWait }).finally(() => (settled = true));
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(settled, false, "the backfill ended while a job's Graph call was still in flight");
      release();
      await assert.rejects(done, (e: unknown) => e instanceof StateWriteError);
      assert.deepEqual(graph.requests, [`create ${QUERIES}`, `create ${QUERIES}`]);
      assert.deepEqual(logs.filter((l) => l.startsWith("ERROR")), [
        `ERROR Microsoft Graph backfill of ${other.start} to ${other.end} stopped: Graph create audit log query (v1.0) failed (HTTP 503) [server: busy]; the next run resumes it span_start=${other.start} span_end=${other.end} cause=graph_transient status=503`,
      ]);
      assert.equal(logs.at(-1), summaryLine({ queries: 0, errors: 1, pending: 3 }));
    });

    it("a write that fails ends the run with its error; the page is not marked done", async () => {
      graph.records = records(exchange(1), exchange(2), exchange(3));
      sinkFault = Object.assign(new Error("write EPIPE"), { code: "EPIPE" });
      const run = make([job()]);
      await assert.rejects(backfillFromGraph(run, { graph, poll: noWait }), /EPIPE/);
      assert.deepEqual(saved(run), [job({ queryId: "q1", version: "v1.0" })]);
      assert.deepEqual(graph.requests.slice(-1), [`records ${QUERIES}/q1/records`]);
      assert.equal(logs.at(-1), summaryLine({ pending: 1 }));
    });
  });
});
