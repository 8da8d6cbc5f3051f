// The body of one audit log query (docs/reference/graph-audit-query.md 1.3): the missing span,
// narrowed by record type when record_types is set, or by service when every content type
// collected is a whole service. Records are still filtered on our side (a filter is volume,
// never correctness). Pure.
import type { ContentType } from "../config/inputConfig";
import { recordTypeName } from "../recordTypes";
import { SERVICES_BY_CONTENT_TYPE } from "./contentType";
import type { AuditLogQueryBody } from "./types";

export interface QuerySpan {
  start: Date;
  end: Date;
}

/** Graph's auditLogRecordType member: the AuditLogRecordType name with a lower-case first letter. */
export function graphRecordType(n: number): string | undefined {
  const name = recordTypeName(n);
  if (!name || !/^[A-Za-z0-9]+$/.test(name)) return undefined;
  return name[0].toLowerCase() + name.slice(1);
}

export function queryBody(inputName: string, span: QuerySpan, contentTypes: readonly ContentType[], recordTypes: readonly number[]): AuditLogQueryBody {
  const body: AuditLogQueryBody = {
    displayName: `defender_o365 backfill ${inputName} ${span.start.toISOString()}`,
    filterStartDateTime: span.start.toISOString(),
    filterEndDateTime: span.end.toISOString(),
  };
  const names = recordTypes.map(graphRecordType);
  // One type without a Graph name would be lost by the filter: then ask for all and filter here.
  if (recordTypes.length > 0 && names.every((n) => n !== undefined)) body.recordTypeFilters = names as string[];
  else if (recordTypes.length === 0) {
    const services = contentTypes.map((ct) => SERVICES_BY_CONTENT_TYPE[ct]);
    if (services.every((s) => s !== undefined)) body.serviceFilters = services.flatMap((s) => s ?? []);
  }
  return body;
}
