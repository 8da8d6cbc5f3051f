// The one write path of a run: batches go to the EventSink (which owns their order on the
// wire), up to sink.maxInFlight at once; each batch's record keys are stored in the Id store
// as soon as its own write resolved (an acknowledging sink may confirm batches out of order;
// the store is a set). The first failure (a write, or a state write) fails every later batch,
// so no event goes out after state stopped being recorded.
import type { SplunkEvent } from "../splunk/event";
import type { EventSink } from "../splunk/eventSink";
import type { IdStore } from "./dedupe";

export interface Batch {
  events: SplunkEvent[];
  keys: Uint8Array[];
  bytes: number;
}

export function emptyBatch(): Batch {
  return { events: [], keys: [], bytes: 0 };
}

export class WritePath {
  private readonly maxInFlight: number;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;
  private failed = false;

  constructor(
    private readonly sink: EventSink,
    private readonly ids: IdStore,
  ) {
    this.maxInFlight = Math.max(1, Math.floor(sink.maxInFlight ?? 1));
  }

  /**
   * Waits for a free slot, then starts writing the batch. Resolves with `durable`, which settles
   * when the batch is durable (wrapped: a promise resolving to a promise would flatten); rejects
   * at once after an earlier failure.
   */
  async submit(batch: Batch): Promise<{ durable: Promise<void> }> {
    while (this.inFlight.size >= this.maxInFlight && !this.failed) await Promise.race(this.inFlight).catch(() => undefined);
    if (this.failed) throw this.failure;
    const written = this.sink.write(batch.events);
    const durable = (async () => {
      try {
        await written;
        if (this.failed) throw this.failure; // a state write failed meanwhile: store nothing more
        this.ids.persist(batch.keys);
      } catch (err) {
        if (!this.failed) {
          this.failed = true;
          this.failure = err;
        }
        throw this.failure;
      }
    })();
    durable.catch(() => undefined); // the caller awaits it later; never an unhandled rejection
    const slot = durable.then(
      () => void this.inFlight.delete(slot),
      () => void this.inFlight.delete(slot),
    );
    this.inFlight.add(slot);
    return { durable };
  }

  /** True after a write or state write failed: nothing more may be sent. */
  get broken(): boolean {
    return this.failed;
  }

  /** The failure that broke the path (undefined while it is not broken). */
  get firstFailure(): unknown {
    return this.failure;
  }

  /** Settles once every submitted batch is durable; rejects with the first failure. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    if (this.failed) throw this.failure;
  }
}
