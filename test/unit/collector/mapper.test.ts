import { strict as assert } from "node:assert";
import { mapRecord, parseCreationTime, type MapContext } from "../../../src/collector/mapper";

const ctx: MapContext = {
  stanza: "defender_o365_activity://contoso",
  tenantId: "11111111-2222-3333-4444-555555555555",
  contentType: "Audit.General",
  index: "o365",
  host: "collector1",
  recordTypes: new Set(),
};

describe("parseCreationTime", () => {
  it("reads the API's zone-less form as UTC", () => {
    assert.equal(parseCreationTime("2022-07-08T09:10:19"), Date.UTC(2022, 6, 8, 9, 10, 19) / 1000);
  });
  it("accepts fractions, Z and offsets", () => {
    assert.equal(parseCreationTime("2022-07-08T09:10:19.250Z"), Date.UTC(2022, 6, 8, 9, 10, 19, 250) / 1000);
    assert.equal(parseCreationTime("2022-07-08T11:10:19+02:00"), Date.UTC(2022, 6, 8, 9, 10, 19) / 1000);
  });
  it("rejects what is not a time", () => {
    for (const v of [undefined, null, 42, "", "yesterday", "2022-13-01T00:00:00", "12/31/2023 11:59:59 PM"]) {
      assert.equal(parseCreationTime(v), undefined, String(v));
    }
  });
});

describe("mapRecord", () => {
  it("maps a record to its sourcetype, time, source and untouched data", () => {
    const text = '{"CreationTime":"2022-07-08T09:10:19","Id":"ab","RecordType":28,  "Subject":"x"}';
    const r = mapRecord(text, ctx);
    assert.equal(r.kind, "event");
    if (r.kind !== "event") return;
    assert.deepEqual(r.event, {
      stanza: ctx.stanza,
      time: Date.UTC(2022, 6, 8, 9, 10, 19) / 1000,
      source: "defender_o365:11111111-2222-3333-4444-555555555555:Audit.General",
      sourcetype: "o365:defender:email",
      index: "o365",
      host: "collector1",
      dataIsJson: true,
      data: text,
    });
    assert.equal(r.id, "ab");
    assert.equal(r.timeProblem, undefined);
  });

  it("reads RecordType given as a string", () => {
    const r = mapRecord('{"RecordType":"41","CreationTime":"2022-07-08T09:10:19"}', ctx);
    assert.equal(r.kind === "event" && r.event.sourcetype, "o365:defender:urlclick");
  });

  it("keeps records without a usable time and says why", () => {
    const r = mapRecord('{"RecordType":64,"CreationTime":"soon"}', ctx);
    assert.equal(r.kind, "event");
    assert.equal(r.kind === "event" && r.event.time, undefined);
    assert.match(r.kind === "event" ? r.timeProblem ?? "" : "", /not a time/);
  });

  it("filters by record type", () => {
    const only = { ...ctx, recordTypes: new Set([28, 41]) };
    assert.equal(mapRecord('{"RecordType":15}', only).kind, "filtered");
    assert.equal(mapRecord('{"RecordType":"28"}', only).kind, "event");
    assert.equal(mapRecord("{}", only).kind, "filtered");
  });

  it("rejects text that is not a JSON object", () => {
    assert.equal(mapRecord("[1]", ctx).kind, "invalid");
    assert.equal(mapRecord("{bad", ctx).kind, "invalid");
  });
});
