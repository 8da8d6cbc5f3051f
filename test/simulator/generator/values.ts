// Value pools and formats shared by the record builders. Names use Microsoft's sample
// personas on contoso.com; outside senders use example.com/.net and documentation IP ranges
// (RFC 5737 / RFC 3849), so no generated value points at a real party.
import type { Rng } from "./prng";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type AuditRecord = { [key: string]: JsonValue };

export interface RecordContext {
  rng: Rng;
  id: string;
  tenantId: string;
  /** CreationTime of the record. */
  time: Date;
  /** Hostile text (XML breakers, control characters, lone surrogates…) for the free-text fields. */
  hostile?: string;
}

export const USERS = [
  "megan.bowen@contoso.com",
  "alex.wilber@contoso.com",
  "adele.vance@contoso.com",
  "lee.gu@contoso.com",
  "finance@contoso.com",
  "diego.siciliani@contoso.com",
  "nestor.wilke@contoso.com",
] as const;

export const SENDERS = [
  "billing@invoices.example.net",
  "no-reply@mail.example.net",
  "it-helpdesk@example.com",
  "hr-benefits@example.org",
  "shipping@parcel.example.net",
] as const;

export const OUTSIDE_IPS = ["203.0.113.45", "198.51.100.23", "192.0.2.77", "203.0.113.9", "2001:db8:4f2a::1c"] as const;

/** `YYYY-MM-DDTHH:MM:SS`: the API's bare UTC form (reference section 6.1, CreationTime). */
export const bareTime = (date: Date): string => date.toISOString().slice(0, 19);

/** `YYYY-MM-DDTHH:MM:SS.0000000Z`: the 7-digit form nested AIR/alert data uses. */
export const fractionTime = (date: Date): string => `${date.toISOString().slice(0, 19)}.${date.toISOString().slice(20, 23)}0000Z`;

export const minutesBefore = (date: Date, minutes: number): Date => new Date(date.getTime() - minutes * 60_000);

/** The common schema's leading fields (reference section 6.1), in the order the API writes them. */
export function header(ctx: RecordContext, recordType: number | string, operation: string, workload: string, userKey: string, userType: number | string): AuditRecord {
  return {
    CreationTime: bareTime(ctx.time),
    Id: ctx.id,
    Operation: operation,
    OrganizationId: ctx.tenantId,
    RecordType: recordType,
    UserKey: userKey,
    UserType: userType,
    Version: typeof recordType === "string" ? "1" : 1,
    Workload: workload,
  };
}
