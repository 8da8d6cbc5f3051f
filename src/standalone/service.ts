// The standalone collector's run: one HEC sink (one channel) for the process, every input
// through the modular input's own pipeline (src/run.ts runCollector) with its state in
// state_dir. --once runs each input once; otherwise each input runs every `interval` seconds
// until SIGTERM/SIGINT, and the process stops within the modular input's STOP_GRACE_MS of the signal.
import * as fs from "node:fs";
import type { EventEmitter } from "node:events";
import { setTimeout as delay } from "node:timers/promises";
import { acquireLock, type Lock } from "../collector/lock";
import { STATE_WRITE_CAUSE } from "../collector/stateFile";
import { HEC_TIMING, HecSink, type HecTiming } from "../hec/sink";
import { createTransport } from "../hec/transport";
import { STOP_GRACE_MS } from "../main";
import { retryScale, runCollector } from "../run";
import type { Logger } from "../splunk/logger";
import type { StandaloneConfig, StandaloneInput } from "./config";

/**
 * The process lock in state_dir: `.collector.lock`. Input locks are `<safeName(input)>.lock`, and
 * safeName never starts with a dot, so no input name can collide with it.
 */
export const PROCESS_LOCK = ".collector";

/** Batches awaiting HEC's acknowledgement at once: one per blob in flight at the default max_concurrency. */
export const HEC_MAX_IN_FLIGHT = 8;

/** HEC's waits under DEFENDER_O365_RETRY_SCALE (tests); an ack timeout never drops below a few polls. */
export function hecTiming(scale: number): Partial<HecTiming> {
  return {
    ackTimeoutMs: Math.max(HEC_TIMING.ackPollFirstMs * 8, HEC_TIMING.ackTimeoutMs * scale),
    retryBaseMs: HEC_TIMING.retryBaseMs * scale,
    retryCapMs: HEC_TIMING.retryCapMs * scale,
  };
}

export interface ServiceIo {
  signals: EventEmitter;
  env: NodeJS.ProcessEnv;
  /** Ends the process when a stop overruns its grace (process.exit in production). */
  exit: (code: number) => void;
}

/** One process per state_dir: the lock, or undefined after its one ERROR line. */
async function lockStateDir(stateDir: string, logger: Logger): Promise<Lock | undefined> {
  let got;
  try {
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    got = await acquireLock(stateDir, PROCESS_LOCK);
  } catch (err) {
    logger.error(`Cannot write state_dir "${stateDir}" (${(err as Error).message}): make it a folder the collector's user can write`, { cause: STATE_WRITE_CAUSE });
    return undefined;
  }
  if ("heldBy" in got) {
    logger.error(`Another collector (pid ${got.heldBy.pid}, since ${got.heldBy.startedAt}) runs with state_dir "${stateDir}": stop it, or give this one its own state_dir`, {
      cause: "already_running",
      pid: got.heldBy.pid,
    });
    return undefined;
  }
  return got.lock;
}

export async function serve(config: StandaloneConfig, once: boolean, logger: Logger, io: ServiceIo): Promise<number> {
  const lock = await lockStateDir(config.stateDir, logger);
  if (!lock) return 1;
  try {
    return await collectAll(config, once, logger, io);
  } finally {
    lock.release();
  }
}

async function collectAll(config: StandaloneConfig, once: boolean, logger: Logger, io: ServiceIo): Promise<number> {
  const controller = new AbortController();
  const signal = controller.signal;
  let exitCode = 0;
  let grace: NodeJS.Timeout | undefined;
  const stop = (reason: string): void => {
    if (signal.aborted) return;
    logger.info("Stopping", { reason });
    controller.abort(new Error(reason));
    grace = setTimeout(() => {
      logger.warn("The collector did not stop in time; exiting", { cause: "stop_timeout", grace_ms: STOP_GRACE_MS });
      io.exit(exitCode || 1);
    }, STOP_GRACE_MS);
  };
  const onTerm = (): void => stop("SIGTERM");
  const onInt = (): void => stop("SIGINT");
  io.signals.once("SIGTERM", onTerm);
  io.signals.once("SIGINT", onInt);

  const { url, token, ca, ack, index } = config.hec;
  const sink = new HecSink({
    transport: (channel) => createTransport({ url, token, channel, ca }),
    ack,
    index,
    logger,
    signal,
    maxInFlight: HEC_MAX_IN_FLIGHT,
    timing: hecTiming(retryScale(io.env)),
  });
  logger.info("Collector started", { mode: once ? "once" : "loop", inputs: config.inputs.length, hec: url, ack, channel: sink.channel });

  const runInput = async (input: StandaloneInput): Promise<number> => {
    const log = logger.child({ input: input.config.name });
    let code: number;
    try {
      code = await runCollector({ config: input.config, secrets: input.secrets, checkpointDir: config.stateDir, logger: log, sink, signal });
    } catch (err) {
      log.error(`Run failed: ${(err as Error).message}`, { cause: "internal_error" });
      code = 1;
    }
    if (sink.fatal && !signal.aborted) {
      // HEC refuses the token or the data: every input would fail the same way.
      logger.error(`Stopping the collector: ${sink.fatal.message}`, { cause: sink.fatal.cause });
      exitCode = 1;
      stop("hec_refused");
    }
    return code;
  };

  // Ends at once when the stop came before the wait began, too (an 'abort' listener added after it would never fire).
  const waitFor = (ms: number): Promise<void> => delay(Math.max(0, ms), undefined, { signal }).catch(() => undefined);

  // The process must not end while a run is pending, whatever the run waits on (an unref'd timer).
  const keepAlive = setInterval(() => undefined, 60_000);
  try {
    if (once) {
      for (const input of config.inputs) {
        if (signal.aborted) break;
        const code = await runInput(input);
        exitCode = Math.max(exitCode, code);
      }
    } else {
      await Promise.all(
        config.inputs.map(async (input) => {
          while (!signal.aborted) {
            const started = Date.now();
            await runInput(input);
            await waitFor(started + input.config.interval * 1000 - Date.now());
          }
        }),
      );
    }
  } finally {
    clearInterval(keepAlive);
    await sink.close().catch(() => undefined);
    io.signals.removeListener("SIGTERM", onTerm);
    io.signals.removeListener("SIGINT", onInt);
    clearTimeout(grace);
  }
  return exitCode;
}
