// Run mode for one stanza: secrets -> Activity API client -> collector (the one-way flow of
// docs/architecture.md). Returns the process exit code: non-zero only for faults a user must fix.
import { BACKOFF_DEFAULTS } from "./api/backoff";
import { createActivityApi, type ApiFactoryOptions } from "./api/factory";
import { collect } from "./collector/collect";
import { blobRetryDelayMs } from "./collector/defaults";
import type { WindowSettings } from "./collector/windows";
import type { InputConfig } from "./config/inputConfig";
import { FaultError } from "./errors/faultError";
import { createGraphClient, type GraphClient } from "./graph/factory";
import { defaultPollDelayMs } from "./graph/pollQuery";
import type { EventSink } from "./splunk/eventSink";
import type { InputDefinition } from "./splunk/inputDefinition";
import type { Logger } from "./splunk/logger";
import { resolveSecrets, type Secrets } from "./splunk/secrets";

export interface RunContext {
  definition: InputDefinition;
  config: InputConfig;
  logger: Logger;
  sink: EventSink;
  /** Aborted on SIGTERM/SIGINT or a broken stdout: finish the current write, commit, exit. */
  signal: AbortSignal;
}

/**
 * DEFENDER_O365_RETRY_SCALE (default 1) multiplies every retry wait. It exists for the test
 * suites and benchmarks, which inject faults by the hundred; production leaves it unset.
 */
export function retryScale(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.DEFENDER_O365_RETRY_SCALE);
  return Number.isFinite(value) && value >= 0 && value <= 1 ? value : 1;
}

/** What one collection run needs once its secrets are known: the modular input and the standalone collector differ only here. */
export interface CollectorContext {
  config: InputConfig;
  secrets: Secrets;
  /** Where the input's checkpoint and Id store live (splunkd's checkpoint_dir, or the standalone state_dir). */
  checkpointDir: string;
  logger: Logger;
  sink: EventSink;
  signal: AbortSignal;
  /** Timeouts and extra trusted CAs for the Activity API (a private CA, as the benchmarks' simulator has); unset in production. */
  http?: ApiFactoryOptions["http"];
  /** How windows are planned; the collector's defaults when unset. */
  windowSettings?: WindowSettings;
}

/** The Graph client of a graph_backfill input; a setup fault is logged and the run goes on without it (its spans wait in the checkpoint). */
function graphClient(ctx: CollectorContext, scale: number): GraphClient | undefined {
  if (!ctx.config.graphBackfill) return undefined;
  try {
    return createGraphClient(ctx.config, ctx.secrets, ctx.logger, { backoff: { baseMs: BACKOFF_DEFAULTS.baseMs * scale, capMs: BACKOFF_DEFAULTS.capMs * scale }, signal: ctx.signal });
  } catch (err) {
    const cause = err instanceof FaultError ? err.cause : "graph_error";
    ctx.logger.error(`Microsoft Graph backfill cannot start: ${err instanceof Error ? err.message : String(err)}`, { cause });
    return undefined;
  }
}

export async function runStanza(ctx: RunContext): Promise<number> {
  const { config, definition, logger } = ctx;
  let secrets: Secrets;
  try {
    secrets = await resolveSecrets(definition, config, logger);
  } catch (err) {
    // resolveSecrets has logged which secret to re-enter (fatal), or that splunkd did not answer
    // (transient: the next run retries, nothing for the admin to fix).
    if (err instanceof FaultError) return err.policy === "fatal" ? 1 : 0;
    throw err;
  }
  return runCollector({ config, secrets, checkpointDir: definition.checkpointDir, logger, sink: ctx.sink, signal: ctx.signal });
}

/** One collection run: Activity API client -> collector -> run_complete. Returns the exit code. */
export async function runCollector(ctx: CollectorContext): Promise<number> {
  const { config, secrets, logger, sink, signal } = ctx;
  const started = Date.now();
  const scale = retryScale();
  const api = createActivityApi(config, secrets, logger, {
    backoff: { baseMs: BACKOFF_DEFAULTS.baseMs * scale, capMs: BACKOFF_DEFAULTS.capMs * scale },
    stop: signal,
    http: ctx.http,
  });
  const graph = graphClient(ctx, scale);
  try {
    const result = await collect({
      config,
      api,
      sink,
      logger,
      checkpointDir: ctx.checkpointDir,
      signal,
      blobRetryDelayMs: (n) => blobRetryDelayMs(n) * scale,
      windowSettings: ctx.windowSettings,
      graph: graph && { graph: graph.http, poll: { delayMs: (n) => defaultPollDelayMs(n) * scale } },
    });
    const total = (key: "records" | "blobs" | "duplicatesDropped" | "errors" | "unparsed" | "pending"): number => result.summaries.reduce((n, s) => n + s[key], 0);
    logger.info("run_complete", {
      records: total("records"),
      blobs: total("blobs"),
      duplicates_dropped: total("duplicatesDropped"),
      unparsed: total("unparsed"),
      pending: total("pending"),
      errors: total("errors"),
      stopped_early: result.aborted,
      skipped: result.alreadyRunning ? "already_running" : undefined,
      duration_ms: Date.now() - started,
    });
    return result.fatal ? 1 : 0;
  } finally {
    await api.close();
    await graph?.close();
  }
}
