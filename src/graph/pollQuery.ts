// Transaction 2: wait for the query (GET /security/auditLog/queries/{id}) until it has
// succeeded, polling with a growing interval (a search takes minutes; docs/reference/
// graph-audit-query.md 1.4). `failed` or `cancelled` throws GraphError query_failed. A run
// that waited its budget returns "pending": the query id is in the checkpoint and the next run
// polls again instead of searching again.
import { cancellableSleep } from "../api/backoff";
import { GraphError } from "./errors";
import { queryUrl } from "./endpoints";
import type { GraphHttp } from "./http";
import { parseQuery } from "./createQuery";
import type { GraphVersion } from "./types";

export interface PollOptions {
  /** Wait before poll n (0-based); default 5 s doubling to 60 s. */
  delayMs?: (poll: number) => number;
  /** Longest this run waits for the query; default 30 minutes. */
  budgetMs?: number;
  signal?: AbortSignal;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called with each status read (for progress logs). */
  onStatus?: (status: string, poll: number) => void;
}

export const POLL_BUDGET_MS = 30 * 60_000;

export function defaultPollDelayMs(poll: number): number {
  return Math.min(60_000, 5_000 * 2 ** poll);
}

export async function pollQuery(http: GraphHttp, version: GraphVersion, id: string, opts: PollOptions = {}): Promise<"succeeded" | "pending"> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? cancellableSleep;
  const delay = opts.delayMs ?? defaultPollDelayMs;
  const deadline = now() + (opts.budgetMs ?? POLL_BUDGET_MS);
  for (let poll = 0; ; poll++) {
    const answer = await http.call("get audit log query", "GET", queryUrl(http.origin, version, id));
    const { status } = parseQuery("get audit log query", answer.text);
    opts.onStatus?.(status, poll);
    if (status === "succeeded") return "succeeded";
    if (status === "failed" || status === "cancelled") {
      throw new GraphError(`Graph audit log query ${id} ${status}: Microsoft Purview could not complete the search`, "query_failed", 200);
    }
    const wait = delay(poll);
    if (now() + wait > deadline) return "pending";
    await sleep(wait, opts.signal);
  }
}
