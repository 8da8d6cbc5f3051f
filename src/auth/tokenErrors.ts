// Token failures, turned into one message that names the likely cause and the fix, never a
// secret. What each AADSTS code means is in the error table (src/errors/table.ts).
import type { Cause } from "../errors/causes";
import { FaultError } from "../errors/faultError";
import type { NetworkFailure } from "../errors/networkFailure";
import { CONSENT_RULE, ERROR_TABLE, TOKEN_RULE, type ErrorRule } from "../errors/table";

/** A failed token acquisition. `cause` is the log cause code (`cause=<code>`). */
export class TokenError extends FaultError {
  constructor(message: string, cause: Cause, code?: string, network?: NetworkFailure) {
    // Network trouble may pass; everything else is configuration and will not fix itself.
    super(message, { policy: cause === "network" ? "transient" : "fatal", cause }, code, network);
    this.name = "TokenError";
  }
}

/** Error properties we read from MSAL's AuthError/ServerError without depending on its classes. */
interface MsalErrorShape {
  errorCode?: unknown;
  errorMessage?: unknown;
  message?: unknown;
  /** Set by our network module (src/auth/msalNetwork.ts) when no HTTP answer came. */
  networkFailure?: NetworkFailure;
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
  if (shape.networkFailure) return new TokenError(text(shape.errorMessage), "network", undefined, shape.networkFailure);
  const detail = [text(shape.errorCode), text(shape.errorMessage), text(shape.message)].join(" ");
  const aadsts = /AADSTS(\d+)/.exec(detail);
  if (aadsts) {
    const code = `AADSTS${Number(aadsts[1])}`;
    const known: ErrorRule | undefined = Object.hasOwn(ERROR_TABLE, code) ? ERROR_TABLE[code] : undefined;
    const rule = known ?? (/consent/i.test(detail) ? CONSENT_RULE : TOKEN_RULE);
    return new TokenError(`Token request failed (${code}): ${rule.fix}`, rule.cause, code);
  }
  if (/consent/i.test(detail)) return new TokenError(`Token request failed: ${CONSENT_RULE.fix}`, "consent_missing");
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
