// splunkd REST from the browser through Splunk Web's proxy (`<locale>/splunkd/__raw/...`), with
// the session cookie and the CSRF token header (@splunk/splunk-utils builds both from $C and the
// `splunkweb_csrf_token_<port>` cookie). JSON only (`output_mode=json`).
import { getCSRFToken } from "@splunk/splunk-utils/config";
import { createRESTURL } from "@splunk/splunk-utils/url";
import { SplunkdRestError, splunkdErrorText, type SplunkdMessages } from "../splunk/splunkdError";

export type Method = "GET" | "POST" | "DELETE";

export interface SplunkdEntry {
  name: string;
  content: Record<string, unknown>;
}

export interface SplunkdJson extends SplunkdMessages {
  entry?: SplunkdEntry[];
  results?: Record<string, string>[];
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
    if (!res.ok) throw new SplunkdRestError(splunkdErrorText(json, res.status), res.status);
    return json;
  };
}
