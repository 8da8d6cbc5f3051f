// splunkd REST from the browser through Splunk Web's proxy (`<locale>/splunkd/__raw/...`), with
// the session cookie and the CSRF token header (@splunk/splunk-utils builds both from $C and the
// `splunkweb_csrf_token_<port>` cookie). JSON only (`output_mode=json`).
import { getCSRFToken } from "@splunk/splunk-utils/config";
import { createRESTURL } from "@splunk/splunk-utils/url";

export type Method = "GET" | "POST" | "DELETE";

export interface SplunkdEntry {
  name: string;
  content: Record<string, unknown>;
}

export interface SplunkdJson {
  entry?: SplunkdEntry[];
  results?: Record<string, string>[];
  messages?: { type?: string; text?: string }[];
}

/** A splunkd answer other than 2xx: its status and splunkd's message text. */
export class SplunkdError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "SplunkdError";
  }
}

export type Call = (method: Method, path: string, params?: Record<string, string>) => Promise<SplunkdJson>;

/**
 * `path` is relative to `servicesNS/nobody/<app>/` unless it starts with `/services`.
 * GET/DELETE send params in the query, POST as a form body.
 */
export function createCall(app: string, fetchImpl: typeof fetch = (...a) => fetch(...a)): Call {
  return async (method, path, params = {}) => {
    const url = createRESTURL(path, path.startsWith("/") ? {} : { app, owner: "nobody" });
    const query = new URLSearchParams({ output_mode: "json", ...(method === "POST" ? {} : params) });
    const init: RequestInit = {
      method,
      credentials: "include",
      headers: {
        "X-Splunk-Form-Key": getCSRFToken() ?? "",
        "X-Requested-With": "XMLHttpRequest",
        ...(method === "POST" ? { "Content-Type": "application/x-www-form-urlencoded" } : {}),
      },
      body: method === "POST" ? new URLSearchParams(params).toString() : undefined,
    };
    const res = await fetchImpl(`${url}?${query}`, init);
    const text = await res.text();
    let json: SplunkdJson = {};
    try {
      json = text ? (JSON.parse(text) as SplunkdJson) : {};
    } catch {
      json = { messages: [{ type: "ERROR", text: text.slice(0, 300) }] };
    }
    if (!res.ok) {
      const message = json.messages?.map((m) => m.text).filter(Boolean).join("; ");
      throw new SplunkdError(message || `splunkd answered HTTP ${res.status}`, res.status);
    }
    return json;
  };
}
