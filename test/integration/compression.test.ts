// Compressed answers end to end (packaged app, splunkd harness, simulator): the input asks for
// gzip and deflate, and gets listings and blobs compressed with each, plus br sent unasked (a
// proxy or CDN compressing on its own). Every record arrives exactly once and exactly as served,
// the simulator's request log proves the answers were compressed, and run_summary reports the
// bytes on the wire and decoded.
import { strict as assert } from "node:assert";
import { DEFAULT_TENANT_ID } from "../simulator";
import type { Coding } from "../simulator/compression";
import { eventId, repeatedIds, startWorld, type World } from "../lib/world";
import type { LogLine } from "../harness/splunkd";

function summaryBytes(logs: readonly LogLine[]): { received: number; decoded: number } {
  const line = logs.find((l) => /run_summary/.test(l.raw));
  assert.ok(line, logs.map((l) => l.raw).join("\n"));
  const field = (name: string): number => Number(new RegExp(`${name}=(\\d+)`).exec(line.raw)?.[1] ?? NaN);
  return { received: field("bytes_received"), decoded: field("bytes_decoded") };
}

describe("compressed responses end to end (packaged app, simulator)", function () {
  this.timeout(180_000);
  let world: World;

  before(async () => {
    world = await startWorld();
  });
  after(async () => world?.close());

  const cases: { coding: Coding; when: "asked" | "always" }[] = [
    { coding: "gzip", when: "asked" },
    { coding: "deflate", when: "asked" },
    { coding: "br", when: "always" },
  ];
  for (const { coding, when } of cases) {
    it(`${coding} (${when === "asked" ? "asked for" : "sent unasked"}): listings and blobs delivered exactly, bytes in run_summary`, async () => {
      const input = `zip_${coding}`;
      world.addInput(input);
      world.sim.setFaults({ compress: { coding, when } });
      const logStart = world.sim.requestLog.length;
      const run = await world.run(input);
      world.sim.setFaults({});
      const log = run.logs.map((l) => l.raw).join("\n");
      assert.equal(run.code, 0, log);

      const served = world.sim.requestLog.slice(logStart).filter((r) => r.kind === "content" || r.kind === "blob");
      assert.ok(served.some((r) => r.kind === "blob"), "blobs were fetched");
      for (const r of served) {
        assert.equal(r.acceptEncoding, "gzip, deflate", `${r.kind} ${r.path}`);
        if (r.status === 200) assert.equal(r.contentEncoding, coding, `${r.kind} ${r.path} was answered compressed`);
      }

      assert.deepEqual(repeatedIds(run.events), []);
      const expected = world.sim.records(DEFAULT_TENANT_ID, "Audit.General");
      assert.deepEqual(new Set(run.events.map(eventId)), new Set(expected.keys()));
      for (const e of run.events) assert.deepEqual(JSON.parse(e.data), expected.get(eventId(e)));

      const bytes = summaryBytes(run.logs);
      assert.ok(bytes.decoded > 0 && bytes.received > 0, log);
      assert.ok(bytes.received * 2 < bytes.decoded, `compressed ${bytes.received} B on the wire for ${bytes.decoded} B decoded`);
    });
  }

  it("without compression run_summary's two byte counts are equal", async () => {
    world.addInput("plain");
    const logStart = world.sim.requestLog.length;
    const run = await world.run("plain");
    assert.equal(run.code, 0);
    assert.ok(world.sim.requestLog.slice(logStart).every((r) => r.contentEncoding === undefined));
    const bytes = summaryBytes(run.logs);
    assert.ok(bytes.decoded > 0);
    assert.equal(bytes.received, bytes.decoded);
  });

  it("a large gzip blob (24 MB decoded) streams through and every record arrives once", async () => {
    world.addInput("big");
    const id = world.sim.publishLarge(DEFAULT_TENANT_ID, "Audit.General", 24 * 1024 * 1024, { contentCreated: new Date(world.sim.now() - 10 * 60_000) });
    world.sim.setFaults({ compress: { coding: "gzip" } });
    const logStart = world.sim.requestLog.length;
    const run = await world.run("big", { collectEvents: true });
    world.sim.setFaults({});
    assert.equal(run.code, 0, run.logs.map((l) => l.raw).join("\n"));
    const big = world.sim.requestLog.slice(logStart).find((r) => r.contentId === id);
    assert.equal(big?.contentEncoding, "gzip");
    assert.deepEqual(repeatedIds(run.events), []);
    assert.deepEqual(new Set(run.events.map(eventId)), world.sim.recordIds(DEFAULT_TENANT_ID, "Audit.General"));
    const bytes = summaryBytes(run.logs);
    assert.ok(bytes.decoded > 24 * 1024 * 1024, `${bytes.decoded} B decoded`);
  });
});
