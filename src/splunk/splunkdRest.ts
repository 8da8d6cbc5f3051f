// splunkd REST for the modular input: storage/passwords and our own input stanzas, through the
// `splunk-sdk` Service with the session key splunkd passes (reference/splunk-platform.md 3.1).
// The SDK's own Node transport turns TLS verification off; we replace it with one that keeps it
// on and trusts Splunk's CA (`$SPLUNK_HOME/etc/auth/cacert.pem`) beside the usual roots.
import { existsSync, readFileSync } from "node:fs";
import https from "node:https";
import path from "node:path";
import tls from "node:tls";
import { SCHEME } from "../config/constants";
import { passwordEntityName } from "./secretNames";

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

/** A failed splunkd call: HTTP status (0 = no response) and splunkd's message text. */
export class SplunkdRestError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "SplunkdRestError";
  }
}

/** Splunk's CA when this runs under splunkd (SPLUNK_HOME set and the file present). */
export function splunkCaFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!env.SPLUNK_HOME) return undefined;
  const file = path.join(env.SPLUNK_HOME, "etc", "auth", "cacert.pem");
  return existsSync(file) ? file : undefined;
}

/**
 * Trust anchors: Node's roots, NODE_EXTRA_CA_CERTS (which an explicit `ca` would otherwise drop)
 * and Splunk's CA. Verification itself is never turned off.
 */
export function trustedCas(env: NodeJS.ProcessEnv = process.env): string[] {
  const cas = [...tls.rootCertificates];
  for (const file of [env.NODE_EXTRA_CA_CERTS, splunkCaFile(env)]) {
    if (file && existsSync(file)) cas.push(readFileSync(file, "utf8"));
  }
  return cas;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "[::1]", "localhost"]);

/**
 * splunkd's stock server certificate (signed by cacert.pem) is named `SplunkServerDefaultCert`,
 * not after the host, so on loopback that name is accepted once the chain has verified against
 * the trusted CAs; every other host needs a certificate that matches its name.
 */
export function checkSplunkdIdentity(host: string, cert: tls.PeerCertificate): Error | undefined {
  const error = tls.checkServerIdentity(host, cert);
  if (!error) return undefined;
  const cn = cert.subject?.CN;
  return LOOPBACK.has(host) && cn === "SplunkServerDefaultCert" ? undefined : error;
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

function send(url: string, message: SdkMessage, ca: string[]): Promise<SdkResponse> {
  return new Promise((resolve, reject) => {
    const body = message.body ?? "";
    const headers = { ...message.headers, "Content-Length": String(Buffer.byteLength(body)) };
    const req = https.request(
      url,
      { method: message.method, headers, ca, checkServerIdentity: checkSplunkdIdentity, timeout: 30_000 },
      (res) => {
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
      },
    );
    req.on("timeout", () => req.destroy(new Error("splunkd did not answer within 30 s")));
    req.on("error", (error) => reject({ response: { statusCode: 0, headers: {} }, status: 0, data: {}, error }));
    req.end(body);
  });
}

function verifyingHttp(ca: string[]): object {
  const Cls = SdkHttp.extend({
    makeRequest: (url: string, message: SdkMessage) => send(url, message, ca),
    parseJson: (json: string) => JSON.parse(json),
  });
  return new Cls();
}

/** splunkd's error text from a failed SDK call (its `messages[].text`, else the transport error). */
export function toRestError(failure: unknown): SplunkdRestError {
  if (failure instanceof Error) return new SplunkdRestError(failure.message, 0);
  const res = failure as Partial<SdkResponse> | undefined;
  const status = typeof res?.status === "number" ? res.status : 0;
  const data = res?.data as { messages?: { text?: string }[] } | undefined;
  const text = data?.messages?.map((m) => m.text).filter(Boolean).join("; ");
  const cause = res?.error instanceof Error ? res.error.message : undefined;
  return new SplunkdRestError(text || cause || `splunkd answered HTTP ${status}`, status);
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
  const service = new SdkServiceCtor(verifyingHttp(trustedCas(env)), {
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
