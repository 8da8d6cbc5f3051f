import { strict as assert } from "node:assert";
import { formatHecBody, formatHecEvent } from "../../../src/hec/format";
import type { SplunkEvent } from "../../../src/splunk/event";

const base: SplunkEvent = {
  stanza: "defender_o365_activity://contoso",
  time: 1598004672.123,
  source: "defender_o365:tenant:Audit.General",
  sourcetype: "o365:defender:email",
  index: "o365",
  host: "collector-1",
  data: '{"Id":"a","CreationTime":"2020-08-21T10:11:12.123"}',
};

describe("hec/format", () => {
  it("writes the metadata and the record text as the event string", () => {
    const obj = JSON.parse(formatHecEvent(base)) as Record<string, unknown>;
    assert.deepEqual(obj, {
      time: 1598004672.123,
      host: "collector-1",
      source: base.source,
      sourcetype: base.sourcetype,
      index: "o365",
      event: base.data,
    });
  });

  it("keeps hostile record text byte for byte (quotes, controls, lone surrogates, line breaks)", () => {
    for (const data of ['{"a":"q\\"uote"}', '{"a":"\u0000\u001f"}', '{"a":"x\ud800y"}', '{"a":"line\r\nbreak"}', '{"a":"</stream>&<"}']) {
      const line = formatHecEvent({ ...base, data });
      assert.ok(!/[\r\n]/.test(line), "one line per event");
      assert.equal((JSON.parse(line) as { event: string }).event, data);
    }
  });

  it("leaves out a missing time, host and index; the default index fills a missing one", () => {
    const bare: SplunkEvent = { stanza: base.stanza, source: base.source, sourcetype: base.sourcetype, data: base.data };
    assert.deepEqual(Object.keys(JSON.parse(formatHecEvent(bare)) as object), ["source", "sourcetype", "event"]);
    assert.equal((JSON.parse(formatHecEvent(bare, "main")) as { index: string }).index, "main");
    assert.equal((JSON.parse(formatHecEvent(base, "main")) as { index: string }).index, "o365", "the input's index wins");
  });

  it("puts one event object per line", () => {
    const body = formatHecBody([base, { ...base, data: "{}" }]);
    assert.deepEqual(body.split("\n").map((l) => (JSON.parse(l) as { event: string }).event), [base.data, "{}"]);
  });
});
