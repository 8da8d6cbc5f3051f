import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { IdStore, ID_BYTES } from "../../../src/collector/dedupe";
import { WritePath, type Batch } from "../../../src/collector/writePath";
import type { SplunkEvent } from "../../../src/splunk/event";
import type { EventSink } from "../../../src/splunk/eventSink";

/** A sink whose writes resolve only when the test says so (an acknowledging HEC). */
class SlowSink implements EventSink {
  readonly pending: { events: readonly SplunkEvent[]; resolve: () => void; reject: (e: Error) => void }[] = [];
  constructor(readonly maxInFlight?: number) {}
  write(events: readonly SplunkEvent[]): Promise<void> {
    return new Promise((resolve, reject) => this.pending.push({ events, resolve, reject }));
  }
  async close(): Promise<void> {}
}

const event = (n: number): SplunkEvent => ({ stanza: "s", source: "x", sourcetype: "y", data: String(n) });
const batch = (n: number): Batch => ({ events: [event(n)], keys: [Buffer.alloc(ID_BYTES, n)], bytes: 1 });
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe("WritePath", () => {
  let dir: string;
  let ids: IdStore;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "wp-"));
    ids = IdStore.load(dir, { now: () => new Date("2026-11-20T00:00:00Z") });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const stored = (): number[] => [...fs.readFileSync(path.join(dir, "2026-11-20.ids"))].filter((_, i) => i % ID_BYTES === 0);

  it("keeps up to maxInFlight writes outstanding and stores each batch's Ids once its own write resolved", async () => {
    const sink = new SlowSink(2);
    const writes = new WritePath(sink, ids);
    const a = await writes.submit(batch(1));
    const b = await writes.submit(batch(2));
    let thirdStarted = false;
    const c = writes.submit(batch(3)).then((r) => ((thirdStarted = true), r));
    await tick();
    assert.equal(sink.pending.length, 2, "two in flight");
    assert.equal(thirdStarted, false, "the third waits for a slot");
    sink.pending[1].resolve(); // the second acknowledges first (an acknowledging HEC may)
    await b.durable;
    assert.deepEqual(stored(), [2], "the first batch's Ids wait for its own write");
    sink.pending[0].resolve();
    await a.durable;
    assert.deepEqual(stored(), [2, 1]);
    const third = await c;
    sink.pending[2].resolve();
    await third.durable;
    await writes.drain();
    assert.deepEqual(stored(), [2, 1, 3]);
  });

  it("fails every later batch after a failed write, and stores none of its Ids", async () => {
    const sink = new SlowSink();
    const writes = new WritePath(sink, ids);
    const a = await writes.submit(batch(1));
    sink.pending[0].reject(new Error("EPIPE"));
    await assert.rejects(a.durable, /EPIPE/);
    await assert.rejects(writes.submit(batch(2)), /EPIPE/);
    await assert.rejects(writes.drain(), /EPIPE/);
    assert.equal(writes.broken, true);
    assert.equal(sink.pending.length, 1, "nothing more was sent");
  });
});
