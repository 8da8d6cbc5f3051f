import { strict as assert } from "node:assert";
import { PassThrough, Writable } from "node:stream";
import { formatEvent, formatTime, XmlEventWriter } from "../../../src/splunk/eventWriter";
import type { SplunkEvent } from "../../../src/splunk/event";

const event: SplunkEvent = {
  stanza: "defender_o365_activity://contoso",
  time: 1598004672.1234,
  source: "defender_o365:tid:Audit.General",
  sourcetype: "o365:defender:email",
  index: "o365",
  host: "sh1",
  data: '{"Subject":"a < b & c"}',
};

/** A stream that keeps what it got and calls each write callback only when told to. */
class HeldWritable extends Writable {
  chunks: string[] = [];
  held: (() => void)[] = [];
  constructor() {
    super({ highWaterMark: 1, decodeStrings: false });
  }
  override _write(chunk: string, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.chunks.push(chunk);
    this.held.push(() => cb());
  }
}

async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(() => (done = true), () => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
}

function collect(stream: PassThrough): () => string {
  let text = "";
  stream.setEncoding("utf8").on("data", (c: string) => (text += c));
  return () => text;
}

describe("splunk/eventWriter", () => {
  it("formats an event with children in the SDK order", () => {
    assert.equal(
      formatEvent(event),
      '<event stanza="defender_o365_activity://contoso" unbroken="1"><time>1598004672.123</time>' +
        "<source>defender_o365:tid:Audit.General</source><sourcetype>o365:defender:email</sourcetype>" +
        '<index>o365</index><host>sh1</host><data>{"Subject":"a &lt; b &amp; c"}</data><done/></event>',
    );
  });

  it("leaves out time, index and host when absent", () => {
    const text = formatEvent({ stanza: "s", source: "src", sourcetype: "st", data: "{}" });
    assert.equal(text, '<event stanza="s" unbroken="1"><source>src</source><sourcetype>st</sourcetype><data>{}</data><done/></event>');
    assert.doesNotMatch(formatEvent({ ...event, time: NaN }), /<time>/);
  });

  it("gives each event its own header when events of one sourcetype differ in source, index or host", () => {
    const variants: SplunkEvent[] = [
      event,
      { ...event, source: "defender_o365:other:Audit.General" },
      { ...event, index: undefined },
      { ...event, host: "sh2" },
      { ...event, stanza: "defender_o365_activity://<other>" },
    ];
    // Twice over, so the second pass reads what the first one cached.
    for (const e of [...variants, ...variants]) {
      const text = formatEvent(e);
      assert.ok(text.startsWith(`<event stanza="${e.stanza.replace("<", "&lt;").replace(">", "&gt;")}" unbroken="1">`), text);
      assert.ok(text.includes(`<source>${e.source}</source><sourcetype>${e.sourcetype}</sourcetype>${e.index ? `<index>${e.index}</index>` : ""}<host>${e.host}</host><data>`), text);
    }
  });

  it("writes epoch seconds with at most 3 decimals", () => {
    assert.equal(formatTime(1598004672), "1598004672");
    assert.equal(formatTime(1598004672.5), "1598004672.5");
    assert.equal(formatTime(1598004672.1236), "1598004672.124");
    assert.equal(formatTime(1700000000.1), "1700000000.1");
  });

  it("opens <stream> lazily and closes it", async () => {
    const out = new PassThrough();
    const text = collect(out);
    const writer = new XmlEventWriter(out);
    assert.equal(text(), "");
    await writer.write([event]);
    await writer.write([event, event]);
    await writer.close();
    const doc = text();
    assert.ok(doc.startsWith("<stream>\n<event "));
    assert.ok(doc.endsWith("</stream>\n"));
    assert.equal(doc.match(/<event /g)?.length, 3);
    assert.equal(doc.match(/<stream>/g)?.length, 1);
  });

  it("writes nothing for a run without events", async () => {
    const out = new PassThrough();
    const text = collect(out);
    const writer = new XmlEventWriter(out);
    await writer.write([]);
    await writer.close();
    assert.equal(text(), "");
  });

  it("refuses writes after close", async () => {
    const writer = new XmlEventWriter(new PassThrough());
    await writer.close();
    await assert.rejects(writer.write([event]), /closed/);
  });

  it("resolves a write only after the stream's write callback", async () => {
    const out = new HeldWritable();
    const writer = new XmlEventWriter(out);
    const first = writer.write([event]);
    assert.equal(await settled(first), false, "resolved before the bytes were handed over");
    out.held.shift()!();
    assert.equal(await settled(first), true);
  });

  it("keeps batches in order and waits for drain under backpressure", async () => {
    const out = new HeldWritable();
    const writer = new XmlEventWriter(out);
    const a = writer.write([{ ...event, data: "A" }]);
    const b = writer.write([{ ...event, data: "B" }]);
    await new Promise((r) => setImmediate(r));
    assert.equal(out.chunks.length, 1, "second batch written before the first was accepted");
    out.held.shift()!();
    await a;
    await new Promise((r) => setImmediate(r));
    assert.equal(out.chunks.length, 2);
    assert.match(out.chunks[1], /<data>B<\/data>/);
    out.held.shift()!();
    await b;
  });

  it("rejects when the stream fails (e.g. EPIPE)", async () => {
    const out = new Writable({
      write(_c, _e, cb) {
        cb(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
      },
    });
    out.on("error", () => undefined);
    const writer = new XmlEventWriter(out);
    await assert.rejects(writer.write([event]), /EPIPE/);
  });
});
