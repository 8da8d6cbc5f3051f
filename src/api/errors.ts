// A failed Activity API call: its HTTP status and AF code, and the rule of src/errors/table.ts
// that says what the collector does about it and which cause it logs.
import type { Cause } from "../errors/causes";
import { ruleFor, type ErrorPolicy, type ErrorRule } from "../errors/table";
import type { NetworkFailure } from "./networkFailure";

/** A failed Activity API call. `status` 0 = no HTTP response (timeout, reset, refused). */
export class ActivityApiError extends Error {
  /** Set when there was no HTTP response: the host tried, the OS error code and the proxy. */
  network?: NetworkFailure;
  readonly policy: ErrorPolicy;
  /** The log cause code (`cause=<code>`). */
  override readonly cause: Cause;
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
    /** Seconds the server asked us to wait (Retry-After), if it did. */
    readonly retryAfterSeconds?: number,
    rule: ErrorRule = ruleFor(code, status),
    network?: NetworkFailure,
  ) {
    super(message);
    this.name = "ActivityApiError";
    this.policy = rule.policy;
    this.cause = rule.cause;
    if (network) this.network = network;
  }
}

/** The unified audit log is off: the API answers with a DataServiceException naming the tenant. */
export function isAuditLogOff(message: string): boolean {
  return /DataServiceException|Tenant .* does not exist/i.test(message);
}
