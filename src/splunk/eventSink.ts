import type { SplunkEvent } from "./event";

/** At most this many events, or about this many bytes of record text, per write. */
export interface BatchLimit {
  events: number;
  bytes: number;
}

/** Where mapped events go. The XML stream writer on stdout implements it; tests may collect. */
export interface EventSink {
  /** The batch size this sink works best with; the collector's default when absent. */
  readonly batchLimit?: BatchLimit;
  /** Resolves once every event of the batch has been handed to the OS (not just buffered). */
  write(events: readonly SplunkEvent[]): Promise<void>;
  /**
   * How many writes may be outstanding at once (default 1). A sink whose writes resolve late
   * (an acknowledging HEC) raises it; the collector still stores each batch's Ids in order.
   */
  readonly maxInFlight?: number;
  /** Closes the stream (`</stream>`) and flushes. */
  close(): Promise<void>;
}
