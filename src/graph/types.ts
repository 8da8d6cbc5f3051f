// Shapes of Microsoft Graph's audit log query API (docs/reference/graph-audit-query.md 1).

/** The API path versions we speak; v1.0 first, beta when v1.0 answers 404 (docs/reference/graph-audit-query.md 4.1). */
export type GraphVersion = "v1.0" | "beta";
export const GRAPH_VERSIONS: readonly GraphVersion[] = ["v1.0", "beta"];

/** auditLogQueryStatus (docs/reference/graph-audit-query.md 1.4). */
export type AuditLogQueryStatus = "notStarted" | "running" | "succeeded" | "failed" | "cancelled" | "unknownFutureValue";

/** The body of POST /security/auditLog/queries (docs/reference/graph-audit-query.md 1.3). */
export interface AuditLogQueryBody {
  displayName: string;
  /** ISO 8601 with Z. */
  filterStartDateTime: string;
  filterEndDateTime: string;
  recordTypeFilters?: string[];
  serviceFilters?: string[];
}

/** What we read back of an auditLogQuery. */
export interface AuditLogQuery {
  id: string;
  status: string;
}

/** One auditLogRecord: its id and its auditData as raw JSON text, exactly as Graph sent it. */
export interface GraphRecord {
  id: string;
  auditDataText: string;
}

export interface RecordsPage {
  records: GraphRecord[];
  /** `@odata.nextLink`: the next page's full URL; absent on the last page. */
  nextLink?: string;
}
