// A failed Activity API call: its HTTP status and AF code, and the rule of src/errors/table.ts
// that says what the collector does about it and which cause it logs.
import { FaultError } from "../errors/faultError";
import type { NetworkFailure } from "../errors/networkFailure";
import { ruleFor, type ErrorRule } from "../errors/table";

/** A failed Activity API call. `status` 0 = no HTTP response (timeout, reset, refused). */
export class ActivityApiError extends FaultError {
  constructor(
    message: string,
    readonly status: number,
    code: string | undefined,
    /** Seconds the server asked us to wait (Retry-After), if it did. */
    readonly retryAfterSeconds?: number,
    rule: ErrorRule = ruleFor(code, status),
    network?: NetworkFailure,
  ) {
    super(message, rule, code, network);
    this.name = "ActivityApiError";
  }
}

/** The unified audit log is off: the API answers with a DataServiceException naming the tenant. */
export function isAuditLogOff(message: string): boolean {
  return /DataServiceException|Tenant .* does not exist/i.test(message);
}
