// The state of one collection run, owned in one place: the checkpoint, the Id store, the write
// path, the clock and the run's outcome. The transaction modules (subscriptions.ts,
// listWindow.ts, blob.ts, commit.ts) act on it; collect.ts drives them.
import type { ActivityApi } from "../api/activityApi";
import type { InputConfig } from "../config/inputConfig";
import type { BackfillOptions } from "./backfill";
import type { EventSink } from "../splunk/eventSink";
import type { Logger } from "../splunk/logger";
import { checkpointPaths, saveCheckpoint, type CheckpointState, type ContentTypeState } from "./checkpoint";
import type { IdStore } from "./dedupe";
import { describeFatal, type Fatal } from "./fatal";
import { BATCH_MAX_BYTES, BATCH_MAX_EVENTS, BLOB_RETRIES, PROGRESS_SAVE_MS, SKEW_WARN_SECONDS, blobRetryDelayMs } from "./defaults";
import type { MapContext } from "./mapper";
import { DEFAULT_WINDOW_SETTINGS, type WindowSettings } from "./windows";
import { WritePath } from "./writePath";

export interface CollectOptions {
  config: InputConfig;
  api: ActivityApi;
  sink: EventSink;
  logger: Logger;
  checkpointDir: string;
  signal: AbortSignal;
  /** The host's clock (tests inject one); the API's clock is this plus the skew its responses show. */
  now?: () => Date;
  windowSettings?: WindowSettings;
  /** Events per write (default: the sink's batchLimit, else defaults.ts); a hard kill may repeat at most one such batch. */
  batchMaxEvents?: number;
  batchMaxBytes?: number;
  /** Further attempts for a blob whose download or body broke. */
  blobRetries?: number;
  /** How often finished blobs inside an open window are written to the checkpoint. */
  progressSaveMs?: number;
  /** Wait before blob attempt n + 1 (n 1-based); tests pass 0. */
  blobRetryDelayMs?: (attempt: number) => number;
  /** graph_backfill = 1: the Graph client for spans past the Activity API's horizon (backfill.ts). */
  graph?: BackfillOptions;
}

/** Thrown inside the run when it must stop now (SIGTERM, or a fatal fault recorded on the run). */
export class Stopped extends Error {
  constructor() {
    super("stopped");
  }
}

export interface RunSettings {
  windows: WindowSettings;
  batchMaxEvents: number;
  batchMaxBytes: number;
  blobRetries: number;
  progressSaveMs: number;
  retryDelayMs: (attempt: number) => number;
}

export class CollectorRun {
  readonly config: InputConfig;
  readonly api: ActivityApi;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly now: () => Date;
  readonly settings: RunSettings;
  readonly checkpointFile: string;
  readonly idsDir: string;
  /** Set by begin(). */
  state!: CheckpointState;
  ids!: IdStore;
  writes!: WritePath;
  /** The first fault that ends the run (configuration, or state that cannot be written). */
  fatal?: Fatal;
  private savedAt = 0;
  /** Server clock minus host clock (s) as read before planning. */
  private skewSeconds = 0;
  private skewReported = false;

  readonly sink: EventSink;
  /** Set with graph_backfill = 1. */
  readonly graph?: BackfillOptions;

  constructor(opts: CollectOptions) {
    this.sink = opts.sink;
    this.graph = opts.graph;
    this.config = opts.config;
    this.api = opts.api;
    this.logger = opts.logger;
    this.signal = opts.signal;
    this.now = opts.now ?? (() => new Date());
    this.settings = {
      windows: opts.windowSettings ?? DEFAULT_WINDOW_SETTINGS,
      batchMaxEvents: opts.batchMaxEvents ?? opts.sink.batchLimit?.events ?? BATCH_MAX_EVENTS,
      batchMaxBytes: opts.batchMaxBytes ?? opts.sink.batchLimit?.bytes ?? BATCH_MAX_BYTES,
      blobRetries: opts.blobRetries ?? BLOB_RETRIES,
      progressSaveMs: opts.progressSaveMs ?? PROGRESS_SAVE_MS,
      retryDelayMs: opts.blobRetryDelayMs ?? blobRetryDelayMs,
    };
    const paths = checkpointPaths(opts.checkpointDir, opts.config.name);
    this.checkpointFile = paths.file;
    this.idsDir = paths.idsDir;
  }

  begin(state: CheckpointState, ids: IdStore): void {
    this.state = state;
    this.ids = ids;
    this.writes = new WritePath(this.sink, ids);
  }

  /** True once the run must not start more work. */
  get halted(): boolean {
    return this.signal.aborted || this.fatal !== undefined;
  }

  /** Throws Stopped when the run is halted. */
  checkHalted(): void {
    if (this.halted) throw new Stopped();
  }

  /**
   * Records the fault that ends the run (the first one wins) and logs it once. Once the write
   * path broke, its failure is the fault: a blob that failed for a reason of its own meanwhile
   * (a truncated body, say) may report first, but would be retried in a run that goes on.
   */
  stop(err: unknown): Fatal {
    if (!this.fatal) {
      this.fatal = describeFatal(this.writes?.broken ? this.writes.firstFailure : err);
      this.logger.error(this.fatal.message, { cause: this.fatal.cause, ...this.fatal.fields });
    }
    return this.fatal;
  }

  /**
   * Takes the API's clock from the responses so far (call after the run's first response) and
   * keeps it in the checkpoint; once per run, names a host clock off by more than a minute.
   */
  readClock(): void {
    this.skewSeconds = this.api.clockSkewSeconds();
    this.state.clockSkewSeconds = this.skewSeconds;
    if (this.skewReported || Math.abs(this.skewSeconds) <= SKEW_WARN_SECONDS) return;
    this.skewReported = true;
    const off = Math.abs(this.skewSeconds);
    this.logger.warn(
      `This host's clock is ${off} s ${this.skewSeconds > 0 ? "behind" : "ahead of"} the Activity API's; windows are planned on the API's clock, so nothing is lost. Sync the host's clock (NTP)`,
      { cause: "clock_skew", skew_seconds: this.skewSeconds },
    );
  }

  get clockSkewSeconds(): number {
    return this.skewSeconds;
  }

  /** The API's clock: windows, lag and expiry are judged on it, never on the host's. */
  serverNow(): Date {
    return new Date(this.now().getTime() + this.skewSeconds * 1000);
  }

  /** Writes the checkpoint; a failure stops the run (StateWriteError, cause=checkpoint_unwritable). */
  save(): void {
    saveCheckpoint(this.checkpointFile, this.state);
    this.savedAt = this.now().getTime();
  }

  /** Inside a long window: records finished blobs now and then, so a hard kill re-downloads little. */
  saveProgress(): void {
    if (this.now().getTime() - this.savedAt >= this.settings.progressSaveMs) this.save();
  }
}

export interface ContentTypeSummary {
  contentType: string;
  blobs: number;
  records: number;
  duplicatesDropped: number;
  filtered: number;
  expired: number;
  /** Records that are not JSON objects, written as defender_o365:unparsed. */
  unparsed: number;
  errors: number;
  windows: number;
  /** Blobs owed at the end of the run (checkpoint's pending list). */
  pending: number;
  lagSeconds?: number;
  complete: boolean;
  /** Body bytes of this content type's API responses as sent (compressed when compressed) and decoded. */
  bytesReceived: number;
  bytesDecoded: number;
}

/** One content type's part of the run. */
export interface TypeContext {
  contentType: string;
  cts: ContentTypeState;
  summary: ContentTypeSummary;
  log: Logger;
  mapCtx: MapContext;
}
