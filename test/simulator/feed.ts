// The Activity API under /api/v1.0/<tenant>/activity/feed/ (docs/reference/activity-api.md
// sections 2-4): bearer-token checks, the per-tenant quota, subscriptions, content listing with
// NextPageUri paging, and blob lookup. Answers are data; the server streams blob bodies.
import { createHmac } from "node:crypto";
import type { ContentType } from "./contentTypes";
import { SIM_CONTENT_TYPES } from "./contentTypes";
import { ACTIVITY_FEED_ROLE, type HttpAnswer } from "./entra";
import { verifyHs256 } from "./jwt";
import type { PageKey, SimTenant, StoredBlob } from "./tenant";
import { checkWindow, DAY_MS, formatContentTime, formatPageTime } from "./window";

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const ZERO_GUID = "00000000-0000-0000-0000-000000000000";
const START_THROTTLE_MS = 15 * 60_000;

export interface FeedRequest {
  method: string;
  tenantRef: string;
  /** Path after `activity/feed/`, e.g. `subscriptions/content` or `audit/<contentId>`. */
  operation: string;
  /** Query parameter by name, case-insensitive (the service is an ASP.NET application). */
  query(name: string): string | undefined;
  authorization: string | undefined;
  body: string;
}

export interface FeedContext {
  baseUrl: string;
  /** Server clock, epoch ms. */
  now: number;
  tokenKey: Buffer;
  pageSize: number;
  /** `v1.0`, or `v1` as in the Reference's sample NextPageUri. */
  nextPagePathVersion: "v1.0" | "v1";
  /** Answer the next listing's last page with a NextPageUri back to its first page. */
  loopNextPage(): boolean;
  tenant(id: string): SimTenant | undefined;
}

export type FeedAnswer = HttpAnswer | { status: 200; blob: StoredBlob };

/** The documented error body {"error":{"code","message"}} (docs/reference/activity-api.md 4.1). */
export const afError = (status: number, code: string, message: string, headers?: Record<string, string>): HttpAnswer => ({
  status,
  headers,
  body: { error: { code, message } },
});

/** Reference 4.1/4.2: "Too many requests. Method={m}, PublisherId={p}", HTTP 403 in Microsoft's example. */
export function tooManyRequests(method: string, publisherId: string | undefined, status = 403, retryAfterSeconds?: number): HttpAnswer {
  const headers = retryAfterSeconds !== undefined ? { "Retry-After": String(retryAfterSeconds) } : undefined;
  return afError(status, "AF429", `Too many requests. Method=${method}, PublisherId=${publisherId ?? ZERO_GUID}`, headers);
}

/** Method names as the AF429 message shows them (GetBlob is Microsoft's example; others alike). */
export function methodName(operation: string): string {
  if (operation.startsWith("audit/")) return "GetBlob";
  return { "subscriptions/start": "StartSubscription", "subscriptions/stop": "StopSubscription", "subscriptions/list": "ListSubscriptions", "subscriptions/content": "ListContent" }[operation] ?? "Unknown";
}

/**
 * Observed when unified audit logging is off (MicrosoftDocs/office-365-management-api#89,
 * wazuh#34320): HTTP 400, the code field holds the start of a long text naming the operation
 * and ids, the message the rest with a .NET DataServiceException and stack trace.
 */
export function auditLogOff(tenantId: string, operation: string, contentType: string, appId: string, publisherId: string | undefined): HttpAnswer {
  const correlation = "5c0b7f5e-2f4a-4c51-9c1e-5a8d2a6b9e10";
  return afError(
    400,
    `${methodName(operation)} [CorrId=${correlation}][TenantId=${tenantId},ContentType=${contentType},ApplicationId=${appId},PublisherId=${publisherId ?? ZERO_GUID}][AppId`,
    `${appId.slice(1)}] failed. Exception: Microsoft.Office.Compliance.Audit.DataServiceException: Tenant ${tenantId} does not exist.\r\n   at Microsoft.Office.Compliance.Audit.API.AzureManager.GetSubscriptionTableClientForTenantAsync()\r\n--- End of stack trace from previous location where exception was thrown ---`,
  );
}

interface Caller {
  tenant: SimTenant;
  appId: string;
  publisherId: string | undefined;
}

