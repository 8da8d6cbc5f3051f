// How the Graph stand-in presents a record the simulator holds (docs/reference/graph-audit-query.md):
// an auditLogRecord (1.6) whose auditData is the Activity API record with Graph's annotations
// (4.2: "@odata.type" first, "<Field>@odata.type": "#Int64" before integer fields; generalised
// here to integers at any depth, so that stripping is exercised inside nested objects too) and
// a CreationTime ending in Z (4.3). Literal tables only: no product code.
import type { AuditRecord, JsonValue } from "./generator/values";

/** auditLogRecordType members (docs/reference/graph-audit-query.md 1.3) for the record types the generator writes, and a few more. */
export const GRAPH_RECORD_TYPES: Readonly<Record<string, number>> = {
  exchangeAdmin: 1,
  exchangeItem: 2,
  sharePoint: 4,
  sharePointFileOperation: 6,
  oneDrive: 7,
  azureActiveDirectory: 8,
  azureActiveDirectoryAccountLogon: 9,
  complianceDLPSharePoint: 11,
  complianceDLPExchange: 13,
  azureActiveDirectoryStsLogon: 15,
  microsoftTeams: 25,
  threatIntelligence: 28,
  mailSubmission: 29,
  securityComplianceAlerts: 40,
  threatIntelligenceUrl: 41,
  threatIntelligenceAtpContent: 47,
  airInvestigation: 64,
  quarantine: 65,
  attackSim: 85,
  airManualInvestigation: 86,
  userTraining: 88,
  airAdminActionInvestigation: 89,
  attackSimAdmin: 218,
};

function annotate(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(annotate);
  if (value === null || typeof value !== "object") return value;
  const out: { [key: string]: JsonValue } = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === "number" && Number.isInteger(v)) out[`${key}@odata.type`] = "#Int64";
    out[key] = annotate(v);
  }
  return out;
}

/** auditData as Graph sends it. */
export function annotatedAuditData(record: AuditRecord): AuditRecord {
  const body = annotate(record) as AuditRecord;
  if (typeof body.CreationTime === "string" && !body.CreationTime.endsWith("Z")) body.CreationTime = `${body.CreationTime}Z`;
  return { "@odata.type": "#microsoft.graph.security.defaultAuditData", ...body };
}

const nameOf = new Map(Object.entries(GRAPH_RECORD_TYPES).map(([name, n]) => [n, name]));

/** The auditLogRecord envelope around a record. */
export function auditLogRecord(record: AuditRecord): AuditRecord {
  const creation = typeof record.CreationTime === "string" ? record.CreationTime : "";
  return {
    id: String(record.Id),
    createdDateTime: creation.endsWith("Z") || creation === "" ? creation : `${creation}Z`,
    auditLogRecordType: nameOf.get(Number(record.RecordType)) ?? "unknownFutureValue",
    operation: record.Operation ?? null,
    organizationId: record.OrganizationId ?? null,
    userType: "regular",
    userId: record.UserId ?? null,
    service: record.Workload ?? null,
    objectId: record.ObjectId ?? null,
    userPrincipalName: record.UserId ?? null,
    clientIp: record.ClientIP ?? null,
    administrativeUnits: [],
    auditData: annotatedAuditData(record),
  };
}
