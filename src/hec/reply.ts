// What an HEC answer means for the sender (docs/reference/hec.md 2 and 3). Pure.
import type { Cause } from "../errors/causes";

/** HEC's JSON answer body. */
export interface HecReply {
  text?: string;
  code?: number;
  ackId?: number;
  "invalid-event-number"?: number;
}

/** Cause codes of HEC faults (log `cause=`). */
export type HecCause = Extract<Cause, `hec_${string}`>;

export type Verdict =
  | { kind: "ok"; ackId?: number }
  /** Send again later (503 busy, 429, 5xx, a body that is not HEC's). */
  | { kind: "retry"; reason: string; retryAfterSeconds?: number }
  /** A configuration fault: sending again cannot help. */
  | { kind: "fatal"; cause: HecCause; message: string };

export function parseReply(body: string): HecReply {
  try {
    const value = JSON.parse(body) as unknown;
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as HecReply) : {};
  } catch {
    return {};
  }
}

function describe(status: number, reply: HecReply): string {
  const code = reply.code !== undefined ? ` code ${reply.code}` : "";
  return `HTTP ${status}${code}${reply.text ? ` "${reply.text}"` : ""}`;
}

/** Fixes for the faults a user must correct, by HEC code. */
const FIXES: Record<number, { cause: HecCause; fix: string }> = {
  1: { cause: "hec_token_invalid", fix: "the HEC token is disabled: enable it in Splunk (Settings > Data inputs > HTTP Event Collector)" },
  2: { cause: "hec_token_invalid", fix: "no HEC token was sent: check hec.token_file or hec.token_env" },
  3: { cause: "hec_token_invalid", fix: "HEC refused the Authorization header: the token file must hold only the token GUID" },
  4: { cause: "hec_token_invalid", fix: "HEC does not know this token: copy the token value again from Splunk into hec.token_file or hec.token_env" },
  7: { cause: "hec_rejected", fix: "the index is not allowed for this token: add it to the token's allowed indexes, or change index in the config" },
  10: { cause: "hec_rejected", fix: "HEC requires a channel (acknowledgement is on for the token) but none was sent" },
  14: { cause: "hec_ack_disabled", fix: 'indexer acknowledgement is off for this token: turn it on for the token, or set "ack": false under hec in the config' },
};

/** The verdict on an answer to POST /services/collector/event. */
export function judgeEventReply(status: number, body: string, retryAfterSeconds?: number): Verdict {
  const reply = parseReply(body);
  if (status === 200 && (reply.code === undefined || reply.code === 0)) {
    return typeof reply.ackId === "number" ? { kind: "ok", ackId: reply.ackId } : { kind: "ok" };
  }
  if (status === 503 || status === 429 || status >= 500) return { kind: "retry", reason: describe(status, reply), retryAfterSeconds };
  const known = reply.code !== undefined ? FIXES[reply.code] : undefined;
  if (known) return { kind: "fatal", cause: known.cause, message: `HEC refused the batch (${describe(status, reply)}): ${known.fix}` };
  if (status === 401 || status === 403) {
    return { kind: "fatal", cause: "hec_token_invalid", message: `HEC refused the token (${describe(status, reply)}): check hec.token_file or hec.token_env and the token in Splunk` };
  }
  if (status === 400) {
    const at = reply["invalid-event-number"];
    return {
      kind: "fatal",
      cause: "hec_rejected",
      message: `HEC rejected the batch (${describe(status, reply)}${at !== undefined ? `, event ${at}` : ""}): check hec.url points at the HEC port (e.g. https://splunk.example.com:8088) and the HEC input accepts JSON events`,
    };
  }
  if (status === 404) return { kind: "fatal", cause: "hec_rejected", message: `HEC answered ${describe(status, reply)}: hec.url must be the HEC base URL (https://host:8088), without a path` };
  return { kind: "retry", reason: describe(status, reply), retryAfterSeconds };
}

/** The verdict on an answer to POST /services/collector/ack, with the Ids found true. */
export function judgeAckReply(status: number, body: string): { verdict: Verdict; acked: number[] } {
  if (status !== 200) return { verdict: judgeEventReply(status, body), acked: [] };
  const acks = (parseReply(body) as { acks?: unknown }).acks;
  if (acks === null || typeof acks !== "object") return { verdict: { kind: "retry", reason: "ack answer without acks" }, acked: [] };
  const acked = Object.entries(acks as Record<string, unknown>).filter(([, v]) => v === true).map(([k]) => Number(k));
  return { verdict: { kind: "ok" }, acked };
}
