// Every byte of collector state (checkpoint, Id store, lock) goes to disk through here, so that
// a full or read-only disk, or a write that stores fewer bytes than asked, is never ignored:
// the caller stops the run before more events go out (docs/collector.md, "State writes").
import * as fs from "node:fs";

export const STATE_WRITE_CAUSE = "checkpoint_unwritable";
export const STATE_READ_CAUSE = "checkpoint_unreadable";

/** A state file the run could not read or write: the path and the OS error code say which. */
abstract class StateFileError extends Error {
  constructor(
    readonly path: string,
    /** The OS error code (ENOSPC, EROFS, EACCES, EISDIR …) or `short_write`. */
    readonly osError: string,
    message: string,
  ) {
    super(message);
  }
}

/** A state file could not be written in full. The run stops at once (cause=checkpoint_unwritable). */
export class StateWriteError extends StateFileError {
  override readonly cause = STATE_WRITE_CAUSE;
  constructor(path: string, osError: string, detail: string) {
    super(path, osError, `cannot write ${path}: ${detail}`);
    this.name = "StateWriteError";
  }
}

/**
 * A state file exists but could not be read (a folder in its place, permissions). The run stops
 * before collecting (cause=checkpoint_unreadable): starting over from backfill_hours instead
 * would hide the fault.
 */
export class StateReadError extends StateFileError {
  override readonly cause = STATE_READ_CAUSE;
  constructor(path: string, osError: string, detail: string) {
    super(path, osError, `cannot read ${path}: ${detail}`);
    this.name = "StateReadError";
  }
}

function osCode(err: unknown): string {
  return (err as NodeJS.ErrnoException)?.code ?? "unknown";
}

/** Runs a file-system step, turning its error into a StateWriteError naming the file. */
export function stateStep<T>(file: string, step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (err instanceof StateWriteError) throw err;
    throw new StateWriteError(file, osCode(err), (err as Error).message);
  }
}

/** Writes all of `data` at the fd's position, looping over short writes; a write of 0 bytes fails. */
export function writeAll(fd: number, data: Uint8Array, file: string): void {
  let done = 0;
  while (done < data.length) {
    const n = stateStep(file, () => fs.writeSync(fd, data, done, data.length - done));
    if (n <= 0) throw new StateWriteError(file, "short_write", `wrote ${done} of ${data.length} bytes (the disk accepted no more)`);
    done += n;
  }
}

/** Replaces a file atomically: temp file, every byte written, fsync, rename. */
export function replaceFile(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp`;
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  const fd = stateStep(tmp, () => fs.openSync(tmp, "w", 0o600));
  try {
    writeAll(fd, bytes, tmp);
    stateStep(tmp, () => fs.fsyncSync(fd));
  } finally {
    fs.closeSync(fd);
  }
  stateStep(file, () => fs.renameSync(tmp, file));
}

/** Appends all of `data` to a file (created when missing), cutting off a partial record first. */
export function appendRecords(file: string, data: Uint8Array, recordBytes: number): void {
  const fd = stateStep(file, () => fs.openSync(file, "a", 0o600));
  try {
    // A partial record left by a kill would misalign every record after it.
    const size = stateStep(file, () => fs.fstatSync(fd).size);
    if (size % recordBytes !== 0) stateStep(file, () => fs.ftruncateSync(fd, size - (size % recordBytes)));
    writeAll(fd, data, file);
  } finally {
    fs.closeSync(fd);
  }
}
