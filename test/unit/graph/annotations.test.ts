import { strict as assert } from "node:assert";
import { isODataAnnotation, stripODataAnnotations } from "../../../src/graph/annotations";
import { JsonTextError } from "../../../src/graph/jsonText";

// Shapes from docs/reference/graph-audit-query.md 4.2 (what live tenants sent).
const OBSERVED =
  '{"@odata.type":"#microsoft.graph.security.defaultAuditData","CreationTime":"2026-07-17T08:28:17Z","Id":"4d3b2a10-0000-4000-8000-000000000001","Operation":"TIMailData","OrganizationId":"11111111-2222-3333-4444-555555555555","RecordType@odata.type":"#Int64","RecordType":28,"UserKey":"ThreatIntel","UserType@odata.type":"#Int64","UserType":4,"Version@odata.type":"#Int64","Version":1,"Workload":"ThreatIntelligence"}';

describe("graph/annotations stripODataAnnotations", () => {
  it("removes @odata.type and <Field>@odata.type and keeps every other key, in order", () => {
    assert.equal(
      stripODataAnnotations(OBSERVED),
      '{"CreationTime":"2026-07-17T08:28:17Z","Id":"4d3b2a10-0000-4000-8000-000000000001","Operation":"TIMailData","OrganizationId":"11111111-2222-3333-4444-555555555555","RecordType":28,"UserKey":"ThreatIntel","UserType":4,"Version":1,"Workload":"ThreatIntelligence"}',
    );
  });

  it("removes annotations at any depth, inside nested objects and arrays", () => {
    const text = '{"A":{"@odata.type":"#x","N@odata.type":"#Int64","N":1,"L":[{"@odata.type":"#y","v":2},[{"k@odata.type":"#Int64","k":3}]]}}';
    assert.equal(stripODataAnnotations(text), '{"A":{"N":1,"L":[{"v":2},[{"k":3}]]}}');
  });

  it("keeps integer-like keys where they stand (JSON.parse would move them first)", () => {
    assert.equal(stripODataAnnotations('{"b":1,"2":"two","@odata.type":"#t","1":"one"}'), '{"b":1,"2":"two","1":"one"}');
  });

  it("keeps numbers exactly as written: beyond 2^53, exponents, fractions with trailing zeros", () => {
    const text = '{"Big@odata.type":"#Int64","Big":123456789012345678901234567890,"E":1.50E+10,"F":-0.0,"Z":0}';
    assert.equal(stripODataAnnotations(text), '{"Big":123456789012345678901234567890,"E":1.50E+10,"F":-0.0,"Z":0}');
  });

  it("keeps __proto__ and constructor as plain keys", () => {
    const text = '{"__proto__":{"polluted":true},"constructor":"x","@odata.type":"#t"}';
    assert.equal(stripODataAnnotations(text), '{"__proto__":{"polluted":true},"constructor":"x"}');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it("keeps strings byte for byte: escapes, XML breakers, control escapes, lone surrogates", () => {
    const text = String.raw`{"S":"</data>]]><![CDATA[ \u0000\u001f \ud800 \"quoted\" \\ é 😀","@odata.type":"#t","T":"@odata.type"}`;
    assert.equal(stripODataAnnotations(text), String.raw`{"S":"</data>]]><![CDATA[ \u0000\u001f \ud800 \"quoted\" \\ é 😀","T":"@odata.type"}`);
  });

  it("reads escaped keys by their value: an escaped @odata.type is still an annotation; the key keeps its spelling otherwise", () => {
    assert.equal(stripODataAnnotations(String.raw`{"\u0040odata.type":"#t","\u0041":1}`), String.raw`{"\u0041":1}`);
  });

  it("takes only OData control terms for annotations", () => {
    assert.equal(isODataAnnotation("@odata.type"), true);
    assert.equal(isODataAnnotation("RecordType@odata.type"), true);
    assert.equal(isODataAnnotation("@odata.context"), true);
    assert.equal(isODataAnnotation("admin@odata.com"), false);
    assert.equal(isODataAnnotation("a@b@odata.type"), false);
    assert.equal(isODataAnnotation("odata.type"), false);
    assert.equal(stripODataAnnotations('{"admin@odata.com":1}'), '{"admin@odata.com":1}');
  });

  it("drops the whitespace between tokens, never inside strings", () => {
    assert.equal(stripODataAnnotations(' {\n "a" : [ 1 , 2 ] ,\t"b":" x  y " }\n'), '{"a":[1,2],"b":" x  y "}');
    assert.equal(stripODataAnnotations("{}"), "{}");
    assert.equal(stripODataAnnotations('{"@odata.type":"#only"}'), "{}");
  });

  it("refuses text that is not JSON with a JsonTextError", () => {
    for (const bad of ['{"a":1', '{"a":1}}', "{'a':1}", '{"a":01}', '{"a":tru}', '{"a":"\u0001"}', '{"a" 1}', '{"a":1,}', "", "[1,2"]) {
      assert.throws(() => stripODataAnnotations(bad), JsonTextError, `accepted ${JSON.stringify(bad)}`);
    }
  });

  it("refuses nesting deep enough to threaten the stack, with a JsonTextError", () => {
    const deep = '{"a":'.repeat(100_000) + "1" + "}".repeat(100_000);
    assert.throws(() => stripODataAnnotations(deep), JsonTextError);
  });

  it("round-trips: stripping an annotated record gives the record back", () => {
    const record = { CreationTime: "2026-11-20T10:10:00", Id: "x", RecordType: 41, Nested: { Count: 3, List: [{ N: 1 }, "s", null, true] } };
    const annotated = JSON.stringify({
      "@odata.type": "#microsoft.graph.security.defaultAuditData",
      CreationTime: record.CreationTime,
      Id: record.Id,
      "RecordType@odata.type": "#Int64",
      RecordType: 41,
      Nested: { "Count@odata.type": "#Int64", Count: 3, List: [{ "N@odata.type": "#Int64", N: 1 }, "s", null, true] },
    });
    assert.equal(stripODataAnnotations(annotated), JSON.stringify(record));
  });
});
