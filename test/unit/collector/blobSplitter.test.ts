import { strict as assert } from "node:assert";
import { BlobFormatError, JsonArraySplitter } from "../../../src/collector/blobSplitter";

/** Feeds `text` in chunks of `size` bytes and returns the elements as strings. */
function split(text: string | Buffer, size: number): string[] {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, "utf8");
  const s = new JsonArraySplitter();
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(...s.push(bytes.subarray(i, i + size)).map((b) => b.toString("utf8")));
  s.end();
  return out;
}

describe("JsonArraySplitter", () => {
  const records = [
    { Id: "a", Subject: 'quote " and ] and } and [ and {', Nested: { x: [1, 2, { y: "]" }] } },
    { Id: "b", Subject: "back\\slash\\\" and \u00e9\u{1F600} and </data>]]>" },
    { Id: "c", Empty: {}, List: [] },
  ];
  const text = " \n[\n" + records.map((r) => JSON.stringify(r, null, 1)).join(" ,\n") + "\n]\n";

  for (const size of [1, 2, 3, 7, 64, 100000]) {
    it(`returns each record's exact bytes with ${size}-byte chunks`, () => {
      const out = split(text, size);
      assert.deepEqual(out, records.map((r) => JSON.stringify(r, null, 1)));
    });
  }

  it("keeps multi-byte characters split across chunks intact", () => {
    const out = split(Buffer.from('[{"s":"\u{1F600}\u00e9"}]', "utf8"), 1);
    assert.deepEqual(JSON.parse(out[0]), { s: "\u{1F600}\u00e9" });
  });

  it("accepts an empty array and a UTF-8 byte order mark", () => {
    assert.deepEqual(split("[]", 1), []);
    assert.deepEqual(split(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[{"a":1}]')]), 2), ['{"a":1}']);
  });

  it("returns scalar elements so the caller can reject them", () => {
    assert.deepEqual(split("[1, true ,null,\"x\"]", 1), ["1", "true", "null", '"x"']);
  });

  it("reports a truncated blob", () => {
    const s = new JsonArraySplitter();
    assert.equal(s.push(Buffer.from('[{"a":1},{"b":')).length, 1);
    assert.throws(() => s.end(), BlobFormatError);
  });

  it("rejects a body that is not an array (an error object)", () => {
    const s = new JsonArraySplitter();
    assert.throws(() => s.push(Buffer.from('{"error":{"code":"AF50000"}}')), /not a JSON array/);
  });

  it("rejects missing commas and trailing data", () => {
    assert.throws(() => split('[{"a":1} {"b":2}]', 100), /expected ','/);
    assert.throws(() => split('[{"a":1}] x', 100), /after the end/);
    assert.throws(() => split("[,{}]", 100), /unexpected ','/);
  });
});
