// Compressed HTTP bodies (RFC 9110 8.4 Content-Encoding; docs/reference/http-compression.md):
// the client asks for gzip and deflate, and decodes gzip, deflate and br whether it asked or not
// (a proxy or CDN may compress on its own). Decoding is a stream: a blob passes through zlib in
// chunks and is never whole in memory. Both the bytes on the wire and the decoded bytes are
// counted, for run_summary.
import { pipeline, Readable, type Transform } from "node:stream";
import zlib from "node:zlib";

/** What the client sends as Accept-Encoding. */
export const ACCEPT_ENCODING = "gzip, deflate";

export type ContentCoding = "gzip" | "deflate" | "br";

/** Bytes received (as sent, compressed or not) and after decoding. */
export interface ByteCounts {
  wire: number;
  decoded: number;
}

/** A Content-Encoding the client cannot decode (the body is unusable, not broken in transit). */
export class UnsupportedEncodingError extends Error {
  constructor(readonly coding: string) {
    super(`the server sent Content-Encoding '${coding}', which this client cannot decode (it decodes gzip, deflate and br)`);
    this.name = "UnsupportedEncodingError";
  }
}

/** The codings of a Content-Encoding header in the order they were applied ("identity" dropped). */
export function parseContentEncoding(header: string | undefined): ContentCoding[] {
  if (!header) return [];
  const codings: ContentCoding[] = [];
  for (const raw of header.split(",")) {
    const coding = raw.trim().toLowerCase();
    if (coding === "" || coding === "identity") continue;
    if (coding === "gzip" || coding === "x-gzip") codings.push("gzip");
    else if (coding === "deflate" || coding === "br") codings.push(coding);
    else throw new UnsupportedEncodingError(coding);
  }
  return codings;
}

function decoder(coding: ContentCoding): Transform {
  switch (coding) {
    case "gzip":
      return zlib.createGunzip();
    case "deflate":
      return zlib.createInflate();
    case "br":
      return zlib.createBrotliDecompress();
  }
}

async function* counted(source: AsyncIterable<Uint8Array>, counts: readonly ByteCounts[], key: keyof ByteCounts): AsyncIterable<Uint8Array> {
  for await (const chunk of source) {
    for (const c of counts) c[key] += chunk.byteLength;
    yield chunk;
  }
}

/**
 * The decoded body as chunks, undoing `codings` last-applied first. Every `counts` object is
 * added to as chunks pass (e.g. this response's and the client's totals). A corrupt compressed
 * stream throws from the iteration, like a broken connection.
 */
export function decodeBody(source: AsyncIterable<Uint8Array>, codings: readonly ContentCoding[], ...counts: ByteCounts[]): AsyncIterable<Uint8Array> {
  const wire = counted(source, counts, "wire");
  if (codings.length === 0) return counted(wire, counts, "decoded");
  const decoders = [...codings].reverse().map(decoder);
  // pipeline() carries backpressure and destroys every stage on an error; the last stage's
  // iterator then throws it.
  const out = pipeline([Readable.from(wire, { objectMode: false }), ...decoders], () => undefined) as Transform;
  return counted(out, counts, "decoded");
}

/** The whole decoded body as UTF-8 text (for small bodies: listings, error answers). */
export async function decodedText(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}
