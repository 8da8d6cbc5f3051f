// An in-memory Microsoft Graph audit log query API for the backfill's unit tests: GraphHttp with
// `call` answered from memory (no network), as docs/reference/graph-audit-query.md describes the
// service: POST .../queries answers a new query (404 on a version the tenant is not served on),
// GET .../queries/{id} its status, GET .../records the records a page at a time with an
// @odata.nextLink to the next page. Each call is logged; faults and gates are scripted per call.
import { MockAgent } from "undici";
import { GraphError } from "../../../src/graph/errors";
import { GraphHttp, type GraphResponse } from "../../../src/graph/http";
import type { AuditLogQueryBody, GraphVersion } from "../../../src/graph/types";
import { createLogger } from "../../../src/splunk/logger";

export const GRAPH_ORIGIN = "https://graph.test";

export type GraphOperation = "create" | "poll" | "records";

export interface FakeQuery {
  id: string;
  version: GraphVersion;
  body: AuditLogQueryBody;
  polls: number;
}

/** One record: its id and its auditData as the raw JSON text Graph sends. */
export interface FakeGraphRecord {
  id: string;
  auditData: string;
  /** Members written between the id and auditData as raw text (`"userId":"x"`), garbled ones included. */
  outside?: string;
}

/** A record as Graph would send it: an OData type annotation in front of the Activity API's fields. */
export function graphRecord(fields: Record<string, unknown>): FakeGraphRecord {
  return { id: String(fields.Id), auditData: JSON.stringify({ "@odata.type": "#microsoft.graph.security.defaultAuditData", ...fields }) };
}

export class FakeGraph extends GraphHttp {
  /** Each call, as `<operation> <path and query>`. */
  readonly requests: string[] = [];
  readonly queries: FakeQuery[] = [];
  /** Versions that serve the API; the others answer 404. */
  versions: GraphVersion[] = ["v1.0"];
  /** The statuses successive polls of a query read; the last one repeats. */
  statuses: string[] = ["succeeded"];
  /** The records of every query, served pageSize at a time. */
  records: FakeGraphRecord[] = [];
  /** A query's own records, when queries differ (default: `records`). */
  recordsOf: (query: FakeQuery) => FakeGraphRecord[] = () => this.records;
  pageSize = 2;
  /** The next call of an operation throws the first error listed for it. */
  readonly faults: Partial<Record<GraphOperation, unknown[]>> = {};
  /** Runs before a call is answered (and may hold it); its errors are the call's. */
  before?: (operation: GraphOperation, url: string) => void | Promise<void>;
  /** Aborted: every call rejects with the reason, as GraphHttp's requests do. */
  signal?: AbortSignal;

  constructor() {
    const agent = new MockAgent();
    agent.disableNetConnect();
    super({ origin: GRAPH_ORIGIN, tokens: { getToken: async () => "token", invalidate: () => undefined }, dispatcher: agent, logger: createLogger(() => undefined) });
  }

  override async call(_operation: string, method: "GET" | "POST", url: string, body?: unknown): Promise<GraphResponse> {
    const { pathname, search } = new URL(url);
    const [, version, ...rest] = pathname.split("/");
    const route = rest.join("/");
    const operation: GraphOperation = method === "POST" ? "create" : route.endsWith("/records") ? "records" : "poll";
    this.requests.push(`${operation} ${pathname}${search}`);
    await this.before?.(operation, url);
    if (this.signal?.aborted) throw this.signal.reason;
    const fault = this.faults[operation]?.shift();
    if (fault !== undefined) throw fault;
    if (!this.versions.includes(version as GraphVersion)) {
      throw new GraphError(`Graph ${operation} failed (HTTP 404) [server: NotFound]`, "not_found", 404);
    }
    if (operation === "create") {
      const query: FakeQuery = { id: `q${this.queries.length + 1}`, version: version as GraphVersion, body: body as AuditLogQueryBody, polls: 0 };
      this.queries.push(query);
      return { status: 201, text: JSON.stringify({ id: query.id, status: "notStarted" }) };
    }
    const id = decodeURIComponent(route.split("/")[3]);
    const query = this.queries.find((q) => q.id === id);
    if (!query) throw new GraphError(`Graph ${operation} failed (HTTP 404)`, "not_found", 404);
    if (operation === "poll") {
      const status = this.statuses[Math.min(query.polls++, this.statuses.length - 1)];
      return { status: 200, text: JSON.stringify({ id, status }) };
    }
    const page = Number(new URLSearchParams(search).get("page") ?? "0");
    const all = this.recordsOf(query);
    const slice = all.slice(page * this.pageSize, (page + 1) * this.pageSize);
    const value = slice.map((r) => `{"id":${JSON.stringify(r.id)},${r.outside ? `${r.outside},` : ""}"auditData":${r.auditData}}`).join(",");
    const more = (page + 1) * this.pageSize < all.length;
    const next = more ? `,"@odata.nextLink":${JSON.stringify(`${GRAPH_ORIGIN}/${version}/${route}?page=${page + 1}`)}` : "";
    return { status: 200, text: `{"@odata.context":"${GRAPH_ORIGIN}/$metadata","value":[${value}]${next}}` };
  }
}
