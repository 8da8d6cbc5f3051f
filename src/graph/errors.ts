// Graph failures and what the backfill does about each: a FaultError whose rule gives the
// policy and the log cause code.
import { FaultError } from "../errors/faultError";
import type { ErrorPolicy, ErrorRule } from "../errors/table";

/**
 * - throttled / transient: retried with backoff by src/graph/http.ts, then left for the next run;
 * - not_found: v1.0 has no such resource (docs/reference/graph-audit-query.md 4.1): try beta;
 * - permission: the app lacks AuditLogsQuery.Read.All or its admin consent (docs/reference/graph-audit-query.md 2.2):
 *   fatal to the backfill, with its own cause;
 * - query_failed: Graph ran the search and it failed or was cancelled;
 * - page_unreadable: a page of records answered 200 but is not the JSON Graph documents (a bad
 *   escape, cut short, another shape): no retry in the run can be expected to read it;
 * - fatal: any other refusal (bad request, URL outside Graph).
 */
export type GraphPolicy = Extract<ErrorPolicy, "throttled" | "transient" | "not_found" | "query_failed" | "page_unreadable" | "fatal"> | "permission";

export const GRAPH_PERMISSION = "AuditLogsQuery.Read.All";
export const GRAPH_CONSENT_STEP = `In the Microsoft Entra admin center: App registrations > the app > API permissions > Add a permission > Microsoft Graph > Application permissions > ${GRAPH_PERMISSION}, then Grant admin consent`;

const RULES: Record<GraphPolicy, ErrorRule> = {
  throttled: { policy: "throttled", cause: "graph_throttled" },
  transient: { policy: "transient", cause: "graph_transient" },
  not_found: { policy: "not_found", cause: "graph_not_found" },
  permission: { policy: "fatal", cause: "graph_consent_missing" },
  query_failed: { policy: "query_failed", cause: "graph_query_failed" },
  page_unreadable: { policy: "page_unreadable", cause: "graph_page_unreadable" },
  fatal: { policy: "fatal", cause: "graph_error" },
};

export class GraphError extends FaultError {
  constructor(
    message: string,
    policy: GraphPolicy,
    readonly status: number,
    /** Graph's `error.code`, when the body had one. */
    code?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message, RULES[policy], code);
    this.name = "GraphError";
  }
}

export function policyForStatus(status: number): GraphPolicy {
  if (status === 429) return "throttled";
  if (status === 404) return "not_found";
  if (status === 403) return "permission";
  if (status === 0 || status === 408 || status >= 500) return "transient";
  return "fatal";
}

function snippet(text: string, max = 300): string {
  return text.replace(/\s+/g, " ").trim().slice(0, max);
}

/** A failed response as a GraphError naming the operation, Graph's code and message, and the fix. */
export function parseGraphError(operation: string, status: number, body: string, retryAfterSeconds?: number): GraphError {
  let code: string | undefined;
  let message = snippet(body);
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    if (typeof parsed?.error?.code === "string") code = parsed.error.code;
    if (typeof parsed?.error?.message === "string") message = snippet(parsed.error.message);
  } catch {
    // not JSON: keep the text
  }
  const policy = policyForStatus(status);
  const fix = policy === "permission" ? `: the app registration lacks the Microsoft Graph application permission ${GRAPH_PERMISSION} or its admin consent. ${GRAPH_CONSENT_STEP}` : "";
  const server = [code, message].filter(Boolean).join(" ");
  return new GraphError(`Graph ${operation} failed (HTTP ${status})${fix}${server ? ` [server: ${server}]` : ""}`, policy, status, code, retryAfterSeconds);
}
