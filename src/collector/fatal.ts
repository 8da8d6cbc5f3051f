// Maps a fault that ends a run to its cause code (src/errors/causes.ts) and a message that says
// the fix. API and token errors carry their cause and fix from src/errors/table.ts already.
import { isCause, type Cause } from "../errors/causes";
import type { Fields } from "../splunk/logger";
import { StateReadError, StateWriteError } from "./stateFile";

export interface Fatal {
  cause: Cause;
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
  if (err instanceof StateReadError) {
    return {
      cause: err.cause,
      message: `Cannot read the input's state (${err.message}); the run stopped before collecting. Make the file readable by the user splunkd runs as, or move it away to start again from backfill_hours (records already written are still skipped)`,
      fields: { path: err.path, os_error: err.osError },
    };
  }
  const cause = (err as { cause?: unknown }).cause;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof cause === "string" && isCause(cause)) return { cause, message };
  return { cause: "collector_error", message };
}
