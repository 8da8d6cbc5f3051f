// The record pipeline of one blob body: cut it into records as it arrives (splitter), map each
// to an event (mapper), drop the ones already written (dedupe key), and hand full batches on.
// The collector's blob step runs it against the run's Id store and write path; the P1 bench and
// the fuzz test run the same function against their own sinks.
import type { SplunkEvent } from "../splunk/event";
import { JsonArraySplitter } from "./blobSplitter";
import { idKey } from "./dedupe";
import { UNPARSED_MAX_BYTES } from "./defaults";
import { mapRecord, sourceFor, type MapContext } from "./mapper";
import { UNPARSED_SOURCETYPE } from "./sourcetype";
import { emptyBatch, type Batch } from "./writePath";

/** Where the records go. */
export interface RecordOutlet {
  /** False when the key's record was written before: it is dropped as a duplicate. */
  remember(key: Uint8Array): boolean;
  /** Resolves when the next batch may be cut; `durable` once this one is written. */
  submit(batch: Batch): Promise<{ durable: Promise<void> }>;
  batchMaxEvents: number;
  batchMaxBytes: number;
  /** True when the run must stop: checked between chunks. */
  halted(): boolean;
}

/** Counts kept as the body streams, so a body that breaks still reports what it wrote. */
export interface RecordCounts {
  /** Records whose batch is durable. */
  records: number;
  filtered: number;
  duplicatesDropped: number;
}

/** What the caller warns about once the body ended or broke. */
export interface StreamNotes {
  /** Records without a usable CreationTime, delivered with Splunk's own time. */
  badTime: { count: number; example: string };
  /** Records that are not JSON objects, written as received. */
  unparsed: { count: number; example: string };
}

export function emptyNotes(): StreamNotes {
  return { badTime: { count: 0, example: "" }, unparsed: { count: 0, example: "" } };
}

function unparsedEvent(m: MapContext, text: string): SplunkEvent {
  return { stanza: m.stanza, source: sourceFor(m.tenantId, m.contentType), sourcetype: UNPARSED_SOURCETYPE, index: m.index, host: m.host, data: text };
}

/** One pass over a body. Records read before a failure are written, never dropped; every batch is durable when it returns or throws. */
export async function streamRecords(body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, mapCtx: MapContext, out: RecordOutlet, counts: RecordCounts, notes: StreamNotes): Promise<void> {
  const splitter = new JsonArraySplitter();
  const durable: Promise<void>[] = [];
  let batch = emptyBatch();
  // Records that are not JSON objects wait until the body proved a whole array: in a body
  // that breaks, an element that does not parse is the break, not a record.
  let held: string[] = [];
  let heldBytes = 0;

  const flush = async (): Promise<void> => {
    if (batch.events.length === 0) return;
    const full = batch;
    batch = emptyBatch();
    const { durable: done } = await out.submit(full);
    durable.push(done.then(() => void (counts.records += full.events.length)));
  };
  /** False for a record written before: it is dropped, and counted as a duplicate only. */
  const isNew = (key: Uint8Array): boolean => {
    if (out.remember(key)) return true;
    counts.duplicatesDropped++;
    return false;
  };
  /** Adds a new record; true when the batch is full and must be flushed (awaited only then: per record, an await was a tenth of the stream's own time). */
  const add = (event: SplunkEvent, key: Uint8Array, bytes: number): boolean => {
    batch.events.push(event);
    batch.keys.push(key);
    batch.bytes += bytes;
    return batch.events.length >= out.batchMaxEvents || batch.bytes >= out.batchMaxBytes;
  };
  const writeHeld = async (): Promise<void> => {
    const texts = held;
    held = [];
    heldBytes = 0;
    for (const text of texts) {
      const key = idKey(undefined, text);
      if (!isNew(key)) continue;
      notes.unparsed.count++;
      if (add(unparsedEvent(mapCtx, text), key, text.length)) await flush();
    }
  };

  try {
    for await (const chunk of body) {
      for (const text of splitter.push(chunk)) {
        const mapped = mapRecord(text, mapCtx);
        if (mapped.kind === "filtered") {
          counts.filtered++;
          continue;
        }
        if (mapped.kind === "invalid") {
          notes.unparsed.example ||= mapped.reason;
          held.push(text);
          heldBytes += text.length;
          if (heldBytes >= UNPARSED_MAX_BYTES) await writeHeld();
          continue;
        }
        const key = idKey(mapped.id, text);
        if (!isNew(key)) continue;
        // Counted after the dedupe: the WARN tells how many events went out without a time.
        if (mapped.timeProblem) {
          notes.badTime.count++;
          notes.badTime.example ||= mapped.timeProblem;
        }
        if (add(mapped.event, key, text.length)) await flush();
      }
      // Stop between chunks on SIGTERM; what was read is still written below.
      if (out.halted()) break;
    }
    if (!out.halted()) {
      splitter.end();
      await writeHeld();
    }
  } finally {
    await flush();
    await Promise.all(durable);
  }
}
