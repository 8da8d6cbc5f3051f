// A failed splunkd REST call, whether the modular input made it (splunkdRest.ts, through the
// SDK) or the configuration page (src/ui/splunkd.ts, through Splunk Web). Pure: the browser
// bundle imports it too.

/** The part of a splunkd JSON answer that carries its error text. */
export interface SplunkdMessages {
  messages?: { type?: string; text?: string }[];
}

/** A failed splunkd call: HTTP status (0 = no response), splunkd's message text, the OS error code. */
export class SplunkdRestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** e.g. ECONNREFUSED, ETIMEDOUT, DEPTH_ZERO_SELF_SIGNED_CERT; only when there was no response. */
    readonly code?: string,
  ) {
    super(message);
    this.name = "SplunkdRestError";
  }
}

/** splunkd's own error text (`messages[].text`), else `fallback`, else the status. */
export function splunkdErrorText(body: SplunkdMessages | undefined, status: number, fallback?: string): string {
  const text = body?.messages?.map((m) => m.text).filter(Boolean).join("; ");
  return text || fallback || `splunkd answered HTTP ${status}`;
}
