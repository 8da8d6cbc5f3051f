import type { SplunkEvent } from "./event";

/** Where mapped events go. The XML stream writer on stdout implements it; tests may collect. */
export interface EventSink {
  /** Resolves once every event of the batch has been handed to the OS (not just buffered). */
  write(events: readonly SplunkEvent[]): Promise<void>;
  /** Closes the stream (`</stream>`) and flushes. */
  close(): Promise<void>;
}
