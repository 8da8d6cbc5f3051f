import { strict as assert } from "node:assert";
import { BlobFormatError, JsonArraySplitter } from "../../../src/collector/blobSplitter";

/** Feeds `text` in chunks of `size` bytes and returns the elements as strings. */
function split(text: string | Buffer, size: number): string[] {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, "utf8");
  const s = new JsonArraySplitter();
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(...s.push(bytes.subarray(i, i + size)));
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

  it("reads chunks that are plain Uint8Array views into a larger buffer", () => {
    const whole = new TextEncoder().encode('xx[{"s":"\u00e9"},{"b":2}]yy');
    const s = new JsonArraySplitter();
    const out = [...s.push(new Uint8Array(whole.buffer, 2, 9)), ...s.push(new Uint8Array(whole.buffer, 11, whole.length - 13))];
    s.end();
    assert.deepEqual(out, ['{"s":"\u00e9"}', '{"b":2}']);
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

describe("JsonArraySplitter edge forms", () => {
  /** Feeds the text cut at one point, so every element and escape sits across a chunk edge once. */
  const cutAt = (text: string, at: number): string[] => {
    const s = new JsonArraySplitter();
    const bytes = Buffer.from(text, "utf8");
    const out = [...s.push(bytes.subarray(0, at)), ...s.push(bytes.subarray(at))];
    s.end();
    return out;
  };
  const everyCut = (text: string, expected: string[]): void => {
    for (let at = 0; at <= Buffer.byteLength(text); at++) assert.deepEqual(cutAt(text, at), expected, `cut at byte ${at}`);
  };

  it("takes tabs, carriage returns and newlines as space before, between, inside and after the elements", () => {
    everyCut("\t\r\n[\t1\r,\n2\t,\r{\"a\":\t1}\n,\ttrue\r]\r\n\t", ["1", "2", '{"a":\t1}', "true"]);
  });

  it("ends scalar elements at the array's closing bracket", () => {
    everyCut("[1,-2.5e3,null]", ["1", "-2.5e3", "null"]);
    everyCut("[false]", ["false"]);
  });

  it("returns empty strings, escaped quotes and backslash runs intact across every chunk edge", () => {
    const elements = ['""', '"a\\""', '"\\\\"', '"\\\\\\"x"', '{"k":"\\\\","l":["]","\\"",[]],"m":{}}', "[[1,[2]],[]]", '"\\\\\\\\"'];
    for (const e of elements) assert.doesNotThrow(() => JSON.parse(e), e);
    everyCut(`[${elements.join(",")}]`, elements);
    everyCut(`[ ${elements.join(" , ")} ]`, elements);
  });

  it("finds a string's end in a chunk that also ends inside an escape, for every pair of cuts", () => {
    const elements = ['"ab"', '"c\\"d"', '"\\\\"'];
    const text = `[${elements.join(",")}]`;
    const bytes = Buffer.from(text);
    for (let a = 0; a <= bytes.length; a++) {
      for (let b = a; b <= bytes.length; b++) {
        const s = new JsonArraySplitter();
        const out = [bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)].flatMap((c) => s.push(c));
        s.end();
        assert.deepEqual(out, elements, `cuts at ${a} and ${b}`);
      }
    }
  });

  it("accepts an empty array with space inside, in any cut", () => {
    everyCut(" [ \r\n\t] ", []);
  });

  it("rejects an element glued to the one before it", () => {
    assert.throws(() => split('[{"a":1}{"b":2}]', 100), /expected ',' or '\]' between records at byte 8/);
    assert.throws(() => split('["x"y]', 100), /expected ',' or '\]' between records at byte 4/);
    assert.throws(() => split("[[1][2]]", 100), /expected ',' or '\]' between records at byte 4/);
  });

  it("rejects data after the array, naming its byte offset across chunks", () => {
    assert.throws(() => split('[{"a":1}] x', 3), (err: Error) => err instanceof BlobFormatError && err.name === "BlobFormatError" && err.message === "data after the end of the array at byte 10");
    assert.throws(() => split("[] []", 2), /data after the end of the array at byte 3/);
  });

  it("says how many bytes a truncated blob had", () => {
    const s = new JsonArraySplitter();
    s.push(Buffer.from('[{"a":1},'));
    s.push(Buffer.from('{"b":'));
    assert.throws(() => s.end(), { name: "BlobFormatError", message: "blob ended before its closing ']' after 14 bytes (truncated)" });
  });
});
