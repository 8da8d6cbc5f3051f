// MSAL's HTTP calls (token endpoint, and OpenID metadata if it ever fetches any) on our undici
// dispatcher, so proxy_url, timeouts and NODE_EXTRA_CA_CERTS apply to logins as to API calls.
// Implements MSAL's INetworkModule: JSON body, lower-case header names, status.
import { AuthError, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from "@azure/msal-node";
import type { Dispatcher } from "undici";
import { request } from "../api/undici";
import { describeNetworkFailure, networkFailureOf, type NetworkFailure } from "../errors/networkFailure";

/** An AuthError that carries what went wrong on the wire (toTokenError reads it). */
export type NetworkAuthError = AuthError & { networkFailure: NetworkFailure };

// MSAL rethrows AuthError as is but replaces any other error with a bare "network_error",
// so failures are wrapped to keep the host, the OS error code and the proxy.
function networkFailure(url: string, err: unknown, proxy: string | undefined): NetworkAuthError {
  const failure = networkFailureOf(err, url, proxy);
  return Object.assign(new AuthError("network_error", "", `Token request: ${describeNetworkFailure(failure)}`), { networkFailure: failure });
}

function headerRecord(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

async function send<T>(
  dispatcher: Dispatcher,
  method: "GET" | "POST",
  url: string,
  options: NetworkRequestOptions | undefined,
  timeoutMs: number | undefined,
  signal: AbortSignal | undefined,
  proxy: string | undefined,
): Promise<NetworkResponse<T>> {
  let response: Dispatcher.ResponseData;
  let bodyText: string;
  try {
    response = await request(url, {
      dispatcher,
      method,
      headers: options?.headers,
      body: method === "POST" ? (options?.body ?? "") : undefined,
      signal,
      ...(timeoutMs ? { headersTimeout: timeoutMs, bodyTimeout: timeoutMs } : {}),
    });
    bodyText = await response.body.text();
  } catch (err) {
    throw networkFailure(url, err, proxy);
  }
  let body: T;
  try {
    body = JSON.parse(bodyText) as T;
  } catch {
    // e.g. a proxy's HTML error page: say so rather than MSAL's bare parse error.
    throw new AuthError(
      "network_error",
      "",
      `The login host answered HTTP ${response.statusCode} without JSON (a proxy in the way?)`,
    );
  }
  return { status: response.statusCode, headers: headerRecord(response.headers), body };
}

/** `proxy`: the proxy in use (origin, no credentials), named in network failures. */
export function msalNetworkClient(dispatcher: Dispatcher, signal?: AbortSignal, proxy?: string): INetworkModule {
  return {
    sendGetRequestAsync: (url, options, timeout) => send(dispatcher, "GET", url, options, timeout, signal, proxy),
    sendPostRequestAsync: (url, options) => send(dispatcher, "POST", url, options, undefined, signal, proxy),
  };
}
