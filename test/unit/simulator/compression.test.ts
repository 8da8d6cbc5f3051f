import { strict as assert } from "node:assert";
import type { IncomingMessage } from "node:http";
import zlib from "node:zlib";
import { accepted, codingFor, compressSync } from "../../simulator/compression";

const request = (acceptEncoding?: string): IncomingMessage => ({ headers: acceptEncoding === undefined ? {} : { "accept-encoding": acceptEncoding } }) as IncomingMessage;

describe("simulator compression knob", () => {
  it("reads Accept-Encoding with q-values", () => {
    assert.deepEqual([...accepted("gzip, deflate")], ["gzip", "deflate"]);
    assert.deepEqual([...accepted("br;q=0, gzip;q=0.5")], ["gzip"]);
    assert.deepEqual([...accepted(undefined)], []);
  });

  it("compresses when asked, or always, and only listings and blobs by default", () => {
    assert.equal(codingFor({ coding: "gzip" }, "blob", request("gzip, deflate")), "gzip");
    assert.equal(codingFor({ coding: "br" }, "blob", request("gzip, deflate")), undefined);
    assert.equal(codingFor({ coding: "br", when: "always" }, "content", request()), "br");
    assert.equal(codingFor({ coding: "gzip", when: "always" }, "token", request("gzip")), undefined);
    assert.equal(codingFor(undefined, "blob", request("gzip")), undefined);
  });

  it("encodes with the coding named", () => {
    assert.equal(zlib.gunzipSync(compressSync("gzip", "[1]")).toString(), "[1]");
    assert.equal(zlib.inflateSync(compressSync("deflate", "[1]")).toString(), "[1]");
    assert.equal(zlib.brotliDecompressSync(compressSync("br", "[1]")).toString(), "[1]");
  });
});
