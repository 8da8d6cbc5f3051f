// Activity API errors and what the collector does about each (design.md section 3;
// reference: office-365-management-activity-api-reference "Errors" table; AF20024 and
// the audit-off message are observed behaviour, see reference/activity-api.md 4.1).

/** What the caller should do with an error. */
export type ErrorPolicy =
  | "fatal" // configuration fault: stop the input with one clear ERROR
  | "subscribe" // no or disabled subscription: start it, then retry
  | "already_enabled" // AF20024: treat as success
  | "rewindow" // AF20030/AF20055/AF20031: bad window or page token: re-plan and retry
  | "expired" // AF20050/AF20051/AF20052: the blob is gone: skip it with a WARN
  | "throttled" // AF429: back off (Retry-After or exponential with jitter)
  | "transient"; // AF50000, 5xx, timeouts, resets: retry with backoff

export function policyForCode(code: string | undefined, status: number): ErrorPolicy {
  switch (code) {
    case "AF20022":
    case "AF20023":
      return "subscribe";
    case "AF20024":
      return "already_enabled";
    case "AF20030":
    case "AF20031":
    case "AF20055":
      return "rewindow";
    case "AF20050":
    case "AF20051":
    case "AF20052":
      return "expired";
    case "AF429":
      return "throttled";
    case "AF50000":
    case "AF50005":
    case "AF50006":
      return "transient";
    case "AF10001":
    case "AF20001":
    case "AF20002":
    case "AF20003":
    case "AF20010":
    case "AF20011":
    case "AF20012":
    case "AF20013":
    case "AF20020":
    case "AF20021":
    case "AF20053":
    case "AF20054":
      return "fatal";
  }
  if (status === 429) return "throttled";
  if (status === 401) return "transient"; // the client refreshes the token once first
  if (status === 408 || status >= 500 || status === 0) return "transient";
  return "fatal";
}

/** A failed Activity API call. `status` 0 = no HTTP response (timeout, reset, refused). */
export class ActivityApiError extends Error {
  readonly policy: ErrorPolicy;
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
    /** Seconds the server asked us to wait (Retry-After), if it did. */
    readonly retryAfterSeconds?: number,
    policy?: ErrorPolicy,
  ) {
    super(message);
    this.name = "ActivityApiError";
    this.policy = policy ?? policyForCode(code, status);
  }
}

/** The unified audit log is off: the API answers with a DataServiceException naming the tenant. */
export function isAuditLogOff(message: string): boolean {
  return /DataServiceException|Tenant .* does not exist/i.test(message);
}
