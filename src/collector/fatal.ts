// Maps a fault that ends a run to its cause code (src/errors/causes.ts) and a message that says
// the fix. API, token, Graph, secret and HEC errors are FaultErrors: they carry their cause (and
// the fix, from src/errors/table.ts) already.
import type { Cause } from "../errors/causes";
import { FaultError } from "../errors/faultError";
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
  if (err instanceof FaultError) return { cause: err.cause, message: err.message };
  return { cause: "collector_error", message: err instanceof Error ? err.message : String(err) };
}
