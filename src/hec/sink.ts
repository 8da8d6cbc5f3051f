// The EventSink that delivers to HTTP Event Collector (docs/reference/hec.md). One sink, one
// channel GUID per process. write(batch) resolves only once HEC acknowledged the batch (or, with
// ack off, accepted it), so the collector stores the batch's Ids and checkpoint only after that.
// A batch still unacknowledged after ackTimeoutMs is sent again: the only repeat there can be.
// 503/429/5xx and network failures are retried with backoff for as long as it takes; a 4xx that
// sending again cannot fix (bad token, refused data) fails the write and every later one.
import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { jitteredDelayMs, parseRetryAfter } from "../api/backoff";
import type { SplunkEvent } from "../splunk/event";
import type { EventSink } from "../splunk/eventSink";
import type { Logger } from "../splunk/logger";
import { formatHecBody } from "./format";
import { FaultError } from "../errors/faultError";
import { judgeAckReply, judgeEventReply, type HecCause } from "./reply";
import type { Transport } from "./transport";

/** A fault the HEC sink reports; `cause` is the log cause code. */
/** HEC refused or lost a batch for good: the run stops (policy fatal) with the HEC cause. */
export class HecError extends FaultError {
  declare readonly cause: HecCause;
  constructor(message: string, cause: HecCause) {
    super(message, { policy: "fatal", cause });
    this.name = "HecError";
  }
}

export interface HecTiming {
  /** First ack poll after a send; doubles per poll up to ackPollCapMs. */
  ackPollFirstMs: number;
  ackPollCapMs: number;
  /** A batch not acknowledged this long after its send is sent again. */
  ackTimeoutMs: number;
  /** Backoff for busy/unreachable HEC: full jitter up to min(cap, base * 2^n). */
  retryBaseMs: number;
  retryCapMs: number;
  /** After the stop signal, how long acks of batches already sent are still awaited. */
  stopGraceMs: number;
}

/**
 * Vector's HEC sink polls every 10 s for 5 minutes by default; we start faster (Splunk acks
 * within seconds when healthy) and keep the same patience.
 */
export const HEC_TIMING: HecTiming = {
  ackPollFirstMs: 250,
  ackPollCapMs: 10_000,
  ackTimeoutMs: 300_000,
  retryBaseMs: 1_000,
  retryCapMs: 30_000,
  stopGraceMs: 3_000,
};

export interface HecSinkOptions {
  transport: (channel: string) => Transport;
  /** Indexer acknowledgement (default true). */
  ack?: boolean;
  /** Index for events whose input names none (hec.index). */
  index?: string;
  logger: Logger;
  /** Stops retries and sends; acks already due are awaited for stopGraceMs. */
  signal: AbortSignal;
  /** Batches sent and not yet acknowledged, at most (default 4). */
  maxInFlight?: number;
  timing?: Partial<HecTiming>;
  random?: () => number;
}

interface PendingAck {
  ackId: number;
  deadline: number;
  nextPollAt: number;
  polls: number;
  settle: (acked: boolean) => void;
}

export class HecSink implements EventSink {
  readonly channel = randomUUID();
  readonly maxInFlight: number;
  /** Set by the first fault that sending again cannot fix; every later write fails with it. */
  fatal?: HecError;
  private readonly transport: Transport;
  private readonly timing: HecTiming;
  private readonly ack: boolean;
  private readonly random: () => number;
  private readonly pending = new Map<number, PendingAck>();
  private pollTimer?: NodeJS.Timeout;
  private polling = false;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private busyEpisode = false;
  private closed = false;

  constructor(private readonly opts: HecSinkOptions) {
    this.transport = opts.transport(this.channel);
    this.timing = { ...HEC_TIMING, ...opts.timing };
    this.ack = opts.ack ?? true;
    this.maxInFlight = opts.maxInFlight ?? 4;
    this.random = opts.random ?? Math.random;
    opts.signal.addEventListener("abort", () => this.onStop(), { once: true });
  }

  async write(events: readonly SplunkEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.acquire();
    try {
      await this.deliver(formatHecBody(events, this.opts.index), events.length);
    } finally {
      this.release();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.pollTimer);
    for (const p of this.pending.values()) p.settle(false);
    this.pending.clear();
    await this.transport.close();
  }

  private acquire(): Promise<void> {
    if (this.inFlight < this.maxInFlight) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }

  private check(): void {
    if (this.fatal) throw this.fatal;
    if (this.opts.signal.aborted || this.closed) throw new HecError("stopped before HEC acknowledged the batch; the next run sends it again", "hec_ack_timeout");
  }

  private fail(cause: HecCause, message: string): never {
    this.fatal ??= new HecError(message, cause);
    throw this.fatal;
  }

