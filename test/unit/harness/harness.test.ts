import { strict as assert } from "node:assert";
import { EventStreamParser, startEventCounter, type CountedStream, type StreamEvent } from "../../harness/eventStream";
import { parseLogLine } from "../../harness/logLine";
import { inputXml, itemsXml, readErrorMessage } from "../../harness/splunkd";
import { parseInputDefinition, parseValidationDefinition } from "../../../src/splunk/xmlInput";

// The counter's own logic, for chunk boundaries a pipe would not reproduce.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createCounter } = require("../../harness/eventEndCounter.cjs") as { createCounter: () => { write(chunk: Buffer): void; result(): CountedStream } };

function parse(chunks: string[], complete = true): { events: StreamEvent[]; error?: Error; parser: EventStreamParser } {
  const events: StreamEvent[] = [];
  const parser = new EventStreamParser((e) => events.push(e));
  chunks.forEach((c) => parser.write(c));
  parser.end(complete);
  return { events, error: parser.error, parser };
}

describe("harness: splunkd.log lines", () => {
  it("reads the level, message and trailing fields", () => {
    const l = parseLogLine('WARN Could not store it; see a=b inside input=contoso cause=secret_not_stored error="connect ECONNREFUSED 127.0.0.1:8089" n=3');
    assert.equal(l.level, "WARN");
    assert.equal(l.message, "Could not store it; see a=b inside");
    assert.deepEqual(l.fields, { input: "contoso", cause: "secret_not_stored", error: "connect ECONNREFUSED 127.0.0.1:8089", n: "3" });
  });

  it("files a line without a level as ERROR, as splunkd does", () => {
    const l = parseLogLine("TypeError: boom at x.js:1");
    assert.equal(l.level, "ERROR");
    assert.equal(l.message, "TypeError: boom at x.js:1");
  });

  it("unescapes quoted values", () => {
    assert.equal(parseLogLine('ERROR x detail="say \\"hi\\" \\\\ there"').fields.detail, 'say "hi" \\ there');
  });
});

describe("harness: event stream parser", () => {
  const event = '<event stanza="s://a" unbroken="1"><time>1700000000.5</time><source>src</source><sourcetype>st</sourcetype><host>h</host><data>{"a":"&lt;&amp;"}</data><done/></event>';

  it("parses events split across arbitrary chunks", () => {
    const doc = `<stream>\n${event}\n${event}\n</stream>\n`;
    const chunks = doc.match(/[\s\S]{1,7}/g)!;
    const { events, error, parser } = parse(chunks);
    assert.equal(error, undefined);
    assert.ok(parser.opened && parser.closed);
    assert.equal(events.length, 2);
    assert.deepEqual(events[0], { stanza: "s://a", unbroken: true, done: true, time: 1700000000.5, source: "src", sourcetype: "st", host: "h", data: '{"a":"<&"}' });
  });

  const bad: [string, string, RegExp][] = [
    ["an unclosed stream", `<stream>${event}`, /./],
    ["a forbidden character", "<stream><event stanza=\"s\"><data>\u0001</data></event></stream>", /disallowed character/],
    ["an unknown element", '<stream><event stanza="s"><foo>x</foo></event></stream>', /unknown element <foo>/],
    ["a bad time", '<stream><event stanza="s"><time>soon</time><data>x</data></event></stream>', /bad <time>/],
    ["a missing stanza", "<stream><event><data>x</data></event></stream>", /without a stanza/],
    ["text outside events", "<stream>junk</stream>", /text outside/],
    ["another root", "<events></events>", /expected <stream>/],
  ];
  for (const [what, doc, message] of bad) {
    it(`reports ${what}`, () => {
      const { error } = parse([doc]);
      assert.ok(error, "no error");
      assert.match(error.message, message);
    });
  }

  it("accepts a stream cut short by a kill", () => {
    assert.equal(parse([`<stream>${event}<event stanza="s"><data>{"a"`], false).error, undefined);
  });
});

describe("harness: event end counter (benchmarks)", () => {
  const event = '<event stanza="s://a"><data>{"a":"&lt;/event&gt;"}</data></event>\n';
  const doc = Buffer.from(`<stream>\n${event.repeat(5)}<event stanza="s://a"><data>cut`);

  it("counts the events that end, whatever the chunk boundaries", () => {
    for (const size of [1, 3, 7, 8, 9, 64, doc.length]) {
      const counter = createCounter();
      for (let at = 0; at < doc.length; at += size) counter.write(doc.subarray(at, at + size));
      assert.deepEqual(counter.result(), { count: 5, bytes: doc.length }, `chunks of ${size}`);
    }
  });

  it("runs in a process of its own and reports when the pipe closes", async () => {
    const counter = startEventCounter();
    counter.input.end(doc);
    assert.deepEqual(await counter.counted, { count: 5, bytes: doc.length });
  });
});

describe("harness: the XML it writes to stdin", () => {
  const header = { serverHost: "h", serverUri: "https://127.0.0.1:8089", sessionKey: "k&<", checkpointDir: "/tmp/ck" };

  it("writes <input> with app attributes, params and param_lists", () => {
    const doc = inputXml(header, [{ name: "defender_o365_activity://a", app: "defender_o365", params: { x: 'v"&<', list: ["1", "2"] } }]);
    const def = parseInputDefinition(doc);
    assert.equal(def.sessionKey, "k&<");
    assert.deepEqual(def.stanzas, [{ name: "defender_o365_activity://a", app: "defender_o365", params: { x: 'v"&<', list: ["1", "2"] } }]);
  });

  it("writes <items> with one item", () => {
    const def = parseValidationDefinition(itemsXml(header, "a", { x: "1" }));
    assert.deepEqual(def.item, { name: "a", params: { x: "1" } });
  });

  it("reads the <error><message> of a failed validation strictly", () => {
    assert.equal(readErrorMessage("<error><message>a &lt;b&gt; &amp; c</message></error>\n"), "a <b> & c");
    assert.throws(() => readErrorMessage("<error><message>x</error>"), /not well-formed/);
    assert.throws(() => readErrorMessage("<ok/>"), /other than <error><message>/);
  });
});
