// Transaction 1: create the audit log query (POST /security/auditLog/queries, 201). v1.0 first;
// a 404 there means the tenant is served on beta only (docs/reference/graph-audit-query.md 4.1),
// so the same body goes to beta, and the version that answered is kept with the query.
import { GraphError } from "./errors";
import { queriesUrl } from "./endpoints";
import type { GraphHttp } from "./http";
import { GRAPH_VERSIONS, type AuditLogQuery, type AuditLogQueryBody, type GraphVersion } from "./types";

export interface CreatedQuery extends AuditLogQuery {
  version: GraphVersion;
}

/** The query object of a Graph answer; anything else is a transient shape fault. */
export function parseQuery(operation: string, text: string): AuditLogQuery {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const q = parsed as { id?: unknown; status?: unknown } | undefined;
  if (!q || typeof q !== "object" || typeof q.id !== "string" || q.id === "" || typeof q.status !== "string") {
    throw new GraphError(`Graph ${operation}: expected an auditLogQuery with id and status, got: ${text.slice(0, 200) || "(empty body)"}`, "transient", 200);
  }
  return { id: q.id, status: q.status };
}

export async function createQuery(http: GraphHttp, body: AuditLogQueryBody, versions: readonly GraphVersion[] = GRAPH_VERSIONS): Promise<CreatedQuery> {
  let notFound: GraphError | undefined;
  for (const version of versions) {
    try {
      const answer = await http.call(`create audit log query (${version})`, "POST", queriesUrl(http.origin, version), body);
      return { ...parseQuery("create audit log query", answer.text), version };
    } catch (err) {
      if (!(err instanceof GraphError) || err.policy !== "not_found") throw err;
      notFound = err;
    }
  }
  throw new GraphError(`${notFound?.message ?? "Graph create audit log query: no API version to try"}: the audit log query API is not available on ${versions.join(" or ")}`, "fatal", 404);
}
