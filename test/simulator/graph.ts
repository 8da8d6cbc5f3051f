// Microsoft Graph's audit log query API under /<version>/security/auditLog/queries, as documented
// and as live tenants showed it (docs/reference/graph-audit-query.md): create (201, notStarted),
// get (notStarted -> running -> succeeded, or failed), list records with @odata.nextLink paging,
// OData annotations in auditData, the AuditLogsQuery.Read.All role, and a v1.0 that answers 404
// on tenants served on beta only (4.1). Answers are data; server.ts sends them.
import { randomUUID } from "node:crypto";
import { GRAPH_AUDIT_ROLE as GRAPH_ROLE, type HttpAnswer } from "./entra";
import { verifyHs256 } from "./jwt";
import type { AuditRecord } from "./generator/values";
import { auditLogRecord, GRAPH_RECORD_TYPES } from "./graphRecords";

export type GraphVersionName = "v1.0" | "beta";

export interface GraphOptions {
  /** Versions served (default both). `["beta"]`: v1.0 answers 404 UnknownError, as a tenant did in 2026. */
  versions?: GraphVersionName[];
  /** GETs of a new query answered `notStarted`, then `running`, before `succeeded` (default 1 and 1). */
  pollsNotStarted?: number;
  pollsRunning?: number;
  /** Records per page before @odata.nextLink (default 100). */
  pageSize?: number;
}

export interface GraphQuery {
  id: string;
  tenantId: string;
  version: GraphVersionName;
  displayName: string;
  start: number;
  end: number;
  recordTypeFilters?: string[];
  serviceFilters?: string[];
  /** GETs answered so far. */
  polls: number;
  /** Set when the failedQueries fault picked this query. */
  fails: boolean;
  records?: AuditRecord[];
}

export interface GraphRequest {
  method: string;
  version: string;
  /** Path segments after `security/auditLog/queries`. */
  rest: string[];
  query: URLSearchParams;
  authorization: string | undefined;
  body: string;
}

export interface GraphContext {
  baseUrl: string;
  now: number;
  tokenKey: Buffer;
  /** Every record the tenant holds, deduplicated by Id (the unified audit log holds each once). */
  records(tenantId: string): AuditRecord[] | undefined;
  /** True when the failedQueries fault picks the query being created. */
  failThisQuery(): boolean;
  /** True when the garbledGraphPages fault picks the records page being answered. */
  garbleThisPage(): boolean;
}

/** Graph's error body {"error":{"code","message"}} (https://learn.microsoft.com/graph/errors). */
export const graphError = (status: number, code: string, message: string, headers?: Record<string, string>): HttpAnswer => ({
  status,
  headers,
  body: { error: { code, message, innerError: { date: new Date().toISOString().slice(0, 19), "request-id": randomUUID() } } },
});

/** 429 with Retry-After in seconds (docs/reference/graph-audit-query.md 3.1). */
export const graphThrottled = (retryAfterSeconds = 1): HttpAnswer =>
  graphError(429, "TooManyRequests", "Too many requests", { "Retry-After": String(retryAfterSeconds) });

const SKIP = "$skiptoken";

export class GraphService {
  readonly queries = new Map<string, GraphQuery>();
  private readonly versions: GraphVersionName[];

  constructor(private readonly options: GraphOptions = {}) {
    this.versions = options.versions ?? ["v1.0", "beta"];
  }

  handle(ctx: GraphContext, req: GraphRequest): HttpAnswer {
    // Observed: 404 UnknownError with an empty message on v1.0 while beta answered (docs/reference/graph-audit-query.md 4.1).
    if (!(this.versions as string[]).includes(req.version)) return graphError(404, "UnknownError", "");
    const caller = this.authenticate(ctx, req);
    if ("status" in caller) return caller;
    const [id, sub, ...extra] = req.rest;
    if (id === undefined && req.method === "POST") return this.create(ctx, req, caller.tenantId);
    if (id === undefined && req.method === "GET") {
      const mine = [...this.queries.values()].filter((q) => q.tenantId === caller.tenantId);
      return { status: 200, body: { value: mine.map((q) => this.view(q)) } };
    }
    const query = id === undefined ? undefined : this.queries.get(id);
    if (!query || query.tenantId !== caller.tenantId || query.version !== req.version || extra.length > 0) {
      return graphError(404, "ResourceNotFound", `Resource not found for the segment '${id ?? ""}'.`);
    }
    if (req.method === "GET" && sub === undefined) {
      query.polls++;
      return { status: 200, body: this.view(query) };
    }
    if (req.method === "GET" && sub === "records") return this.records(ctx, req, query);
    return graphError(405, "MethodNotAllowed", `${req.method} is not allowed here.`);
  }

  /** Status by the number of GETs so far: notStarted, running, then succeeded (or failed). */
  status(query: GraphQuery): string {
    const notStarted = this.options.pollsNotStarted ?? 1;
    const running = this.options.pollsRunning ?? 1;
    if (query.polls <= notStarted) return "notStarted";
    if (query.polls <= notStarted + running) return "running";
    return query.fails ? "failed" : "succeeded";
  }

