// The process's HTTP dispatcher (undici): one keep-alive pool per host, bounded connect,
// header and body timeouts, and `proxy_url` through an HTTP CONNECT proxy (undici ProxyAgent).
// Both the Activity API client and MSAL's token calls use it, so the proxy and Node's
// NODE_EXTRA_CA_CERTS (read by Node's default TLS context) apply to every call. TLS
// verification is never turned off.
import type { LookupFunction } from "node:net";
import { createSecureContext } from "node:tls";
import type { Dispatcher } from "undici";
import { Agent, ProxyAgent } from "./undici";

export interface HttpOptions {
  /** `http(s)://[user@]host:port`; the password comes separately from storage/passwords. */
  proxyUrl?: string;
  proxyPassword?: string;
  connectTimeoutMs?: number;
  /** Time to wait for response headers. */
  headersTimeoutMs?: number;
  /** Longest silence between two body chunks (a blob download can take long, but not stall). */
  bodyTimeoutMs?: number;
  /** Extra trusted CA certificates (PEM). Tests use it; users use NODE_EXTRA_CA_CERTS. */
  ca?: string | string[];
  /** Name resolution (tests: a DNS failure without sending a query); default the OS resolver. */
  lookup?: LookupFunction;
}

export const HTTP_DEFAULTS = {
  connectTimeoutMs: 15_000,
  headersTimeoutMs: 60_000,
  bodyTimeoutMs: 120_000,
  keepAliveTimeoutMs: 30_000,
  connectionsPerHost: 32,
} as const;

/** The Proxy-Authorization value for a proxy URL's user part plus the stored password. */
export function proxyAuthorization(proxyUrl: URL, password: string | undefined): string | undefined {
  const user = decodeURIComponent(proxyUrl.username);
  if (!user) return undefined;
  const pass = password ?? decodeURIComponent(proxyUrl.password);
  return `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
}

function parseProxyUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error("proxy_url is not a URL: give http(s)://[user@]host:port");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error("proxy_url must start with http:// or https://");
  }
  return url;
}

export function createDispatcher(options: HttpOptions = {}): Dispatcher {
  // One TLS context for every connection of the dispatcher: given `ca`, Node would build one per
  // connection (~40 ms each with Node's roots among the CAs, as the HEC sink passes them).
  const tls = options.ca ? { secureContext: createSecureContext({ ca: options.ca }) } : {};
  const agentOptions = {
    connect: { timeout: options.connectTimeoutMs ?? HTTP_DEFAULTS.connectTimeoutMs, ...tls, ...(options.lookup ? { lookup: options.lookup } : {}) },
    headersTimeout: options.headersTimeoutMs ?? HTTP_DEFAULTS.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs ?? HTTP_DEFAULTS.bodyTimeoutMs,
    keepAliveTimeout: HTTP_DEFAULTS.keepAliveTimeoutMs,
    connections: HTTP_DEFAULTS.connectionsPerHost,
  };
  if (!options.proxyUrl) return new Agent(agentOptions);
  const proxy = parseProxyUrl(options.proxyUrl);
  const token = proxyAuthorization(proxy, options.proxyPassword);
  // Credentials travel only in the Proxy-Authorization header, never in the URI undici logs.
  const bare = new URL(proxy.href);
  bare.username = "";
  bare.password = "";
  return new ProxyAgent({
    ...agentOptions,
    uri: bare.href,
    ...(token ? { token } : {}),
    requestTls: { ...tls, timeout: agentOptions.connect.timeout },
    ...(options.ca && proxy.protocol === "https:" ? { proxyTls: tls } : {}),
  });
}

// One dispatcher per distinct setting in this process, shared by every client and token call
// that is open; the last one to release it closes its connections.
const registry = new Map<string | symbol, { dispatcher: Dispatcher; users: number }>();

function registryKey(options: HttpOptions): string {
  // In memory only; never logged.
  return JSON.stringify([
    options.proxyUrl ?? "",
    options.proxyPassword ?? "",
    options.ca ?? "",
    options.connectTimeoutMs ?? 0,
    options.headersTimeoutMs ?? 0,
    options.bodyTimeoutMs ?? 0,
  ]);
}

export interface SharedDispatcher {
  dispatcher: Dispatcher;
  /** Idempotent; closes the pools once no user is left. */
  release(): Promise<void>;
}

export function acquireDispatcher(options: HttpOptions = {}): SharedDispatcher {
  // A function cannot be part of the key: a dispatcher with its own lookup is never shared.
  const key = options.lookup ? Symbol("own lookup") : registryKey(options);
  let entry = registry.get(key);
  if (!entry) {
    entry = { dispatcher: createDispatcher(options), users: 0 };
    registry.set(key, entry);
  }
  entry.users++;
  const held = entry;
  let released = false;
  return {
    dispatcher: held.dispatcher,
    release: async () => {
      if (released) return;
      released = true;
      held.users--;
      if (held.users > 0) return;
      if (registry.get(key) === held) registry.delete(key);
      await held.dispatcher.close();
    },
  };
}
