import { strict as assert } from "node:assert";
import { contentTypeOfRecord } from "../../../src/graph/contentType";
import { GraphError } from "../../../src/graph/errors";
import { parseRecordsPage } from "../../../src/graph/listRecords";
import { graphRecordType, queryBody } from "../../../src/graph/queryBody";
import { mapGraphRecord } from "../../../src/graph/record";

const TENANT = "0d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6";
const CTX = { stanza: "defender_o365_activity://contoso", tenantId: TENANT, recordTypes: new Set<number>() };

describe("graph/contentType", () => {
  it("derives the Activity API content type from RecordType and Workload (docs/reference/graph-audit-query.md 5)", () => {
    assert.equal(contentTypeOfRecord({ RecordType: 28, Workload: "ThreatIntelligence" }), "Audit.General");
    assert.equal(contentTypeOfRecord({ RecordType: 64, Workload: "AirInvestigation" }), "Audit.General");
    assert.equal(contentTypeOfRecord({ RecordType: 2, Workload: "Exchange" }), "Audit.Exchange");
    assert.equal(contentTypeOfRecord({ RecordType: 6, Workload: "SharePoint" }), "Audit.SharePoint");
    assert.equal(contentTypeOfRecord({ RecordType: 6, Workload: "OneDrive" }), "Audit.SharePoint");
    assert.equal(contentTypeOfRecord({ RecordType: 15, Workload: "AzureActiveDirectory" }), "Audit.AzureActiveDirectory");
    assert.equal(contentTypeOfRecord({ RecordType: 13, Workload: "Exchange" }), "DLP.All");
    assert.equal(contentTypeOfRecord({ RecordType: "11", Workload: "SharePoint" }), "DLP.All");
    assert.equal(contentTypeOfRecord({}), "Audit.General");
    assert.equal(contentTypeOfRecord({ Workload: ["Exchange"] }), "Audit.General");
  });
});

describe("graph/queryBody", () => {
  const span = { start: new Date("2026-11-21T00:00:00Z"), end: new Date("2026-11-24T01:00:00Z") };

  it("asks for the span, narrowed by record type when record_types is set", () => {
    assert.deepEqual(queryBody("contoso", span, ["Audit.General"], [28, 41, 47, 64]), {
      displayName: "defender_o365 backfill contoso 2026-11-21T00:00:00.000Z",
      filterStartDateTime: "2026-11-21T00:00:00.000Z",
      filterEndDateTime: "2026-11-24T01:00:00.000Z",
      recordTypeFilters: ["threatIntelligence", "threatIntelligenceUrl", "threatIntelligenceAtpContent", "airInvestigation"],
    });
  });

  it("narrows by service only when every content type is a whole service", () => {
    assert.deepEqual(queryBody("c", span, ["Audit.Exchange", "Audit.SharePoint"], []).serviceFilters, ["Exchange", "SharePoint", "OneDrive"]);
    assert.equal(queryBody("c", span, ["Audit.Exchange", "Audit.General"], []).serviceFilters, undefined);
    assert.equal(queryBody("c", span, ["DLP.All"], []).serviceFilters, undefined);
  });

  it("asks for every record type when one has no Graph name, rather than lose it", () => {
    assert.equal(graphRecordType(22), undefined); // "Viva Engage" has a space
    assert.equal(graphRecordType(99_999), undefined);
    assert.equal(queryBody("c", span, ["Audit.General"], [28, 99_999]).recordTypeFilters, undefined);
  });
});

