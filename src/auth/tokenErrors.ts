// Token failures, turned into one message that names the likely cause and the fix, never a
// secret. AADSTS codes per Microsoft Entra's "authentication and authorization error codes"
// page (7000215 invalid secret, 7000222 expired secret, 700016 app not found in tenant,
// 90002 tenant not found, 700027 assertion/certificate not valid, 65001 consent missing,
// 500011 resource principal not found).
import { ActivityApiError } from "../api/errors";

export type TokenCause = "auth_failed" | "consent_missing" | "tenant_not_found" | "network" | "config_invalid" | "secret_missing";

/** A failed token acquisition. `cause` is the log cause code (`cause=<code>`). */
export class TokenError extends ActivityApiError {
  override readonly cause: TokenCause;
  constructor(message: string, cause: TokenCause, code?: string) {
    // Network trouble may pass; everything else is configuration and will not fix itself.
    super(message, cause === "network" ? 0 : 401, code, undefined, cause === "network" ? "transient" : "fatal");
    this.name = "TokenError";
    this.cause = cause;
  }
}

interface Rule {
  codes: number[];
  cause: TokenCause;
  fix: string;
}

const CONSENT_FIX = "admin consent is missing: grant admin consent for the Office 365 Management APIs permission ActivityFeed.Read";

const RULES: Rule[] = [
  { codes: [7000215, 7000222], cause: "auth_failed", fix: "the client secret is wrong or expired: re-enter it" },
  {
    codes: [700016],
    cause: "auth_failed",
    fix: "application not found in the tenant: check client_id/tenant_id or admin consent",
  },
  { codes: [90002, 900023], cause: "tenant_not_found", fix: "tenant not found: check tenant_id and the cloud setting" },
  {
    codes: [700027, 700023, 7000274],
    cause: "auth_failed",
    fix: "the certificate is not registered on the application or the client assertion is invalid: upload the certificate to the app registration",
  },
  {
    codes: [700024],
    cause: "auth_failed",
    fix: "the client assertion is outside its valid time range: check this host's clock",
  },
  { codes: [65001], cause: "consent_missing", fix: CONSENT_FIX },
  {
    codes: [500011],
    cause: "consent_missing",
    fix: "the Office 365 Management APIs are not available to this tenant: check the cloud setting and admin consent",
  },
  {
    codes: [7000218],
    cause: "auth_failed",
    fix: "no credential was sent: set client_secret or certificate_path",
  },
];

/** Error properties we read from MSAL's AuthError/ServerError without depending on its classes. */
interface MsalErrorShape {
  errorCode?: unknown;
  errorMessage?: unknown;
  message?: unknown;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

// Node's TLS error codes and messages that mean "we do not trust the server's certificate".
const TLS_PROBLEM = /CERT|certificate|self[- ]signed|UNABLE_TO_(GET|VERIFY)/i;
const NETWORK_PROBLEM =
  /network|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|socket|timeout|proxy|fetch failed|Request timeout/i;

/** Classifies any error from token acquisition. `loginHost` is named in network messages. */
export function toTokenError(err: unknown, loginHost: string): TokenError {
  if (err instanceof TokenError) return err;
  const shape: MsalErrorShape = typeof err === "object" && err !== null ? (err as MsalErrorShape) : {};
  const detail = [text(shape.errorCode), text(shape.errorMessage), text(shape.message)].join(" ");
  const aadsts = /AADSTS(\d+)/.exec(detail);
  if (aadsts) {
    const number = Number(aadsts[1]);
    const rule = RULES.find((r) => r.codes.includes(number));
    const code = `AADSTS${number}`;
    if (rule) return new TokenError(`Token request failed (${code}): ${rule.fix}`, rule.cause, code);
    if (/consent/i.test(detail)) return new TokenError(`Token request failed (${code}): ${CONSENT_FIX}`, "consent_missing", code);
    return new TokenError(
      `Token request failed (${code}): check client_id, tenant_id, the credential and admin consent`,
      "auth_failed",
      code,
    );
  }
  if (/consent/i.test(detail)) return new TokenError(`Token request failed: ${CONSENT_FIX}`, "consent_missing");
  if (TLS_PROBLEM.test(detail)) {
    return new TokenError(
      `Cannot reach the login host ${loginHost}: its TLS certificate is not trusted (add the CA to NODE_EXTRA_CA_CERTS, or check the proxy)`,
      "network",
    );
  }
  if (NETWORK_PROBLEM.test(detail)) {
    return new TokenError(`Cannot reach the login host ${loginHost}: check the network and proxy_url`, "network");
  }
  const what = text(shape.errorCode) || "unknown error";
  return new TokenError(`Token request failed (${what}): check client_id, tenant_id and the credential`, "auth_failed");
}
