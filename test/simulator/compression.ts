// Compressed answers, as HTTP servers and the proxies or CDNs in front of them send them
// (RFC 9110 8.4 Content-Encoding and 12.5.3 Accept-Encoding; docs/reference/http-compression.md):
// a coding is used when the request's Accept-Encoding names it, or, for a server that compresses
// whatever was asked ("always"), regardless. Built on node:zlib; no product code.
import type { IncomingMessage } from "node:http";
import zlib from "node:zlib";
import type { Transform } from "node:stream";
import type { RequestKind } from "./faults";

export type Coding = "gzip" | "deflate" | "br";

export interface Compression {
  coding: Coding;
  /** "asked" (default): only when Accept-Encoding lists the coding. "always": even unasked. */
  when?: "asked" | "always";
  /** Request kinds compressed (default: content listings and blobs). */
  on?: readonly RequestKind[];
}

const DEFAULT_KINDS: readonly RequestKind[] = ["content", "blob"];

/** The codings an Accept-Encoding header accepts (q=0 excluded). */
export function accepted(header: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const part of (header ?? "").split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    if (name && !(q && Number(q.slice(2)) === 0)) out.add(name);
  }
  return out;
}

/** The coding to answer this request with, if any. */
export function codingFor(compression: Compression | undefined, kind: RequestKind, req: IncomingMessage): Coding | undefined {
  if (!compression || !(compression.on ?? DEFAULT_KINDS).includes(kind)) return undefined;
  if ((compression.when ?? "asked") === "always") return compression.coding;
  return accepted(req.headers["accept-encoding"]).has(compression.coding) ? compression.coding : undefined;
}

export function compressSync(coding: Coding, body: string): Buffer {
  if (coding === "gzip") return zlib.gzipSync(body);
  if (coding === "deflate") return zlib.deflateSync(body);
  return zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } });
}

/** A streaming compressor (for blobs, which are never held whole). */
export function compressor(coding: Coding): Transform & zlib.Zlib {
  if (coding === "gzip") return zlib.createGzip();
  if (coding === "deflate") return zlib.createDeflate();
  return zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } });
}
