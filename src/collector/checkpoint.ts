// Per-input checkpoint in splunkd's checkpoint_dir (docs/collector.md, "State size"): one JSON
// file, replaced atomically (stateFile.ts), holding no secret. The record-Id store beside it
// (dedupe.ts) is what guarantees "no record twice"; the checkpoint makes runs resume where they
// stopped, keeps finished blobs from being downloaded again and remembers blobs still owed.
// Loading checks every field's type and range (the tables below): anything wrong resets.
import * as fs from "node:fs";
import * as path from "node:path";
import { CONTENT_TYPES } from "../config/inputConfig";
import type { GraphJob } from "./backfillPlan";
import { replaceFile, stateStep, StateReadError } from "./stateFile";

/** A blob that still failed after its attempts; its window is committed, later runs retry it first. */
export interface PendingBlob {
  contentId: string;
  contentUri: string;
  /** contentCreated as listed (ISO). */
  contentCreated: string;
  /** contentExpiration as listed (ISO): after it the blob is reported lost. */
  contentExpiration: string;
  /** Attempts so far, over all runs. */
  attempts: number;
  lastError: string;
}

export interface ContentTypeState {
  /** End of the last committed window (ISO time on the server's clock). */
  committedEnd?: string;
  /** Blobs fully written that may be listed again (overlap or an unfinished window): contentId -> contentCreated (ms). */
  doneBlobs: Record<string, number>;
  /** Last /subscriptions/start for this content type (the service allows one per 15 minutes). */
  lastStartAttempt?: string;
  /** Blobs owed from committed windows, retried first by every run. */
  pending: PendingBlob[];
}

export interface CheckpointState {
  version: 1;
  tenantId: string;
  contentTypes: Record<string, ContentTypeState>;
  /** Server clock minus this host's clock (s) as last read from an Activity API response. */
  clockSkewSeconds?: number;
  /** graph_backfill: spans past the Activity API's horizon still owed by Microsoft Graph (backfill.ts). */
  graph?: GraphState;
}

export interface GraphState {
  jobs: GraphJob[];
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

// ---- Validation: one check per field, so a new field brings its own check (the mapped types
// below make a field without one a type error). A check returns the clean value or throws. ----

class BadField extends Error {}

type Check<T> = (value: unknown, at: string) => T;

const EARLIEST = Date.UTC(2012, 0, 1); // before the Activity API existed
const LATEST_AHEAD_MS = 2 * 86_400_000; // a time this far past the host's clock is damage

function fail(at: string, why: string): never {
  throw new BadField(`${at} ${why}`);
}

function isoTime(now: Date): Check<string> {
  return (v, at) => {
    const t = typeof v === "string" ? Date.parse(v) : NaN;
    if (Number.isNaN(t)) fail(at, "is not a time");
    if (t < EARLIEST || t > now.getTime() + LATEST_AHEAD_MS) fail(at, `is out of range (${String(v)})`);
    return v as string;
  };
}

function optional<T>(check: Check<T>): Check<T | undefined> {
  return (v, at) => (v === undefined ? undefined : check(v, at));
}

function text(max: number): Check<string> {
  return (v, at) => {
    if (typeof v !== "string" || v === "" || v.length > max) fail(at, "is not a non-empty string");
    return v;
  };
}

function integer(min: number, max: number): Check<number> {
  return (v, at) => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) fail(at, `is not an integer in [${min}, ${max}]`);
    return v;
  };
}

function object(v: unknown, at: string): Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) fail(at, "is not an object");
  return v as Record<string, unknown>;
}

type Fields<T> = { [K in keyof T]-?: Check<T[K]> };

function record<T>(fields: Fields<T>): Check<T> {
  return (v, at) => {
    const obj = object(v, at);
    const out: Record<string, unknown> = {};
    for (const [key, check] of Object.entries(fields) as [string, Check<unknown>][]) {
      const value = check(obj[key], `${at}.${key}`);
      if (value !== undefined) out[key] = value;
    }
    return out as T;
  };
}