/** Bearer token, tenant match (AF20010) and app role (AF10001), in that order. */
function authenticate(ctx: FeedContext, req: FeedRequest): Caller | HttpAnswer {
  // Unverified: the service's exact 401 body; the status is what clients key on.
  const unauthorized = afError(401, "InvalidAuthenticationToken", "Authorization has been denied for this request.", { "WWW-Authenticate": 'Bearer error="invalid_token"' });
  const match = /^Bearer\s+(\S+)$/i.exec(req.authorization ?? "");
  if (!match) return unauthorized;
  const claims = verifyHs256(match[1], ctx.tokenKey);
  if (!claims || typeof claims.exp !== "number" || claims.exp * 1000 <= ctx.now || claims.aud !== ctx.baseUrl) return unauthorized;
  const tid = String(claims.tid);
  if (tid !== req.tenantRef.toLowerCase()) {
    return afError(403, "AF20010", `The tenant ID passed in the URL (${req.tenantRef}) does not match the tenant ID passed in the access token (${tid}).`);
  }
  const roles = Array.isArray(claims.roles) ? claims.roles.map(String) : [];
  if (!roles.includes(ACTIVITY_FEED_ROLE)) {
    return afError(403, "AF10001", `The permission set (${roles.join(",")}) sent in the request does not include the expected permission.`);
  }
  const tenant = ctx.tenant(tid);
  if (!tenant) return afError(400, "AF20011", `Tenant ${tid} does not exist.`);
  const publisherId = req.query("PublisherIdentifier");
  return { tenant, appId: String(claims.appid), publisherId };
}

function contentTypeOf(req: FeedRequest): ContentType | HttpAnswer {
  const value = req.query("contentType");
  if (value === undefined) return afError(400, "AF20001", "A required parameter is missing: contentType.");
  const found = SIM_CONTENT_TYPES.find((ct) => ct.toLowerCase() === value.toLowerCase());
  return found ?? afError(400, "AF20020", `The specified content type is not valid: ${value}.`);
}

const isAnswer = (value: unknown): value is HttpAnswer => typeof value === "object" && value !== null && "status" in value;

/** nextPage tokens bind the position to the tenant, content type and window (else AF20031). */
function pageToken(ctx: FeedContext, scope: string, key: PageKey): string {
  const position = `${key.visibleAt.toString(36)}.${key.seq.toString(36)}`;
  const mac = createHmac("sha256", ctx.tokenKey).update(`${scope}|${position}`).digest("hex").slice(0, 16);
  return `${position}.${mac}`;
}

function readPageToken(ctx: FeedContext, scope: string, token: string): PageKey | undefined {
  const m = /^(-?[0-9a-z]+)\.(-?[0-9a-z]+)\.[0-9a-f]{16}$/.exec(token);
  if (!m) return undefined;
  const key = { visibleAt: parseInt(m[1], 36), seq: parseInt(m[2], 36) };
  return pageToken(ctx, scope, key) === token ? key : undefined;
}

function listContent(ctx: FeedContext, req: FeedRequest, caller: Caller): HttpAnswer {
  const ct = contentTypeOf(req);
  if (isAnswer(ct)) return ct;
  const sub = caller.tenant.subscriptions.get(ct);
  if (!sub) return afError(400, "AF20022", `No subscription found for the specified content type: ${ct}.`);
  if (sub.status !== "enabled") return afError(400, "AF20023", `The subscription was disabled: ${ct}.`);
  const window = checkWindow(req.query("startTime"), req.query("endTime"), ctx.now);
  if (!window.ok) return afError(400, window.code, window.message);
  const scope = `${caller.tenant.id}|${ct}|${window.start}|${window.end}`;
  const nextPage = req.query("nextPage");
  let key: PageKey | undefined;
  if (nextPage !== undefined) {
    key = readPageToken(ctx, scope, nextPage);
    if (!key) return afError(400, "AF20031", `Invalid nextPage Input: ${nextPage}.`);
  }
  const found = caller.tenant.listContent(ct, window.start, window.end, ctx.now, key, ctx.pageSize);
  const page = found.slice(0, ctx.pageSize);
  const feedRoot = `${ctx.baseUrl}/api/v1.0/${caller.tenant.id}/activity/feed`;
  const body = page.map((blob) => ({
    contentType: blob.contentType,
    contentId: blob.contentId,
    contentUri: `${feedRoot}/audit/${blob.contentId}`,
    contentCreated: formatContentTime(blob.created),
    contentExpiration: formatContentTime(blob.visibleAt + 7 * DAY_MS),
  }));
  const last = page[page.length - 1];
  let nextKey: PageKey | undefined = found.length > ctx.pageSize && last ? { visibleAt: last.visibleAt, seq: last.seq } : undefined;
  if (!nextKey && ctx.loopNextPage()) nextKey = { visibleAt: -1, seq: -1 };
  if (!nextKey) return { status: 200, body };
  // Reference 3: same start/end plus nextPage=<token>; times in the service's 7-digit form.
  const next = `${ctx.baseUrl}/api/${ctx.nextPagePathVersion}/${caller.tenant.id}/activity/feed/subscriptions/content?contentType=${ct}&startTime=${formatPageTime(window.start)}&endTime=${formatPageTime(window.end)}&nextPage=${pageToken(ctx, scope, nextKey)}`;
  return { status: 200, headers: { NextPageUri: next }, body };
}

