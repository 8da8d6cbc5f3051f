// Maps a fault that ends a run to its cause code and a message that says the fix.
import { ActivityApiError, isAuditLogOff } from "../api/errors";
import type { Fields } from "../splunk/logger";
import { StateWriteError } from "./stateFile";

export interface Fatal {
  cause: string;
  message: string;
  fields?: Fields;
}

export function describeFatal(err: unknown): Fatal {
  if (err instanceof StateWriteError) {
    return {
      cause: err.cause,
      message: `Cannot write the input's state (${err.message}); the run stopped before sending more events. Free space on, or make writable, the checkpoint folder; the next run repeats at most the last batch`,
      fields: { path: err.path, os_error: err.osError },
    };
  }
  const errCause = (err as { cause?: unknown }).cause;
  const message = err instanceof Error ? err.message : String(err);
  // Token errors (src/auth/tokenErrors.ts) already name their cause and fix.
  if (typeof errCause === "string") return { cause: errCause, message };
  if (err instanceof ActivityApiError) {
    if (err.code === "AF10001") {
      return {
        cause: "consent_missing",
        message: `The app registration lacks the ActivityFeed.Read application permission or its admin consent (${err.code}). In Entra ID, add Office 365 Management APIs > ActivityFeed.Read (Application) and grant admin consent.`,
      };
    }
    if (isAuditLogOff(err.message)) {
      return {
        cause: "audit_log_off",
        message: "The tenant's unified audit log is off (the API answers 'Tenant ... does not exist'). Turn on auditing in Microsoft Purview > Audit; it can take 60 minutes to take effect.",
      };
    }
    if (err.code && /^AF2001[0-3]$/.test(err.code)) {
      return { cause: "tenant_invalid", message: `The API rejected the tenant (${err.code}: ${err.message}). Check tenant_id: it must be the tenant's GUID and match the app registration's tenant.` };
    }
    return { cause: "api_error", message: `The Activity API refused the request (${err.code ?? `HTTP ${err.status}`}: ${err.message}).` };
  }
  return { cause: "collector_error", message };
}