function pendingFields(now: Date): Fields<PendingBlob> {
  return {
    contentId: text(1000),
    contentUri: (v, at) => {
      const uri = text(4000)(v, at);
      if (!/^https?:\/\//i.test(uri)) fail(at, "is not an http(s) URL");
      return uri;
    },
    contentCreated: isoTime(now),
    // Expiration is 7 days after creation: allow it past the host's clock by that much.
    contentExpiration: isoTime(new Date(now.getTime() + 8 * 86_400_000)),
    attempts: integer(1, 1_000_000),
    lastError: (v, at) => (typeof v === "string" ? v.slice(0, 500) : fail(at, "is not a string")),
  };
}

function contentTypeFields(now: Date): Fields<ContentTypeState> {
  const pending = record(pendingFields(now));
  return {
    committedEnd: optional(isoTime(now)),
    doneBlobs: (v, at) => {
      const obj = object(v, at);
      for (const [id, created] of Object.entries(obj)) {
        if (typeof created !== "number" || !Number.isFinite(created) || created < 0) fail(`${at}[${JSON.stringify(id)}]`, "is not a time in ms");
      }
      return obj as Record<string, number>;
    },
    lastStartAttempt: optional(isoTime(now)),
    // Checkpoints written before pending blobs existed have none.
    pending: (v, at) => {
      if (v === undefined) return [];
      if (!Array.isArray(v)) fail(at, "is not a list");
      return v.map((p, i) => pending(p, `${at}[${i}]`));
    },
  };
}

function graphJobFields(now: Date): Fields<GraphJob> {
  return {
    start: isoTime(now),
    // The span's end lies up to an hour past the horizon, so within the allowance ahead of now.
    end: isoTime(now),
    contentTypes: (v, at) => {
      if (!Array.isArray(v) || v.length === 0 || v.some((ct) => !(CONTENT_TYPES as readonly unknown[]).includes(ct))) fail(at, "is not a list of content types");
      return v as string[];
    },
    queryId: optional(text(200)),
    version: optional((v, at) => (v === "v1.0" || v === "beta" ? v : fail(at, "is not v1.0 or beta"))),
    // Followed with the bearer token: the Graph client also refuses a link outside Graph's origin.
    nextLink: optional((v, at) => {
      const link = text(8000)(v, at);
      if (!/^https:\/\//i.test(link)) fail(at, "is not an https URL");
      return link;
    }),
    failures: optional(integer(0, 1_000_000)),
  };
}

function graphJob(now: Date): Check<GraphJob> {
  const fields = record(graphJobFields(now));
  return (v, at) => {
    const job = fields(v, at);
    if (Date.parse(job.start) >= Date.parse(job.end)) fail(at, "starts after it ends");
    if ((job.queryId === undefined) !== (job.version === undefined)) fail(at, "has a query id without its version, or the reverse");
    if (job.nextLink !== undefined && job.queryId === undefined) fail(at, "has a next link without a query");
    return job;
  };
}

function graphFields(now: Date): Fields<GraphState> {
  const job = graphJob(now);
  return {
    jobs: (v, at) => {
      if (!Array.isArray(v)) fail(at, "is not a list");
      return v.map((j, i) => job(j, `${at}[${i}]`));
    },
  };
}

function checkpointFields(now: Date): Fields<CheckpointState> {
  const contentType = record(contentTypeFields(now));
  return {
    version: (v, at) => (v === 1 ? 1 : fail(at, "is not 1")),
    tenantId: text(200),
    contentTypes: (v, at) => {
      const obj = object(v, at);
      return Object.fromEntries(Object.entries(obj).map(([ct, s]) => [ct, contentType(s, `${at}.${ct}`)]));
    },
    clockSkewSeconds: optional(integer(-10 * 365 * 86_400, 10 * 365 * 86_400)),
    graph: optional(record(graphFields(now))),
  };
}

/** The checkpoint's clean value, or the first field that is wrong. Pure. */
export function validateCheckpoint(value: unknown, now: Date): { ok: true; state: CheckpointState } | { ok: false; reason: string } {
  try {
    return { ok: true, state: record(checkpointFields(now))(value, "checkpoint") };
  } catch (err) {
    if (err instanceof BadField) return { ok: false, reason: err.message };
    throw err;
  }
}

export type LoadResult =
  | { kind: "fresh"; state: CheckpointState }
  | { kind: "loaded"; state: CheckpointState }
  | { kind: "reset"; state: CheckpointState; reason: string; movedTo?: string };

/**
 * Reads the checkpoint. A damaged file is moved aside (never deleted) and collection restarts
 * from the backfill; the Id store still keeps records from being written twice.
 */
export function loadCheckpoint(file: string, tenantId: string, now: Date = new Date()): LoadResult {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { kind: "fresh", state: emptyCheckpoint(tenantId) };
    throw new StateReadError(file, code ?? "unknown", (err as Error).message);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const checked = parsed === undefined ? { ok: false as const, reason: "checkpoint file is not JSON" } : validateCheckpoint(parsed, now);
  if (!checked.ok) {
    const movedTo = `${file}.damaged-${now.getTime()}`;
    stateStep(movedTo, () => fs.renameSync(file, movedTo));
    return { kind: "reset", state: emptyCheckpoint(tenantId), reason: `checkpoint file is damaged: ${checked.reason}`, movedTo };
  }
  if (checked.state.tenantId !== tenantId) {
    return { kind: "reset", state: emptyCheckpoint(tenantId), reason: `tenant changed from ${checked.state.tenantId}` };
  }
  return { kind: "loaded", state: checked.state };
}

/** Throws StateWriteError unless the whole file was written. */
export function saveCheckpoint(file: string, state: CheckpointState): void {
  replaceFile(file, JSON.stringify(state));
}

export function contentTypeState(state: CheckpointState, contentType: string): ContentTypeState {
  let ct = state.contentTypes[contentType];
  if (!ct) {
    ct = { doneBlobs: {}, pending: [] };
    state.contentTypes[contentType] = ct;
  }
  return ct;
}
