// The neutral base of every error whose handling is known: what to do about it (policy) and the
// cause its log line carries, from src/errors/table.ts. Activity API, token, Graph and secret
// errors extend it; the API client, the collector and the run ask `instanceof FaultError`, so
// none needs another module's error class.
import type { Cause } from "./causes";
import type { NetworkFailure } from "./networkFailure";
import type { ErrorPolicy, ErrorRule } from "./table";

export class FaultError extends Error {
  readonly policy: ErrorPolicy;
  /** The log cause code (`cause=<code>`). */
  override readonly cause: Cause;
  constructor(
    message: string,
    rule: ErrorRule,
    /** The service's error code (AF…, AADSTS…), when it sent one. */
    readonly code?: string,
    /** Set when there was no HTTP response: the host tried, the OS error code and the proxy. */
    readonly network?: NetworkFailure,
  ) {
    super(message);
    this.name = "FaultError";
    this.policy = rule.policy;
    this.cause = rule.cause;
  }
}