function parseWebhook(body: string): unknown {
  if (!body.trim()) return null;
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === "object" && parsed !== null && "webhook" in parsed ? (parsed as { webhook: unknown }).webhook : null;
  } catch {
    return null;
  }
}

function start(ctx: FeedContext, req: FeedRequest, caller: Caller): HttpAnswer {
  const ct = contentTypeOf(req);
  if (isAnswer(ct)) return ct;
  const { tenant } = caller;
  const webhook = parseWebhook(req.body);
  const sub = tenant.subscriptions.get(ct);
  if (sub?.status === "enabled" && JSON.stringify(sub.webhook) === JSON.stringify(webhook)) {
    // Observed (coe-starter-kit#2807): HTTP 400 AF20024 for a start that changes nothing.
    return afError(400, "AF20024", "The subscription is already enabled. No property change.");
  }
  // Reference 2.1: wait 15 minutes after a start before the next one (only accepted starts count).
  const previous = tenant.lastStart.get(ct);
  if (previous !== undefined && ctx.now - previous < START_THROTTLE_MS) return tooManyRequests("StartSubscription", caller.publisherId);
  tenant.lastStart.set(ct, ctx.now);
  tenant.enable(ct, ctx.now, webhook);
  return { status: 200, body: { contentType: ct, status: "enabled", webhook } };
}

function stop(ctx: FeedContext, req: FeedRequest, caller: Caller): HttpAnswer {
  const ct = contentTypeOf(req);
  if (isAnswer(ct)) return ct;
  if (!caller.tenant.subscriptions.has(ct)) return afError(400, "AF20022", `No subscription found for the specified content type: ${ct}.`);
  caller.tenant.disable(ct, ctx.now); // Reference 2.2: stop is not throttled.
  return { status: 200, body: "" };
}

function getBlob(ctx: FeedContext, contentId: string, caller: Caller): FeedAnswer {
  const blob = caller.tenant.blob(contentId);
  if (!blob || blob.visibleAt > ctx.now) return afError(404, "AF20050", `The specified content (${contentId}) doesn't exist.`);
  if (caller.tenant.isExpired(blob, ctx.now)) {
    // Reference 3: retrievable for 7 days after it became available; HTTP status unverified.
    return afError(400, "AF20051", `Content requested with the key ${contentId} has already expired. Content older than 7 days cannot be retrieved.`);
  }
  return { status: 200, blob };
}

/** Answers one Activity API request (after the server's fault injection). */
export function handleFeed(ctx: FeedContext, req: FeedRequest): FeedAnswer {
  if (!GUID.test(req.tenantRef)) return afError(400, "AF20013", `The tenant ID in the URL is not a valid GUID: ${req.tenantRef}.`);
  const target = ctx.tenant(req.tenantRef.toLowerCase());
  // Reference 4.2: every request counts against the tenant's per-minute quota.
  if (target && !target.quota.take(ctx.now)) return tooManyRequests(methodName(req.operation), req.query("PublisherIdentifier"));
  const caller = authenticate(ctx, req);
  if (isAnswer(caller)) return caller;
  if (caller.publisherId !== undefined && !GUID.test(caller.publisherId)) {
    return afError(400, "AF20002", `The parameter PublisherIdentifier must be of type Guid: ${caller.publisherId}.`);
  }
  if (caller.tenant.auditLogOff) {
    return auditLogOff(caller.tenant.id, req.operation, req.query("contentType") ?? "", caller.appId, caller.publisherId);
  }
  const op = req.operation;
  if (req.method === "POST" && op === "subscriptions/start") return start(ctx, req, caller);
  if (req.method === "POST" && op === "subscriptions/stop") return stop(ctx, req, caller);
  if (req.method === "GET" && op === "subscriptions/list") {
    return { status: 200, body: [...caller.tenant.subscriptions].map(([contentType, s]) => ({ contentType, status: s.status, webhook: s.webhook })) };
  }
  if (req.method === "GET" && op === "subscriptions/content") return listContent(ctx, req, caller);
  if (req.method === "GET" && op.startsWith("audit/")) return getBlob(ctx, op.slice("audit/".length), caller);
  return afError(404, "NotFound", `No resource matches ${req.method} ${op}.`);
}
