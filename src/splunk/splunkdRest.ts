// splunkd REST for the modular input: storage/passwords and our own input stanzas, through the
// `splunk-sdk` Service with the session key splunkd passes (docs/reference/splunk-platform.md 3.1).
// The SDK's own Node transport never checks certificates; ours keeps the check for a remote
// splunkd and skips it only on loopback (see transportFor), and speaks http:// when splunkd
// runs without SSL.
import { existsSync, readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { isIPv4 } from "node:net";
import path from "node:path";
import tls from "node:tls";
import { SCHEME } from "../config/constants";
import { passwordEntityName } from "./secretNames";
import { SplunkdRestError, splunkdErrorText, type SplunkdMessages } from "./splunkdError";

export interface SplunkdTarget {
  /** `server_uri` from splunkd's XML, e.g. `https://127.0.0.1:8089`. */
  serverUri: string;
  sessionKey: string;
  /** The app whose namespace holds the secrets and the stanza (`servicesNS/nobody/<app>`). */
  app: string;
}

export interface SplunkdRest {
  /** `clear_password` of `<realm>:<username>:`, or undefined when there is no such entry. */
  readPassword(realm: string, username: string): Promise<string | undefined>;
  /** Creates the entry, or updates its password when it exists already. */
  writePassword(realm: string, username: string, password: string): Promise<void>;
  /** POST `data/inputs/<scheme>/<name>` with the given arguments (an edit; others unchanged). */
  updateInput(name: string, args: Record<string, string>): Promise<void>;
}

// A splunkd that is down, restarting or overloaded: nothing the admin must change, the next run
// may well succeed (docs/reference/splunkd-rest-tls.md, "When splunkd cannot answer").
const UNAVAILABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ECONNABORTED", "EHOSTUNREACH", "ENETUNREACH"]);

/** True when splunkd did not serve the call (5xx, refused, reset, timed out), as opposed to refusing it. */
export function isSplunkdUnavailable(error: unknown): boolean {
  if (!(error instanceof SplunkdRestError)) return false;
  return error.status >= 500 || (error.status === 0 && error.code !== undefined && UNAVAILABLE_CODES.has(error.code));
}

/** Splunk's CA when this runs under splunkd (SPLUNK_HOME set and the file present). */
export function splunkCaFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!env.SPLUNK_HOME) return undefined;
  const file = path.join(env.SPLUNK_HOME, "etc", "auth", "cacert.pem");
  return existsSync(file) ? file : undefined;
}

/**
 * Trust anchors for a remote splunkd: Node's roots, NODE_EXTRA_CA_CERTS (which an explicit `ca`
 * would otherwise drop) and Splunk's CA.
 */
export function trustedCas(env: NodeJS.ProcessEnv = process.env): string[] {
  const cas = [...tls.rootCertificates];
  for (const file of [env.NODE_EXTRA_CA_CERTS, splunkCaFile(env)]) {
    if (file && existsSync(file)) cas.push(readFileSync(file, "utf8"));
  }
  return cas;
}

/** 127.0.0.0/8, ::1 or localhost: the splunkd on this host (a URL's hostname keeps IPv6 brackets). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return host === "localhost" || host === "::1" || (isIPv4(host) && host.startsWith("127."));
}

/** How one splunkd is reached: plain HTTP, or TLS with or without a certificate check. */
export type Transport = { kind: "http" } | { kind: "https"; verify: false } | { kind: "https"; verify: true; ca: string[] };

/**
 * http:// when splunkd runs without SSL. On loopback, splunkd's certificate is accepted whoever
 * signed it: the session key came from splunkd itself on our stdin and goes back to splunkd's
 * own port on this host, where only a local process can answer; sites replace splunkd's
 * certificate with their own CA's, and Splunk's own SDKs never check it either
 * (docs/reference/splunkd-rest-tls.md). A remote
 * server_uri is verified against Node's roots, NODE_EXTRA_CA_CERTS and Splunk's CA.
 */
export function transportFor(serverUri: URL, env: NodeJS.ProcessEnv = process.env): Transport {
  if (serverUri.protocol === "http:") return { kind: "http" };
  if (isLoopbackHost(serverUri.hostname)) return { kind: "https", verify: false };
  return { kind: "https", verify: true, ca: trustedCas(env) };
}

// --- the splunk-sdk seam -------------------------------------------------------------------

interface SdkMessage {
  method: string;
  headers: Record<string, string>;
  body?: string;
}
interface SdkResponse {
  response: { statusCode: number; headers: Record<string, string | string[] | undefined> };
  status: number;
  data: unknown;
  error: unknown;
}
interface SdkService {
  get(path: string, params: Record<string, string>): Promise<SdkResponse>;
  post(path: string, params: Record<string, string>): Promise<SdkResponse>;
  del(path: string, params: Record<string, string>): Promise<SdkResponse>;
}
interface SdkHttpClass {
  extend(methods: Record<string, unknown>): new () => object;
}
type SdkServiceClass = new (http: object, params: Record<string, unknown>) => SdkService;

