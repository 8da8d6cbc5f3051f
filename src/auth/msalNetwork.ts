// MSAL's HTTP calls (token endpoint, and OpenID metadata if it ever fetches any) on our undici
// dispatcher, so proxy_url, timeouts and NODE_EXTRA_CA_CERTS apply to logins as to API calls.
// Implements MSAL's INetworkModule: JSON body, lower-case header names, status.
import { AuthError, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from "@azure/msal-node";
import { request, type Dispatcher } from "undici";

// MSAL rethrows AuthError as is but replaces any other error with a bare "network_error",
// so failures are wrapped to keep their reason (e.g. ECONNREFUSED, certificate untrusted).
function networkFailure(url: string, err: unknown): AuthError {
  const reason = err instanceof Error ? `${(err as NodeJS.ErrnoException).code ?? err.name}: ${err.message}` : String(err);
  return new AuthError("network_error", "", `Network request to ${new URL(url).host} failed: ${reason}`);
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
    throw networkFailure(url, err);
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

export function msalNetworkClient(dispatcher: Dispatcher, signal?: AbortSignal): INetworkModule {
  return {
    sendGetRequestAsync: (url, options, timeout) => send(dispatcher, "GET", url, options, timeout, signal),
    sendPostRequestAsync: (url, options) => send(dispatcher, "POST", url, options, undefined, signal),
  };
}
