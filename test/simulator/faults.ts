// Fault injection for tests: each knob picks requests by kind, for the next N of them or a
// seeded fraction, so failures are reproducible. The behaviours copied are the reference's
// (section 4 and 8): AF429 as HTTP 403 or 429, AF50000 runs, resets and truncated bodies.
import type { ContentType } from "./contentTypes";
import { Rng } from "./generator/prng";
import type { Compression } from "./compression";

/** What a request was, for fault selection and the request log. */
export type RequestKind =
  | "openid"
  | "token"
  | "start"
  | "stop"
  | "list"
  | "content"
  | "blob"
  | "other"
  | "graph_create"
  | "graph_get"
  | "graph_records"
  | "graph_list";

export const API_KINDS: readonly RequestKind[] = ["start", "stop", "list", "content", "blob", "other"];
/** Microsoft Graph's audit log query API (test/simulator/graph.ts); faults reach it only when `on` names them. */
export const GRAPH_KINDS: readonly RequestKind[] = ["graph_create", "graph_get", "graph_records", "graph_list"];

export interface FaultSelector {
  /** The next N matching requests. */
  count?: number;
  /** Or this share of matching requests (0..1, seeded). */
  fraction?: number;
  /** Request kinds this applies to (default: every Activity API request). */
  on?: readonly RequestKind[];
}

export interface Faults {
  throttle?: FaultSelector & { status?: 403 | 429; retryAfterSeconds?: number };
  internalErrors?: FaultSelector;
  /** Added to every request before it is answered. */
  latencyMs?: number;
  /** Destroy the socket without answering. */
  resets?: FaultSelector;
  /** Blob GETs: send part of the body, then `abort` the connection (default) or `end` cleanly. */
  truncatedBlobs?: FaultSelector & { mode?: "abort" | "end" };
  /** Blob GETs: 200 with a body that is not valid JSON. */
  garbledBlobs?: FaultSelector;
  /** Content listings whose last page gets a NextPageUri pointing back to the first page. */
  nextPageLoop?: FaultSelector;
  /** The server clock's offset: window checks, token expiry and the Date header use it. */
  clockSkewSeconds?: number;
  /** contentIds whose body is garbled (see garbledBlobs) on every GET while this fault set is active: a poison blob. */
  brokenBlobs?: readonly string[];
  /** contentIds to answer with AF20051 (expired) from now on. */
  expire?: readonly string[];
  /** Content types whose subscription the service disables now (every tenant). */
  disableSubscription?: readonly ContentType[];
  /** Graph audit log queries created while this fires end as `failed` instead of `succeeded`. */
  failedQueries?: FaultSelector;
  /** Graph records pages: 200 with a key outside auditData holding an escape JSON lacks (`\q`). */
  garbledGraphPages?: FaultSelector;
  /** Lifetime of access tokens issued from now on. */
  tokenLifetimeSeconds?: number;
  /** Compress listing and blob answers with this coding, when asked or always (./compression). */
  compress?: Compression;
}

const SELECTORS = ["throttle", "internalErrors", "resets", "truncatedBlobs", "garbledBlobs", "nextPageLoop", "failedQueries", "garbledGraphPages"] as const;
export type SelectorName = (typeof SELECTORS)[number];

const DEFAULT_KINDS: Partial<Record<SelectorName, readonly RequestKind[]>> = {
  truncatedBlobs: ["blob"],
  garbledBlobs: ["blob"],
  nextPageLoop: ["content"],
  failedQueries: ["graph_create"],
  garbledGraphPages: ["graph_records"],
};

/** The live fault set: decides, per request, which selectors fire. */
export class FaultState {
  private readonly remaining = new Map<SelectorName, number>();
  private readonly rng: Rng;

  constructor(readonly faults: Faults, seed = 1) {
    this.rng = new Rng(seed);
    for (const name of SELECTORS) {
      const count = faults[name]?.count;
      if (count !== undefined) this.remaining.set(name, count);
    }
  }

  /** True when the named fault fires for a request of this kind (consuming one of its count). */
  fires(name: SelectorName, kind: RequestKind): boolean {
    const selector = this.faults[name];
    if (!selector) return false;
    const kinds = selector.on ?? DEFAULT_KINDS[name] ?? API_KINDS;
    if (!kinds.includes(kind)) return false;
    const left = this.remaining.get(name);
    if (left !== undefined) {
      if (left <= 0) return false;
      this.remaining.set(name, left - 1);
      return true;
    }
    return selector.fraction !== undefined && this.rng.chance(selector.fraction);
  }

  get clockSkewMs(): number {
    return (this.faults.clockSkewSeconds ?? 0) * 1000;
  }
}
