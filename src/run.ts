// Run mode for one stanza: resolve secrets, build the API client, collect.
// (Wired to the collector in src/collector/; until then it reports that it has nothing to do.)
import type { InputConfig } from "./config";
import type { InputDefinition } from "./splunk/inputDefinition";
import type { Logger } from "./splunk/logger";
import type { EventSink } from "./splunk/eventSink";

export interface RunContext {
  definition: InputDefinition;
  config: InputConfig;
  logger: Logger;
  sink: EventSink;
  /** Aborted on SIGTERM/SIGINT or a broken stdout: finish the current write, commit, exit. */
  signal: AbortSignal;
}

/** Returns the process exit code. */
export async function runStanza(ctx: RunContext): Promise<number> {
  ctx.logger.info("Collector not built yet: nothing to collect", { input: ctx.config.name });
  return 0;
}
