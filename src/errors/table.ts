// One table from an error code to what the app does about it (policy), the cause it logs and
// the fix it tells the admin. Activity API codes: Microsoft's Activity API reference, "Errors";
// AF20024 and the audit-off answer are observed behaviour. AADSTS codes: Microsoft Entra's
// "authentication and authorization error codes" page.
import type { Cause } from "./causes";

/** What the caller should do with an error. */
export type ErrorPolicy =
  | "fatal" // configuration fault: stop the input with one clear ERROR
  | "subscribe" // no or disabled subscription: start it, then retry
  | "already_enabled" // AF20024: treat as success
  | "rewindow" // bad window or page token: re-plan and retry
  | "expired" // the blob is gone: skip it with a WARN
  | "throttled" // back off (Retry-After or exponential with jitter)
  | "transient" // 5xx, timeouts, resets: retry with backoff
  | "not_found" // Graph: this API version has no such resource: try the next version
  | "query_failed" // Graph: the server-side search failed or was cancelled: ask again for the span
  | "page_unreadable"; // Graph: a page of records is not the JSON Graph documents: read it again next run

export interface ErrorRule {
  policy: ErrorPolicy;
  cause: Cause;
  /** What is wrong and how to fix it, in the admin's words; absent where the server's text says enough. */
  fix?: string;
}

const fatal = (cause: Cause, fix?: string): ErrorRule => ({ policy: "fatal", cause, fix });
const CONSENT_FIX = "admin consent is missing: grant admin consent for the Office 365 Management APIs permission ActivityFeed.Read";
const CERTIFICATE_FIX =
  "the certificate is not registered on the application or the client assertion is invalid: upload the certificate to the app registration";

export const ERROR_TABLE: Readonly<Record<string, ErrorRule>> = {
  // ---- Activity API ----
  AF10001: fatal(
    "consent_missing",
    "the app lacks the Office 365 Management APIs application permission ActivityFeed.Read with admin consent (or the token is for another cloud): in Entra ID add it and grant admin consent",
  ),
  AF20001: fatal("api_error"),
  AF20002: fatal("api_error"),
  AF20003: fatal("api_error"),
  AF20010: fatal("tenant_invalid", "the tenant in the URL is not the token's tenant: check tenant_id"),
  AF20011: fatal("tenant_invalid", "the tenant does not exist or was deleted: check tenant_id"),
  AF20012: fatal("tenant_invalid", "the tenant is incorrectly configured"),
  AF20013: fatal("tenant_invalid", "tenant_id must be the tenant's GUID"),
  AF20020: fatal("api_error", "invalid content type"),
  AF20021: fatal("api_error"),
  AF20022: { policy: "subscribe", cause: "subscription_disabled", fix: "no subscription for this content type: start it" },
  AF20023: { policy: "subscribe", cause: "subscription_disabled", fix: "the subscription is disabled: start it again" },
  // Never logged: the client takes it as the success it asked for.
  AF20024: { policy: "already_enabled", cause: "api_error" },
  AF20030: {
    policy: "rewindow",
    cause: "window_rejected",
    fix: "the time window is invalid (over 24 h, or older than 7 days: check this host's clock)",
  },
  AF20031: { policy: "rewindow", cause: "window_rejected", fix: "the nextPage token is invalid: restart the window" },
  AF20055: {
    policy: "rewindow",
    cause: "window_rejected",
    fix: "the time window is invalid (over 24 h, older than 7 days, or start after end)",
  },
  AF20050: { policy: "expired", cause: "content_expired", fix: "the content does not exist" },
  AF20051: { policy: "expired", cause: "content_expired", fix: "the content expired (over 7 days old)" },
  AF20052: { policy: "expired", cause: "content_expired" },
  AF20053: fatal("api_error"),
  AF20054: fatal("api_error"),
  AF429: { policy: "throttled", cause: "throttled", fix: "throttled by Microsoft's per-tenant quota" },
  AF50000: { policy: "transient", cause: "transient" },
  AF50005: { policy: "transient", cause: "transient" },
  AF50006: { policy: "transient", cause: "transient" },
  // ---- Entra ID token endpoint ----
  AADSTS7000215: fatal("auth_failed", "the client secret is wrong or expired: re-enter it"),
  AADSTS7000222: fatal("auth_failed", "the client secret is wrong or expired: re-enter it"),
  AADSTS700016: fatal("auth_failed", "application not found in the tenant: check client_id/tenant_id or admin consent"),
  AADSTS90002: fatal("tenant_not_found", "tenant not found: check tenant_id and the cloud setting"),
  AADSTS900023: fatal("tenant_not_found", "tenant not found: check tenant_id and the cloud setting"),
  AADSTS700027: fatal("auth_failed", CERTIFICATE_FIX),
  AADSTS700023: fatal("auth_failed", CERTIFICATE_FIX),
  AADSTS7000274: fatal("auth_failed", CERTIFICATE_FIX),
  AADSTS700024: fatal("auth_failed", "the client assertion is outside its valid time range: check this host's clock"),
  AADSTS65001: fatal("consent_missing", CONSENT_FIX),
  AADSTS500011: fatal(
    "consent_missing",
    "the Office 365 Management APIs are not available to this tenant: check the cloud setting and admin consent",
  ),
  AADSTS7000218: fatal("auth_failed", "no credential was sent: set client_secret or certificate_path"),
};

/** An AADSTS code the table does not know, whose text speaks of consent. */
export const CONSENT_RULE = fatal("consent_missing", CONSENT_FIX);
/** Any other AADSTS code: configuration, not something a retry fixes. */
export const TOKEN_RULE = fatal("auth_failed", "check client_id, tenant_id, the credential and admin consent");

/** The unified audit log is off (src/api/errors.ts isAuditLogOff recognises the answer). */
export const AUDIT_LOG_OFF = fatal(
  "audit_log_off",
  "unified audit logging is off for this tenant (the API says 'Tenant ... does not exist'): turn on auditing in Microsoft Purview > Audit; it takes up to 60 minutes",
);

/** A fault of the request itself (a URL outside the API, a refused fresh token). */
export const API_ERROR = fatal("api_error");
/** A bad answer or a broken connection: retried with backoff. */
export const TRANSIENT: ErrorRule = { policy: "transient", cause: "transient" };
/**
 * No HTTP answer at all (DNS, refused, no answer, TLS trust, proxy): retried; the message names
 * the host, code, proxy and fix (src/errors/networkFailure.ts networkFix).
 */
export const NETWORK: ErrorRule = { policy: "transient", cause: "network" };

/** The rule of a code, or of the HTTP status when the table has no such code (0 = no response). */
export function ruleFor(code: string | undefined, status: number): ErrorRule {
  if (code !== undefined && Object.hasOwn(ERROR_TABLE, code)) return ERROR_TABLE[code];
  if (status === 429) return { policy: "throttled", cause: "throttled" };
  // A 401 is refreshed once first (the client); a second one becomes fatal there.
  if (status === 401 || status === 408 || status >= 500 || status === 0) return TRANSIENT;
  return API_ERROR;
}