// The SDK ships no type declarations; its lib modules are loaded directly so that its index's
// dotenv side effect (reading `.env` from splunkd's working directory) never runs.
/* eslint-disable @typescript-eslint/no-require-imports */
const SdkHttp = require("splunk-sdk/lib/http") as SdkHttpClass;
const SdkServiceCtor = require("splunk-sdk/lib/service") as SdkServiceClass;
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * The TLS options of every request to one splunkd. A verifying context is built once: from
 * Node's roots and the extra CAs that takes ~47 ms and 4.5 MB, which every request paid before.
 */
function tlsOptionsFor(transport: Transport): tls.ConnectionOptions {
  if (transport.kind === "http") return {};
  return transport.verify ? { secureContext: tls.createSecureContext({ ca: transport.ca }) } : { rejectUnauthorized: false };
}

function send(url: string, message: SdkMessage, transport: Transport, tlsOptions: tls.ConnectionOptions): Promise<SdkResponse> {
  return new Promise((resolve, reject) => {
    const body = message.body ?? "";
    const headers = { ...message.headers, "Content-Length": String(Buffer.byteLength(body)) };
    const options = { method: message.method, headers, timeout: 30_000 };
    const onResponse = (res: http.IncomingMessage): void => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let data: unknown = text;
          if (/json/.test(String(res.headers["content-type"] ?? "")) && text) {
            try {
              data = JSON.parse(text);
            } catch {
              data = text;
            }
          }
          const status = res.statusCode ?? 0;
          resolve({ response: { statusCode: status, headers: res.headers }, status, data, error: null });
        });
    };
    const req =
      transport.kind === "http"
        ? http.request(url, options, onResponse)
        : https.request(url, { ...options, ...tlsOptions }, onResponse);
    req.on("timeout", () => req.destroy(Object.assign(new Error("splunkd did not answer within 30 s"), { code: "ETIMEDOUT" })));
    req.on("error", (error) => reject({ response: { statusCode: 0, headers: {} }, status: 0, data: {}, error }));
    req.end(body);
  });
}

function sdkHttp(transport: Transport): object {
  const tlsOptions = tlsOptionsFor(transport);
  const Cls = SdkHttp.extend({
    makeRequest: (url: string, message: SdkMessage) => send(url, message, transport, tlsOptions),
    parseJson: (json: string) => JSON.parse(json),
  });
  return new Cls();
}

/** splunkd's error text from a failed SDK call (its `messages[].text`, else the transport error). */
export function toRestError(failure: unknown): SplunkdRestError {
  if (failure instanceof Error) return new SplunkdRestError(failure.message, 0, errorCode(failure));
  const res = failure as Partial<SdkResponse> | undefined;
  const status = typeof res?.status === "number" ? res.status : 0;
  const cause = res?.error instanceof Error ? res.error.message : undefined;
  const code = res?.error instanceof Error ? errorCode(res.error) : undefined;
  return new SplunkdRestError(splunkdErrorText(res?.data as SplunkdMessages | undefined, status, cause), status, code);
}

function errorCode(error: Error): string | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === "string" ? code : undefined;
}

async function call<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (failure) {
    throw toRestError(failure);
  }
}

export function createSplunkdRest(target: SplunkdTarget, env: NodeJS.ProcessEnv = process.env): SplunkdRest {
  const uri = new URL(target.serverUri);
  const service = new SdkServiceCtor(sdkHttp(transportFor(uri, env)), {
    scheme: uri.protocol.replace(":", ""),
    host: uri.hostname,
    port: uri.port || "8089",
    sessionKey: target.sessionKey,
    owner: "nobody",
    app: target.app,
    autologin: false,
  });
  const passwordPath = (realm: string, username: string): string =>
    `storage/passwords/${encodeURIComponent(passwordEntityName(realm, username))}`;

  return {
    async readPassword(realm, username) {
      try {
        const res = await call(() => service.get(passwordPath(realm, username), {}));
        const entry = (res.data as { entry?: { content?: { clear_password?: string } }[] }).entry?.[0];
        return entry?.content?.clear_password;
      } catch (error) {
        if (error instanceof SplunkdRestError && error.status === 404) return undefined;
        throw error;
      }
    },
    async writePassword(realm, username, password) {
      try {
        await call(() => service.post("storage/passwords", { name: username, realm, password }));
      } catch (error) {
        // 409: the entry exists; splunkd updates it through the entity's own endpoint.
        if (!(error instanceof SplunkdRestError) || error.status !== 409) throw error;
        await call(() => service.post(passwordPath(realm, username), { password }));
      }
    },
    async updateInput(name, args) {
      await call(() => service.post(`data/inputs/${SCHEME}/${encodeURIComponent(name)}`, args));
    },
  };
}
