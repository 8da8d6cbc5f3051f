// Per-input checkpoint in splunkd's checkpoint_dir (docs/collector.md): one JSON file,
// replaced atomically (write a temp file, fsync, rename), holding no secret. The record-Id
// store beside it (dedupe.ts) is what guarantees "no record twice"; the checkpoint makes
// runs resume where they stopped and keeps finished blobs from being downloaded again.
import * as fs from "node:fs";
import * as path from "node:path";

export interface ContentTypeState {
  /** End of the last window whose every blob was written (ISO time on the server's clock). */
  committedEnd?: string;
  /** Blobs fully written that may be listed again (overlap or an unfinished window): contentId -> contentCreated (ms). */
  doneBlobs: Record<string, number>;
  /** Last /subscriptions/start for this content type (the service allows one per 15 minutes). */
  lastStartAttempt?: string;
}

export interface CheckpointState {
  version: 1;
  tenantId: string;
  contentTypes: Record<string, ContentTypeState>;
  /** Last time the subscriptions were listed and found enabled. */
  subscriptionsCheckedAt?: string;
}

export function emptyCheckpoint(tenantId: string): CheckpointState {
  return { version: 1, tenantId, contentTypes: {} };
}

/** File-system-safe name for an input: letters, digits, `_`, `-`, `.` kept, others as `%XX`. */
export function safeName(inputName: string): string {
  return inputName.replace(/[^A-Za-z0-9_.-]/g, (c) => "%" + c.charCodeAt(0).toString(16).padStart(2, "0")).replace(/^\./, "%2e");
}

export interface CheckpointPaths {
  file: string;
  idsDir: string;
}

export function checkpointPaths(checkpointDir: string, inputName: string): CheckpointPaths {
  const base = path.join(checkpointDir, safeName(inputName));
  return { file: `${base}.json`, idsDir: `${base}.ids` };
}

export type LoadResult =
  | { kind: "fresh"; state: CheckpointState }
  | { kind: "loaded"; state: CheckpointState }
  | { kind: "reset"; state: CheckpointState; reason: string; movedTo?: string };

function isState(value: unknown): value is CheckpointState {
  if (value === null || typeof value !== "object") return false;
  const v = value as Partial<CheckpointState>;
  return v.version === 1 && typeof v.tenantId === "string" && typeof v.contentTypes === "object" && v.contentTypes !== null;
}

/**
 * Reads the checkpoint. A damaged file is moved aside (never deleted) and collection restarts
 * from the backfill; the Id store still keeps records from being written twice.
 */
export function loadCheckpoint(file: string, tenantId: string): LoadResult {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { kind: "fresh", state: emptyCheckpoint(tenantId) };
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!isState(parsed)) {
    const movedTo = `${file}.damaged-${Date.now()}`;
    fs.renameSync(file, movedTo);
    return { kind: "reset", state: emptyCheckpoint(tenantId), reason: "checkpoint file is damaged", movedTo };
  }
  if (parsed.tenantId !== tenantId) {
    return { kind: "reset", state: emptyCheckpoint(tenantId), reason: `tenant changed from ${parsed.tenantId}` };
  }
  return { kind: "loaded", state: parsed };
}

export function saveCheckpoint(file: string, state: CheckpointState): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, "w", 0o600);
  try {
    fs.writeSync(fd, JSON.stringify(state));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

export function contentTypeState(state: CheckpointState, contentType: string): ContentTypeState {
  let ct = state.contentTypes[contentType];
  if (!ct) {
    ct = { doneBlobs: {} };
    state.contentTypes[contentType] = ct;
  }
  return ct;
}
