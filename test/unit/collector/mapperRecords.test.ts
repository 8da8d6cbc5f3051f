// What mapRecord says about a record it cannot use as it is: the texts go into splunkd.log
// (`cause=record_unparsed`, `cause=bad_record_time`), so they are pinned word for word.
import { strict as assert } from "node:assert";
import { mapRecord, type MapContext, type MapResult } from "../../../src/collector/mapper";

const ctx: MapContext = {
  stanza: "defender_o365_activity://contoso",
  tenantId: "11111111-2222-3333-4444-555555555555",
  contentType: "Audit.General",
  recordTypes: new Set(),
};

function event(r: MapResult): Extract<MapResult, { kind: "event" }> {
  assert.equal(r.kind, "event");
  return r as Extract<MapResult, { kind: "event" }>;
}

describe("collector/mapper: records it cannot use as they are", () => {
  it("says why text is not valid JSON, with the parser's own message", () => {
    for (const text of ["{bad", "", '{"Id":"a",}', "nul"]) {
      let message = "";
      try {
        JSON.parse(text);
      } catch (err) {
        message = (err as Error).message;
      }
      assert.deepEqual(mapRecord(text, ctx), { kind: "invalid", reason: `record is not valid JSON: ${message}` }, text);
    }
  });

  it("refuses JSON that is not an object: null, arrays, strings, numbers, booleans", () => {
    for (const text of ["null", "[1]", "[]", '"text"', "42", "true"]) {
      assert.deepEqual(mapRecord(text, ctx), { kind: "invalid", reason: "record is not a JSON object" }, text);
    }
  });

  it("takes a non-empty string Id only", () => {
    const withId = (id: string) => event(mapRecord(`{"Id":${id},"CreationTime":"2022-07-08T09:10:19"}`, ctx)).id;
    assert.equal(withId('"a-1"'), "a-1");
    assert.equal(withId('" "'), " ");
    for (const id of ['""', "42", "null", "true", '["a"]', '{"a":1}']) assert.equal(withId(id), undefined, id);
    assert.equal(event(mapRecord('{"CreationTime":"2022-07-08T09:10:19"}', ctx)).id, undefined);
  });

  it("says whether CreationTime is missing or what it holds instead of a time", () => {
    const problem = (text: string) => event(mapRecord(text, ctx)).timeProblem;
    assert.equal(problem('{"Id":"a"}'), "CreationTime is missing");
    assert.equal(problem('{"CreationTime":null}'), "CreationTime null is not a time");
    assert.equal(problem('{"CreationTime":1657271419}'), "CreationTime 1657271419 is not a time");
    assert.equal(problem('{"CreationTime":"2022-07-00T09:10:19"}'), 'CreationTime "2022-07-00T09:10:19" is not a time');
    assert.equal(problem('{"CreationTime":{"t":1}}'), 'CreationTime {"t":1} is not a time');
    assert.equal(problem('{"CreationTime":"2022-07-08T09:10:19"}'), undefined);
  });

  it("cuts a long CreationTime to its first 60 characters of JSON", () => {
    const long = "x".repeat(100);
    const r = event(mapRecord(JSON.stringify({ CreationTime: long }), ctx));
    assert.equal(r.timeProblem, `CreationTime "${"x".repeat(59)} is not a time`);
    assert.equal(r.event.time, undefined);
  });

  it("filters records without a RecordType, or with one it cannot read, when record types are chosen", () => {
    const only = { ...ctx, recordTypes: new Set([28]) };
    assert.deepEqual(mapRecord('{"RecordType":"x"}', only), { kind: "filtered", recordType: undefined });
    assert.deepEqual(mapRecord("{}", only), { kind: "filtered", recordType: undefined });
    assert.deepEqual(mapRecord('{"RecordType":15}', only), { kind: "filtered", recordType: 15 });
  });
});
