// Which Activity API content type a Graph record belongs to (docs/reference/graph-audit-query.md
// section 5): Graph records carry none, and the Activity API routes by workload, with DLP
// events in DLP.All. Pure.
import type { ContentType } from "../config/inputConfig";
import { recordTypeNumber } from "../collector/sourcetype";

/** ComplianceDLPSharePoint, ComplianceDLPExchange, ComplianceDLPSharePointClassification. */
const DLP_RECORD_TYPES: ReadonlySet<number> = new Set([11, 13, 33]);

const BY_WORKLOAD: Readonly<Record<string, ContentType>> = {
  exchange: "Audit.Exchange",
  sharepoint: "Audit.SharePoint",
  onedrive: "Audit.SharePoint",
  azureactivedirectory: "Audit.AzureActiveDirectory",
};

/** The content type of a record from its RecordType and Workload; Audit.General for the rest. */
export function contentTypeOfRecord(record: { RecordType?: unknown; Workload?: unknown }): ContentType {
  const recordType = recordTypeNumber(record.RecordType);
  if (recordType !== undefined && DLP_RECORD_TYPES.has(recordType)) return "DLP.All";
  const workload = typeof record.Workload === "string" ? record.Workload.toLowerCase() : "";
  return BY_WORKLOAD[workload] ?? "Audit.General";
}

/** Graph's workload names for the content types that map to whole services (none for General and DLP). */
export const SERVICES_BY_CONTENT_TYPE: Readonly<Partial<Record<ContentType, readonly string[]>>> = {
  "Audit.Exchange": ["Exchange"],
  "Audit.SharePoint": ["SharePoint", "OneDrive"],
  "Audit.AzureActiveDirectory": ["AzureActiveDirectory"],
};
