// HTTP to HEC (docs/reference/hec.md 1.1, 3.2, 4.1): POSTs with the token, the process's
// channel and a gzip body, over undici with TLS always verified.
import { rootCertificates } from "node:tls";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { Dispatcher } from "undici";
import { request } from "../api/undici";
import { createDispatcher } from "../api/http";

const gzipAsync = promisify(gzip);

export interface HecAnswer {
  status: number;
  body: string;
  /** Retry-After, raw. */
  retryAfter?: string;
}

/** POSTs a body to a path under the HEC base URL. Rejects only on network failure. */
export type HecTransport = (path: "/services/collector/event" | "/services/collector/ack", body: string) => Promise<HecAnswer>;

export interface TransportOptions {
  /** https://host:port of HEC. */
  url: string;
  token: string;
  /** X-Splunk-Request-Channel, a GUID (one per process). */
  channel: string;
  /** PEM of a CA to trust besides Node's bundled ones (e.g. a self-signed Splunk certificate). */
  ca?: string;
  /** Compress bodies (default true). */
  gzip?: boolean;
}

export interface Transport {
  post: HecTransport;
  close(): Promise<void>;
}

export function createTransport(opts: TransportOptions): Transport {
  const dispatcher: Dispatcher = createDispatcher(opts.ca ? { ca: [...rootCertificates, opts.ca] } : {});
  const base = opts.url.replace(/\/+$/, "");
  const compress = opts.gzip ?? true;
  return {
    async post(path, text) {
      const body = compress ? await gzipAsync(Buffer.from(text, "utf8")) : Buffer.from(text, "utf8");
      const res = await request(`${base}${path}`, {
        method: "POST",
        dispatcher,
        headers: {
          authorization: `Splunk ${opts.token}`,
          "x-splunk-request-channel": opts.channel,
          "content-type": "application/json",
          ...(compress ? { "content-encoding": "gzip" } : {}),
        },
        body,
      });
      const retryAfter = res.headers["retry-after"];
      return { status: res.statusCode, body: await res.body.text(), retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter };
    },
    close: () => dispatcher.close(),
  };
}