  /** Sends until acknowledged; only an ack timeout sends the same body again. */
  private async deliver(body: string, count: number): Promise<void> {
    for (let send = 1; ; send++) {
      const ackId = await this.send(body);
      if (!this.ack) return;
      if (ackId === undefined) {
        this.fail("hec_ack_disabled", 'HEC accepted the batch but returned no ackId: indexer acknowledgement is off for this token. Turn it on for the token, or set "ack": false under hec in the config');
      }
      if (await this.acknowledged(ackId)) return;
      this.check();
      this.opts.logger.warn(`HEC did not acknowledge a batch of ${count} events within ${Math.round(this.timing.ackTimeoutMs / 1000)} s; sending it again (Splunk may index it twice if it was only slow)`, {
        cause: "hec_ack_timeout",
        ack_id: ackId,
        send,
      });
    }
  }

  /** POSTs the batch, retrying busy/unreachable HEC with backoff; returns the ackId, if any. */
  private async send(body: string): Promise<number | undefined> {
    for (let retry = 0; ; retry++) {
      this.check();
      let verdict;
      try {
        const answer = await this.transport.post("/services/collector/event", body);
        verdict = judgeEventReply(answer.status, answer.body, parseRetryAfter(answer.retryAfter, Date.now()));
      } catch (err) {
        verdict = { kind: "retry" as const, reason: `network: ${(err as Error).message}`, network: true };
      }
      if (verdict.kind === "ok") {
        if (this.busyEpisode) this.opts.logger.info("HEC accepts events again");
        this.busyEpisode = false;
        return verdict.ackId;
      }
      if (verdict.kind === "fatal") this.fail(verdict.cause, verdict.message);
      const wait = verdict.retryAfterSeconds !== undefined ? verdict.retryAfterSeconds * 1000 : jitteredDelayMs(retry, { baseMs: this.timing.retryBaseMs, capMs: this.timing.retryCapMs, random: this.random });
      const cause: HecCause = "network" in verdict ? "hec_unreachable" : "hec_busy";
      // One WARN per episode; the retries of an episode log at DEBUG.
      const log = this.busyEpisode ? this.opts.logger.debug : this.opts.logger.warn;
      this.busyEpisode = true;
      log(`HEC did not take the batch (${verdict.reason}); sending it again in ${Math.round(wait)} ms`, { cause, retry: retry + 1 });
      await this.sleep(wait);
    }
  }

  /** Waits ms, or less when the collector stops. */
  private async sleep(ms: number): Promise<void> {
    const { signal } = this.opts;
    await delay(ms, undefined, { signal }).catch((err: unknown) => {
      if (!signal.aborted) throw err;
    });
  }

  /** Resolves true once HEC reports the ackId indexed, false at the deadline. */
  private acknowledged(ackId: number): Promise<boolean> {
    return new Promise((resolve) => {
      const now = Date.now();
      const entry: PendingAck = {
        ackId,
        deadline: now + (this.opts.signal.aborted ? this.timing.stopGraceMs : this.timing.ackTimeoutMs),
        nextPollAt: now + this.timing.ackPollFirstMs,
        polls: 0,
        settle: (acked) => {
          this.pending.delete(ackId);
          resolve(acked);
        },
      };
      this.pending.set(ackId, entry);
      this.schedulePoll();
    });
  }

  private onStop(): void {
    // Batches already sent get a short grace for their acks, so a stop commits what it can.
    const limit = Date.now() + this.timing.stopGraceMs;
    for (const p of this.pending.values()) p.deadline = Math.min(p.deadline, limit);
    this.schedulePoll();
  }

  private schedulePoll(): void {
    if (this.polling) return;
    clearTimeout(this.pollTimer);
    if (this.pending.size === 0) return;
    const due = Math.min(...[...this.pending.values()].map((p) => Math.min(p.nextPollAt, p.deadline)));
    this.pollTimer = setTimeout(() => void this.poll(), Math.max(0, due - Date.now()));
  }

  /** One ack query for every pending Id that is due. */
  private async poll(): Promise<void> {
    this.polling = true;
    try {
      const now = Date.now();
      for (const p of [...this.pending.values()]) if (p.deadline <= now) p.settle(false);
      const due = [...this.pending.values()].filter((p) => p.nextPollAt <= now);
      if (due.length === 0) return;
      let acked: number[] = [];
      try {
        const answer = await this.transport.post("/services/collector/ack", JSON.stringify({ acks: due.map((p) => p.ackId) }));
        const judged = judgeAckReply(answer.status, answer.body);
        if (judged.verdict.kind === "fatal") {
          this.fatal ??= new HecError(judged.verdict.message, judged.verdict.cause);
          for (const p of [...this.pending.values()]) p.settle(false);
          return;
        }
        acked = judged.acked;
      } catch (err) {
        this.opts.logger.debug("HEC ack query failed; asking again", { cause: "hec_unreachable", error: (err as Error).message });
      }
      const done = new Set(acked);
      const after = Date.now();
      for (const p of due) {
        if (done.has(p.ackId)) p.settle(true);
        else {
          p.polls++;
          p.nextPollAt = after + Math.min(this.timing.ackPollCapMs, this.timing.ackPollFirstMs * 2 ** p.polls);
        }
      }
    } finally {
      this.polling = false;
      this.schedulePoll();
    }
  }
}
