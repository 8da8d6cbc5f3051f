// The connection test's Graph step: GET /security/auditLog/queries (list queries) needs the
// same AuditLogsQuery permission as the backfill (docs/reference/graph-audit-query.md 2.1), so a
// 200 proves the token, the permission and its consent; v1.0 first, beta on 404 (docs/reference/graph-audit-query.md 4.1).
import { GraphError } from "./errors";
import { queriesUrl } from "./endpoints";
import type { GraphHttp } from "./http";
import { GRAPH_VERSIONS, type GraphVersion } from "./types";

/** The version that answered. Throws GraphError (a 403 names the permission and the consent step). */
export async function checkGraphAccess(http: GraphHttp): Promise<GraphVersion> {
  for (const version of GRAPH_VERSIONS) {
    try {
      await http.call(`list audit log queries (${version})`, "GET", queriesUrl(http.origin, version));
      return version;
    } catch (err) {
      if (!(err instanceof GraphError) || err.policy !== "not_found" || version === GRAPH_VERSIONS[GRAPH_VERSIONS.length - 1]) throw err;
    }
  }
  throw new GraphError("Graph list audit log queries: no API version to try", "fatal", 404);
}
