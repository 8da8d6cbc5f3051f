// Property: whatever a record holds, the stream stays well-formed XML 1.0 (checked by saxes,
// a strict parser) and each event's data, once unescaped as Splunk does, is JSON with the same
// value. 10,000 random strings from a seeded generator, so a failure reproduces with its seed.
import { strict as assert } from "node:assert";
import { PassThrough } from "node:stream";
import { XmlEventWriter } from "../../../src/splunk/eventWriter";
import type { SplunkEvent } from "../../../src/splunk/event";
import { EventStreamParser, type StreamEvent } from "../../harness/eventStream";
import { mulberry32 } from "../../lib/seededRandom";

const SEED = 0x5eed0365;
const COUNT = 10_000;


const HOSTILE = ["]]>", "</data>", "</event></stream>", "<![CDATA[", "&amp;", "&#0;", "\r\n", "\r", '"', "\\", "<done/>", "\u2028", "\u0085"];

function randomString(next: () => number): string {
  const pick = (n: number): number => Math.floor(next() * n);
  const parts: string[] = [];
  const length = pick(24);
  for (let i = 0; i < length; i++) {
    switch (pick(9)) {
      case 0: parts.push(String.fromCharCode(pick(0x20))); break; // C0 controls
      case 1: parts.push(String.fromCharCode(0xd800 + pick(0x800))); break; // a lone surrogate (or half of a pair by chance)
      case 2: parts.push(String.fromCodePoint(0x10000 + pick(0x100000))); break; // astral (a valid pair)
      case 3: parts.push(HOSTILE[pick(HOSTILE.length)]); break;
      case 4: parts.push(["\uFFFE", "\uFFFF", "\u007F", "\u0080", "\u009F"][pick(5)]); break;
      case 5: parts.push(String.fromCharCode(pick(0x10000))); break; // anything in the BMP
      case 6: parts.push("&<>"[pick(3)]); break;
      default: parts.push(String.fromCharCode(0x20 + pick(0x5f))); // printable ASCII
    }
  }
  return parts.join("");
}

/**
 * JSON text with only `"`, `\\`, tab, LF and CR escaped (what the writer passes through as is) and
 * every other control character, lone surrogate and U+FFFE/U+FFFF left raw, as a careless
 * producer might send them: the writer must turn those into escapes with the same value.
 */
function rawJson(value: string): string {
  const escapes: Record<string, string> = { '"': '\\"', "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };
  return `{"Subject":"${value.replace(/["\\\t\n\r]/g, (c) => escapes[c])}"}`;
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe("splunk/eventWriter property: hostile data never breaks the stream", () => {
  it(`keeps ${COUNT} random strings well-formed and JSON round-tripping (seed ${SEED})`, async () => {
    const next = mulberry32(SEED);
    const values = Array.from({ length: COUNT }, () => randomString(next));
    const out = new PassThrough();
    const events: StreamEvent[] = [];
    const parser = new EventStreamParser((e) => events.push(e));
    out.setEncoding("utf8").on("data", (chunk: string) => parser.write(chunk));
    const writer = new XmlEventWriter(out);
    const batch: SplunkEvent[] = [];
    let marked = 0;
    for (let i = 0; i < COUNT; i++) {
      // Alternate how the JSON was produced: by JSON.stringify, or with the characters left raw.
      const data = i % 2 === 0 ? JSON.stringify({ Subject: values[i] }) : rawJson(values[i]);
      // As the mapper does: text JSON.parse accepts is marked, and takes escapeJsonText's path.
      const dataIsJson = parses(data);
      if (dataIsJson) marked++;
      batch.push({ stanza: 'defender_o365_activity://x"<&>', time: 1700000000 + i / 1000, source: `s${i}`, sourcetype: "o365:defender:email", data, dataIsJson });
      if (batch.length === 250) await writer.write(batch.splice(0));
    }
    await writer.write(batch.splice(0));
    await writer.close();
    parser.end();
    assert.equal(parser.error, undefined, `stream not well-formed: ${parser.error?.message}`);
    assert.ok(parser.opened && parser.closed);
    assert.equal(events.length, COUNT);
    // Both escaping paths ran: raw C0 controls make JSON.parse refuse about half the raw texts.
    assert.ok(marked > COUNT / 2 && marked < COUNT, `${marked} of ${COUNT} marked as JSON`);
    events.forEach((e, i) => {
      assert.equal(e.source, `s${i}`);
      assert.equal(e.stanza, 'defender_o365_activity://x"<&>');
      assert.ok(e.unbroken && e.done);
      let parsed: unknown;
      assert.doesNotThrow(() => (parsed = JSON.parse(e.data)), `event ${i}: data is not JSON: ${JSON.stringify(e.data)}`);
      assert.deepEqual(parsed, { Subject: values[i] }, `event ${i} (seed ${SEED}) changed value`);
    });
  });
});