describe("graph/listRecords parseRecordsPage", () => {
  it("keeps each record's auditData as the raw text and reads @odata.nextLink", () => {
    const text = '{"@odata.context":"x","@odata.nextLink":"https://g/next","value":[{"id":"a","auditData":{"@odata.type":"#t","Big":12345678901234567890,"2":1,"1":2}},{"id":"b","auditData":{}}]}';
    const page = parseRecordsPage(text);
    assert.equal(page.nextLink, "https://g/next");
    assert.deepEqual(page.records, [
      { id: "a", auditDataText: '{"@odata.type":"#t","Big":12345678901234567890,"2":1,"1":2}' },
      { id: "b", auditDataText: "{}" },
    ]);
    assert.equal(parseRecordsPage('{"value":[]}').nextLink, undefined);
  });

  const unreadable = (text: string, why: string) =>
    assert.throws(
      () => parseRecordsPage(text),
      (err: unknown) => err instanceof GraphError && err.policy === "page_unreadable" && err.cause === "graph_page_unreadable" && err.status === 200 && err.message === `Graph list records: ${why}: ${text.slice(0, 200) || "(empty body)"}`,
      `not page_unreadable with "${why}": ${text}`,
    );

  it("treats a body of another shape as a GraphError page_unreadable that says what is wrong", () => {
    unreadable("", "the body is not JSON (expected an object at offset 0)");
    unreadable("<html>busy</html>", "the body is not JSON (expected an object at offset 0)");
    unreadable('{"value":{}}', "no value array");
    unreadable('{"value":[1]}', "record 1 of the page is not an object");
    unreadable('{"value":[{"id":"a","auditData":{}},{"id":"b"}]}', "record 2 of the page has no auditData object");
    unreadable('{"value":[],"@odata.nextLink":5}', "@odata.nextLink is not a URL");
    unreadable('{"value":[]', "the body is not JSON (expected ',' or '}' at offset 11)");
  });

  it("treats a bad escape outside auditData (a key, the id, the next link) as page_unreadable, never a raw SyntaxError", () => {
    unreadable('{"value":[],"@odata.\\qcontext":"x"}', 'the body is not JSON (bad escape in the string "@odata.\\qcontext" at offset 12)');
    unreadable('{"value":[{"id":"a","auditData":{}},{"id":"b","user\\u12":"x","auditData":{}}]}', 'record 2 of the page is not JSON (bad escape in the string "user\\u12" at offset 10)');
    unreadable('{"value":[{"id":"a\\q","auditData":{}}]}', 'record 1 of the page has an id that is not JSON (bad escape in the string "a\\q" at offset 6)');
    unreadable('{"value":[],"@odata.nextLink":"https://g/next?\\u12"}', '@odata.nextLink is not JSON (bad escape in the string "https://g/next?\\u12" at offset 30)');
  });

  it("keeps an escape JSON lacks inside auditData as the record's text, for the record to be written as unparsed", () => {
    assert.deepEqual(parseRecordsPage('{"value":[{"id":"a","auditData":{"S":"\\q"}}]}').records, [{ id: "a", auditDataText: '{"S":"\\q"}' }]);
  });
});

describe("graph/record mapGraphRecord", () => {
  const auditData = (extra: string) =>
    `{"@odata.type":"#microsoft.graph.security.defaultAuditData","CreationTime":"2026-07-17T08:28:17Z","Id":"4d3b2a10-0000-4000-8000-000000000001","RecordType@odata.type":"#Int64","RecordType":28,"Workload":"ThreatIntelligence"${extra}}`;

  it("writes the record without annotations, with the Activity path's sourcetype, time, source and Id", () => {
    const r = mapGraphRecord({ id: "4d3b2a10-0000-4000-8000-000000000001", auditDataText: auditData(',"Subject":"</data>"') }, CTX, new Set(["Audit.General"]));
    assert.equal(r.kind, "event");
    if (r.kind !== "event") return;
    assert.equal(r.event.data, '{"CreationTime":"2026-07-17T08:28:17Z","Id":"4d3b2a10-0000-4000-8000-000000000001","RecordType":28,"Workload":"ThreatIntelligence","Subject":"</data>"}');
    assert.equal(r.event.sourcetype, "o365:defender:email");
    assert.equal(r.event.time, Date.UTC(2026, 6, 17, 8, 28, 17) / 1000);
    assert.equal(r.event.source, `defender_o365:${TENANT}:Audit.General`);
    assert.equal(r.id, "4d3b2a10-0000-4000-8000-000000000001");
  });

  it("drops a record of a content type the input does not collect", () => {
    const r = mapGraphRecord({ id: "x", auditDataText: '{"Id":"x","RecordType":2,"Workload":"Exchange"}' }, CTX, new Set(["Audit.General"]));
    assert.deepEqual(r, { kind: "other_content_type", contentType: "Audit.Exchange" });
  });

  it("applies record_types like the Activity path", () => {
    const r = mapGraphRecord({ id: "x", auditDataText: auditData("") }, { ...CTX, recordTypes: new Set([41]) }, new Set(["Audit.General"]));
    assert.equal(r.kind, "filtered");
  });

  it("reports auditData that is not JSON as invalid instead of throwing", () => {
    const r = mapGraphRecord({ id: "x", auditDataText: '{"Id":' }, CTX, new Set(["Audit.General"]));
    assert.equal(r.kind, "invalid");
    // Escapes JSON does not have, in a value or a key: the scanner passes them, JSON.parse does not.
    for (const bad of ['{"Id":"x","Subject":"\\q"}', '{"Id":"x","S":"\\u12"}', '{"Id":"x","\\q":1}']) {
      const m = mapGraphRecord({ id: "x", auditDataText: bad }, CTX, new Set(["Audit.General"]));
      assert.deepEqual({ ...m, reason: undefined }, { kind: "invalid", reason: undefined, contentType: "Audit.General", text: bad }, bad);
    }
  });
});
