import { strict as assert } from "node:assert";
import type { IdStore } from "../../../src/collector/dedupe";
import { emptyBatch, WritePath, type Batch } from "../../../src/collector/writePath";
import type { SplunkEvent } from "../../../src/splunk/event";
import type { EventSink } from "../../../src/splunk/eventSink";

/** A sink whose writes resolve only when the test says so. */
class HeldSink implements EventSink {
  readonly held: { data: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  constructor(readonly maxInFlight?: number) {}
  write(events: readonly SplunkEvent[]): Promise<void> {
    return new Promise((resolve, reject) => this.held.push({ data: events.map((e) => e.data).join(), resolve, reject }));
  }
  async close(): Promise<void> {}
}

/** An Id store that records what it was asked to keep, and can fail like a full disk. */
class Ids {
  kept: number[] = [];
  failWith?: Error;
  persist(keys: Uint8Array[]): void {
    if (this.failWith) throw this.failWith;
    this.kept.push(...keys.map((k) => k[0]));
  }
}

const batch = (n: number): Batch => ({ events: [{ stanza: "s", source: "x", sourcetype: "y", data: String(n) }], keys: [Uint8Array.of(n)], bytes: 1 });
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe("WritePath: slots and state-write failures", () => {
  it("an empty batch has no events, keys or bytes", () => {
    assert.deepEqual(emptyBatch(), { events: [], keys: [], bytes: 0 });
  });

  for (const [given, slots] of [
    [undefined, 1],
    [0, 1],
    [2.9, 2],
  ] as const) {
    it(`a sink allowing ${String(given)} writes at once gets ${slots}`, async () => {
      const sink = new HeldSink(given);
      const ids = new Ids();
      const writes = new WritePath(sink, ids as unknown as IdStore);
      const started: number[] = [];
      const submits = [1, 2, 3].map((n) => writes.submit(batch(n)).then((r) => (started.push(n), r)));
      await tick();
      assert.deepEqual(started, [1, 2].slice(0, slots));
      assert.equal(sink.held.length, slots);
      while (sink.held.length < 3) {
        sink.held[sink.held.length - slots].resolve();
        await tick();
      }
      for (const h of sink.held) h.resolve();
      for (const s of submits) await (await s).durable;
      await writes.drain();
      assert.deepEqual(ids.kept, [1, 2, 3]);
      assert.equal(writes.broken, false);
    });
  }

  it("an Id store that cannot write stops the path: that batch and every later one fail with its error", async () => {
    const sink = new HeldSink(2);
    const ids = new Ids();
    const writes = new WritePath(sink, ids as unknown as IdStore);
    const a = await writes.submit(batch(1));
    const b = await writes.submit(batch(2));
    ids.failWith = new Error("ENOSPC");
    sink.held[0].resolve();
    await assert.rejects(a.durable, /ENOSPC/);
    assert.equal(writes.broken, true);
    ids.failWith = undefined;
    sink.held[1].resolve(); // written after state stopped being recorded: its Ids are not stored either
    await assert.rejects(b.durable, /ENOSPC/);
    await assert.rejects(writes.submit(batch(3)), /ENOSPC/);
    await assert.rejects(writes.drain(), /ENOSPC/);
    assert.deepEqual(ids.kept, []);
    assert.equal(sink.held.length, 2, "nothing more was sent");
  });

  it("a waiting batch is refused when an in-flight write fails, and is never sent", async () => {
    const sink = new HeldSink(1);
    const writes = new WritePath(sink, new Ids() as unknown as IdStore);
    const a = await writes.submit(batch(1));
    const waiting = writes.submit(batch(2));
    await tick();
    sink.held[0].reject(new Error("EPIPE"));
    await assert.rejects(a.durable, /EPIPE/);
    await assert.rejects(waiting, /EPIPE/);
    assert.deepEqual(
      sink.held.map((h) => h.data),
      ["1"],
    );
  });

  it("the first failure is the one every later caller sees", async () => {
    const sink = new HeldSink(2);
    const writes = new WritePath(sink, new Ids() as unknown as IdStore);
    const a = await writes.submit(batch(1));
    const b = await writes.submit(batch(2));
    sink.held[1].reject(new Error("first"));
    await assert.rejects(b.durable, /first/);
    sink.held[0].reject(new Error("second"));
    await assert.rejects(a.durable, /first/);
    await assert.rejects(writes.drain(), /first/);
  });

  it("drain waits for every write in flight", async () => {
    const sink = new HeldSink(2);
    const ids = new Ids();
    const writes = new WritePath(sink, ids as unknown as IdStore);
    await writes.submit(batch(1));
    await writes.submit(batch(2));
    let drained = false;
    const d = writes.drain().then(() => (drained = true));
    sink.held[0].resolve();
    await tick();
    assert.equal(drained, false);
    sink.held[1].resolve();
    await d;
    assert.deepEqual(ids.kept, [1, 2]);
  });
});
