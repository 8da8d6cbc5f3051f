import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import zlib from "node:zlib";
import { decodeBody, decodedText, parseContentEncoding, UnsupportedEncodingError, type ByteCounts } from "../../../src/api/contentEncoding";

async function* chunks(data: Buffer, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

const ENCODE = {
  gzip: (b: Buffer) => zlib.gzipSync(b),
  deflate: (b: Buffer) => zlib.deflateSync(b),
  br: (b: Buffer) => zlib.brotliCompressSync(b),
} as const;

describe("api/contentEncoding", () => {
  it("reads Content-Encoding in the order applied, drops identity, refuses what it cannot decode", () => {
    assert.deepEqual(parseContentEncoding(undefined), []);
    assert.deepEqual(parseContentEncoding("identity"), []);
    assert.deepEqual(parseContentEncoding("GZIP"), ["gzip"]);
    assert.deepEqual(parseContentEncoding("x-gzip"), ["gzip"]);
    assert.deepEqual(parseContentEncoding("deflate, br"), ["deflate", "br"]);
    assert.throws(() => parseContentEncoding("gzip, zstd"), (e: unknown) => e instanceof UnsupportedEncodingError && e.coding === "zstd");
  });

  const text = Buffer.from(JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ Id: `id-${i}`, Operation: "TIMailData", Payload: "é ü ✓" }))));
  for (const coding of ["gzip", "deflate", "br"] as const) {
    it(`decodes ${coding} exactly and counts wire and decoded bytes`, async () => {
      const wire = ENCODE[coding](text);
      const counts: ByteCounts = { wire: 0, decoded: 0 };
      const total: ByteCounts = { wire: 10, decoded: 20 };
      assert.equal(await decodedText(decodeBody(chunks(wire, 7), [coding], counts, total)), text.toString("utf8"));
      assert.deepEqual(counts, { wire: wire.length, decoded: text.length });
      assert.deepEqual(total, { wire: 10 + wire.length, decoded: 20 + text.length });
      assert.ok(wire.length * 3 < text.length, "audit JSON compresses well");
    });
  }

  it("undoes stacked codings last-applied first, and passes an uncompressed body through", async () => {
    const wire = zlib.brotliCompressSync(zlib.gzipSync(text));
    assert.equal(await decodedText(decodeBody(chunks(wire, 100), ["gzip", "br"], { wire: 0, decoded: 0 })), text.toString());
    const counts = { wire: 0, decoded: 0 };
    assert.equal(await decodedText(decodeBody(chunks(text, 100), [], counts)), text.toString());
    assert.deepEqual(counts, { wire: text.length, decoded: text.length });
  });

  it("throws from the iteration on a corrupt or cut compressed stream", async () => {
    const wire = zlib.gzipSync(text);
    const corrupt = Buffer.from(wire);
    corrupt.fill(0x55, 20, 60);
    await assert.rejects(decodedText(decodeBody(chunks(corrupt, 16), ["gzip"], { wire: 0, decoded: 0 })));
    await assert.rejects(decodedText(decodeBody(chunks(wire.subarray(0, wire.length - 10), 16), ["gzip"], { wire: 0, decoded: 0 })), /unexpected end of file/);
    async function* breaks(): AsyncIterable<Uint8Array> {
      yield wire.subarray(0, 30);
      throw new Error("socket hang up");
    }
    await assert.rejects(decodedText(decodeBody(breaks(), ["gzip"], { wire: 0, decoded: 0 })), /socket hang up/);
  });

  for (const coding of ["gzip", "br"] as const) {
    it(`streams a large ${coding} blob: decoded output flows while most of the input is still unread`, async () => {
      // 8 MB of JSON-like text that compresses (not random, not constant), in 16 KiB wire chunks.
      const noise = randomBytes(4096).toString("base64");
      const parts: string[] = [];
      let size = 0;
      for (let i = 0; size < 8 * 1024 * 1024; i++) {
        const r = `{"Id":"${i.toString(16).padStart(8, "0")}","Data":"${noise.slice(i % 4000, (i % 4000) + 40)}"},`;
        parts.push(r);
        size += r.length;
      }
      const plain = Buffer.from(parts.join(""));
      const wire = coding === "br" ? zlib.brotliCompressSync(plain, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } }) : zlib.gzipSync(plain, { level: 1 });
      const chunkSize = 16 * 1024;
      const totalChunks = Math.ceil(wire.length / chunkSize);
      let pulled = 0;
      async function* source(): AsyncIterable<Uint8Array> {
        for (let i = 0; i < wire.length; i += chunkSize) {
          pulled++;
          yield wire.subarray(i, i + chunkSize);
        }
      }
      const counts = { wire: 0, decoded: 0 };
      let pulledAtFirstOutput = -1;
      let pulledAtHalf = -1;
      let largest = 0;
      let decoded = 0;
      for await (const chunk of decodeBody(source(), [coding], counts)) {
        if (pulledAtFirstOutput < 0) pulledAtFirstOutput = pulled;
        if (pulledAtHalf < 0 && decoded >= size / 2) pulledAtHalf = pulled;
        largest = Math.max(largest, chunk.byteLength);
        decoded += chunk.byteLength;
      }
      assert.equal(decoded, size);
      assert.equal(counts.wire, wire.length);
      assert.ok(totalChunks > 20, `${totalChunks} wire chunks`);
      // Pull-based: the first decoded bytes come out after a few wire chunks, not after all of them.
      assert.ok(pulledAtFirstOutput >= 1 && pulledAtFirstOutput <= 4, `first output after ${pulledAtFirstOutput} of ${totalChunks} chunks`);
      // Half the output is out while at most about half the input has been read (a few chunks of read-ahead).
      assert.ok(pulledAtHalf < totalChunks * 0.6, `half decoded after ${pulledAtHalf} of ${totalChunks} chunks`);
      // zlib hands out bounded chunks (its 16 KiB-64 KiB buffers), never the whole body.
      assert.ok(largest <= 1024 * 1024, `largest decoded chunk ${largest} bytes`);
    });
  }
});
