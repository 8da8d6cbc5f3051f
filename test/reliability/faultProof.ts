// Proof that an injected fault happened, read from the simulator's request log. A fault test
// first proves its fault (so it fails when injection silently stops working), then checks the
// collector's reaction. One proof per fault knob: a knob added to Faults without a proof here
// does not type-check. Every failure message starts with FAULT_MISSING, which the meta-tests
// (faults.test.ts) expect when they run a scenario with injection disabled.
import { strict as assert } from "node:assert";
import { API_KINDS, type Faults, type RequestKind, type RequestLogEntry } from "../simulator";

export const FAULT_MISSING = "fault not injected:";

type Proof<K extends keyof Faults> = (fault: NonNullable<Faults[K]>, log: readonly RequestLogEntry[]) => void;

const isApi = (e: RequestLogEntry): boolean => API_KINDS.includes(e.kind);

function tagged(log: readonly RequestLogEntry[], tag: string, kinds?: readonly RequestKind[]): RequestLogEntry[] {
  return log.filter((e) => e.fault === tag && (kinds === undefined || kinds.includes(e.kind)));
}

/** `count` faults fire exactly that often; `fraction` faults at least once. */
function fired(entries: readonly RequestLogEntry[], selector: { count?: number }, what: string, log: readonly RequestLogEntry[]): void {
  if (selector.count !== undefined) {
    assert.equal(entries.length, selector.count, `${FAULT_MISSING} ${what}: ${entries.length} of ${selector.count}`);
  } else {
    assert.ok(entries.length > 0, `${FAULT_MISSING} ${what}: none in ${log.length} requests`);
  }
}

const PROOFS: { [K in keyof Faults]-?: Proof<K> } = {
  throttle(f, log) {
    const status = f.status ?? 403;
    const hits = tagged(log, "throttle").filter((e) => e.status === status && e.error === "AF429");
    fired(hits, f, `AF429 answers with HTTP ${status}`, log);
  },
  internalErrors(f, log) {
    fired(tagged(log, "internalError").filter((e) => e.status === 500 && e.error === "AF50000"), f, "AF50000 answers", log);
  },
  latencyMs(ms, log) {
    const api = log.filter(isApi);
    const slow = api.filter((e) => (e.latencyMs ?? 0) >= ms - 1);
    assert.ok(api.length > 0 && slow.length === api.length, `${FAULT_MISSING} latency ${ms} ms: ${slow.length} of ${api.length} API requests waited`);
  },
  resets(f, log) {
    fired(tagged(log, "reset").filter((e) => e.status === 0), f, "connection resets", log);
  },
  truncatedBlobs(f, log) {
    const tag = f.mode === "end" ? "truncate-end" : "truncate-abort";
    fired(tagged(log, tag, ["blob"]), f, `${tag} blobs`, log);
  },
  garbledBlobs(f, log) {
    fired(tagged(log, "garbled", ["blob"]), f, "garbled blobs", log);
  },
  brokenBlobs(ids, log) {
    for (const id of ids) {
      const broken = tagged(log, "garbled", ["blob"]).some((e) => e.contentId === id);
      assert.ok(broken, `${FAULT_MISSING} blob ${id} was never served garbled`);
    }
  },
  nextPageLoop(f, log) {
    fired(tagged(log, "nextPageLoop", ["content"]), f, "looping NextPageUri", log);
  },
  garbledGraphPages(f, log) {
    fired(tagged(log, "garbledPage", ["graph_records"]).filter((e) => e.status === 200), f, "garbled Graph records pages", log);
  },
  failedQueries(f, log) {
    fired(tagged(log, "failedQuery", ["graph_create"]), f, "Graph audit queries created to fail", log);
  },
  clockSkewSeconds(seconds, log) {
    const skewed = log.filter((e) => Math.abs(e.serverTime - e.time - seconds * 1000) < 1000);
    assert.ok(log.length > 0 && skewed.length === log.length, `${FAULT_MISSING} clock skew ${seconds} s: ${skewed.length} of ${log.length} requests`);
  },
  expire(ids, log) {
    for (const id of ids) {
      const refused = log.some((e) => e.kind === "blob" && e.contentId === id && e.error === "AF20051");
      assert.ok(refused, `${FAULT_MISSING} content ${id} was never refused as expired (AF20051)`);
    }
  },
  disableSubscription(types, log) {
    // The service accepts a start only for a subscription that is off (an enabled one: AF20024).
    for (const ct of types) {
      const restarted = log.some((e) => e.kind === "start" && e.query.contentType === ct && e.status === 200);
      assert.ok(restarted, `${FAULT_MISSING} ${ct} was never found off and started again`);
    }
  },
  compress(c, log) {
    const compressed = log.filter((e) => e.contentEncoding === c.coding);
    assert.ok(compressed.length > 0, `${FAULT_MISSING} no answer was sent with Content-Encoding ${c.coding} in ${log.length} requests`);
  },
  tokenLifetimeSeconds(_seconds, log) {
    const first401 = log.findIndex((e) => isApi(e) && e.status === 401);
    assert.ok(first401 >= 0, `${FAULT_MISSING} no API request was refused with 401 for an expired token`);
    const fresh = log.findIndex((e, i) => i > first401 && e.kind === "token" && e.status === 200);
    assert.ok(fresh >= 0, `${FAULT_MISSING} no token was issued after the first 401`);
    const used = log.some((e, i) => i > fresh && isApi(e) && e.status === 200);
    assert.ok(used, `${FAULT_MISSING} no API request succeeded with the fresh token`);
  },
};

/** The keys of `faults` that are set. */
export function faultNames(faults: Faults): (keyof Faults)[] {
  return (Object.keys(faults) as (keyof Faults)[]).filter((k) => faults[k] !== undefined);
}

/** Asserts that one fault of the set left its mark in the log. */
export function proveFault(faults: Faults, name: keyof Faults, log: readonly RequestLogEntry[]): void {
  (PROOFS[name] as Proof<typeof name>)(faults[name] as never, log);
}

/** Asserts that every fault of the set left its mark in the log (the requests made while it was on). */
export function proveFaults(faults: Faults, log: readonly RequestLogEntry[]): void {
  for (const name of faultNames(faults)) proveFault(faults, name, log);
}