  private view(q: GraphQuery): Record<string, unknown> {
    return {
      "@odata.context": `$metadata#security/auditLog/queries/$entity`,
      id: q.id,
      displayName: q.displayName,
      filterStartDateTime: new Date(q.start).toISOString(),
      filterEndDateTime: new Date(q.end).toISOString(),
      recordTypeFilters: q.recordTypeFilters ?? [],
      serviceFilters: q.serviceFilters ?? [],
      status: this.status(q),
    };
  }

  private authenticate(ctx: GraphContext, req: GraphRequest): { tenantId: string } | HttpAnswer {
    const match = /^Bearer\s+(\S+)$/i.exec(req.authorization ?? "");
    const claims = match ? verifyHs256(match[1], ctx.tokenKey) : undefined;
    if (!claims || typeof claims.exp !== "number" || claims.exp * 1000 <= ctx.now || claims.aud !== ctx.baseUrl) {
      return graphError(401, "InvalidAuthenticationToken", "Access token validation failure.");
    }
    const roles = Array.isArray(claims.roles) ? claims.roles.map(String) : [];
    // A token without the application permission is issued, and refused here (docs/reference/graph-audit-query.md 2.2).
    if (!roles.includes(GRAPH_ROLE)) return graphError(403, "Forbidden", "Missing role permissions on the request. API requires one of 'AuditLogsQuery.Read.All'.");
    return { tenantId: String(claims.tid) };
  }

  private create(ctx: GraphContext, req: GraphRequest, tenantId: string): HttpAnswer {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return graphError(400, "BadRequest", "Invalid JSON in the request body.");
    }
    const start = Date.parse(String(body.filterStartDateTime));
    const end = Date.parse(String(body.filterEndDateTime));
    if (Number.isNaN(start) || Number.isNaN(end) || start >= end) {
      return graphError(400, "BadRequest", "filterStartDateTime and filterEndDateTime must be times, the start before the end.");
    }
    const types = body.recordTypeFilters;
    if (types !== undefined && (!Array.isArray(types) || types.some((t) => typeof t !== "string" || !(t in GRAPH_RECORD_TYPES)))) {
      return graphError(400, "BadRequest", `Requested value '${JSON.stringify(types)}' was not found in auditLogRecordType.`);
    }
    const services = body.serviceFilters;
    if (services !== undefined && (!Array.isArray(services) || services.some((s) => typeof s !== "string"))) {
      return graphError(400, "BadRequest", "serviceFilters must be a list of workload names.");
    }
    const query: GraphQuery = {
      id: randomUUID(),
      tenantId,
      version: req.version as GraphVersionName,
      displayName: typeof body.displayName === "string" ? body.displayName : "",
      start,
      end,
      recordTypeFilters: types as string[] | undefined,
      serviceFilters: services as string[] | undefined,
      polls: 0,
      fails: ctx.failThisQuery(),
    };
    this.queries.set(query.id, query);
    return { status: 201, body: this.view(query) };
  }

  private matching(ctx: GraphContext, q: GraphQuery): AuditRecord[] {
    const types = q.recordTypeFilters?.map((t) => GRAPH_RECORD_TYPES[t]);
    const services = q.serviceFilters?.map((s) => s.toLowerCase());
    return (ctx.records(q.tenantId) ?? [])
      .filter((r) => {
        // CreationTime is UTC; the simulator's records carry no zone.
        const t = Date.parse(`${String(r.CreationTime).replace(/Z$/, "")}Z`);
        if (!(t >= q.start && t < q.end)) return false;
        if (types && types.length > 0 && !types.includes(Number(r.RecordType))) return false;
        return !services || services.length === 0 || services.includes(String(r.Workload).toLowerCase());
      })
      .sort((a, b) => String(a.CreationTime).localeCompare(String(b.CreationTime)) || String(a.Id).localeCompare(String(b.Id)));
  }

  private records(ctx: GraphContext, req: GraphRequest, q: GraphQuery): HttpAnswer {
    if (this.status(q) !== "succeeded") return graphError(400, "BadRequest", `The query is ${this.status(q)}; records are available once it succeeded.`);
    q.records ??= this.matching(ctx, q);
    const token = req.query.get(SKIP);
    const offset = token === null ? 0 : Number(Buffer.from(token, "base64url").toString("utf8").split(":")[1]);
    if (token !== null && (!Number.isInteger(offset) || offset < 0 || !Buffer.from(token, "base64url").toString("utf8").startsWith(`${q.id}:`))) {
      return graphError(400, "BadRequest", "The $skiptoken is invalid.");
    }
    const size = this.options.pageSize ?? 100;
    const page = q.records.slice(offset, offset + size);
    const body: Record<string, unknown> = { "@odata.context": `${ctx.baseUrl}/${q.version}/$metadata#security/auditLog/queries('${q.id}')/records` };
    if (offset + size < q.records.length) {
      const next = Buffer.from(`${q.id}:${offset + size}`).toString("base64url");
      body["@odata.nextLink"] = `${ctx.baseUrl}/${q.version}/security/auditLog/queries/${q.id}/records?${SKIP}=${next}`;
    }
    body.value = page.map(auditLogRecord);
    // The fault: the first record gets a key with an escape JSON does not have, outside auditData.
    if (page.length > 0 && ctx.garbleThisPage()) return { status: 200, body: JSON.stringify(body).replace('"value":[{', '"value":[{"user\\qId":"x",') };
    return { status: 200, body };
  }
}
