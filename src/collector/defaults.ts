// The collector's tunable defaults, in one place (docs/collector.md explains each).

/** Events per write when the sink declares no batchLimit; a hard kill may repeat at most one such batch. */
export const BATCH_MAX_EVENTS = 500;
/** Record bytes per write to the sink. */
export const BATCH_MAX_BYTES = 1 << 20;
/** Further attempts in a run for a blob whose download or body broke, before it goes pending. */
export const BLOB_RETRIES = 3;
/** How often finished blobs inside an open window are written to the checkpoint. */
export const PROGRESS_SAVE_MS = 500;
/** The service allows one /subscriptions/start per 15 minutes per content type. */
export const START_INTERVAL_MS = 15 * 60_000;
/** A host clock further than this from the API's is reported (cause=clock_skew). */
export const SKEW_WARN_SECONDS = 60;
/** Unparsed records held back per blob until the blob proved well formed (see blob.ts). */
export const UNPARSED_MAX_BYTES = 8 << 20;

/** 1 s, 2 s, 4 s … up to 30 s before blob attempt n + 1. */
export function blobRetryDelayMs(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** (attempt - 1));
}
