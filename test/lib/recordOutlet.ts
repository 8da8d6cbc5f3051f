// An outlet for the collector's record pipeline (src/collector/recordStream.ts) that writes each
// batch to one event writer before the next is cut, with the collector's batch sizes: the P1
// bench and the fuzz test run the product's pipeline without a collector run around it.
import { BATCH_MAX_BYTES, BATCH_MAX_EVENTS } from "../../src/collector/defaults";
import type { RecordOutlet } from "../../src/collector/recordStream";
import type { EventSink } from "../../src/splunk/eventSink";

/** `remember` plays the Id store: false drops the record as a duplicate. */
export function writerOutlet(sink: Pick<EventSink, "write">, remember: (key: Uint8Array) => boolean): RecordOutlet {
  return {
    remember,
    submit: async (batch) => {
      await sink.write(batch.events);
      return { durable: Promise.resolve() };
    },
    batchMaxEvents: BATCH_MAX_EVENTS,
    batchMaxBytes: BATCH_MAX_BYTES,
    halted: () => false,
  };
}
