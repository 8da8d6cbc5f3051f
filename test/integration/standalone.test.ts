// The packaged standalone collector (bin/defender_o365_collector.sh from the extracted archive)
// against the Activity API simulator and the HEC stand-in: every record once with the modular
// input's exact event text and metadata, HEC busy or acknowledging late, SIGKILL and SIGTERM,
// and no secret in logs or state.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_TENANT_ID } from "../simulator";
import { COLLECTOR_HOST, COLLECTOR_INDEX, indexedId, startCollector, type Collector, type CollectorExit } from "../lib/collector";
import { eventId, startWorld, type World } from "../lib/world";
import type { IndexedEvent } from "../hec/server";

const ONCE = ["--config", "collector.json", "--once"];

function eventPosts(c: Collector): number {
  return c.hec.requestLog.filter((r) => r.path === "/services/collector/event" && r.status === 200).length;
}

function assertNoSecret(c: Collector, exits: CollectorExit[]): void {
  const texts = exits.map((e) => e.stderr + e.stdout);
  const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)]));
  for (const file of walk(c.stateDir)) texts.push(fs.readFileSync(file).toString("latin1"));
  for (const secret of c.secrets) for (const t of texts) assert.ok(!t.includes(secret), "a secret leaked into the log or the state");
}

function idsOf(events: readonly IndexedEvent[]): string[] {
  return events.map(indexedId);
}

describe("standalone collector end to end (packaged app, simulator, HEC stand-in)", function () {
  this.timeout(180_000);
  let world: World | undefined;
  let collector: Collector | undefined;
  afterEach(async () => {
    await collector?.close();
    await world?.close();
    collector = undefined;
    world = undefined;
  });

  it("--once delivers every record once with the modular input's event text and metadata; a second --once sends nothing", async () => {
    world = await startWorld({ retryScale: 1 });
    collector = await startCollector(world);
    const first = await collector.run(ONCE);
    assert.equal(first.code, 0, first.stderr);
    assert.ok(first.logs.every((l) => l.level !== "NOT_JSON"), "every log line is JSON");
    const summary = first.logs.find((l) => l.message === "run_summary");
    assert.equal(summary?.input, "contoso");
    assert.equal(summary?.complete, true);

    const expected = world.sim.recordIds(DEFAULT_TENANT_ID, "Audit.General");
    const got = idsOf(collector.hec.indexed);
    assert.equal(got.length, expected.size, "every record, none twice");
    assert.deepEqual(new Set(got), new Set(expected));

    // The modular input on the same tenant: HEC's events carry its exact text and metadata.
    world.addInput("contoso", { host: COLLECTOR_HOST, index: COLLECTOR_INDEX });
    const xml = await world.run("contoso");
    assert.equal(xml.code, 0);
    const key = (id: string, data: string, time?: number, host?: string, source?: string, sourcetype?: string, index?: string): string => JSON.stringify([id, data, time, host, source, sourcetype, index]);
    const fromHec = collector.hec.indexed.map((e) => key(indexedId(e), e.event as string, e.time, e.host, e.source, e.sourcetype, e.index)).sort();
    const fromXml = xml.events.map((e) => key(eventId(e), e.data, e.time, e.host, e.source, e.sourcetype, e.index)).sort();
    assert.deepEqual(fromHec, fromXml);

    const posts = eventPosts(collector);
    const second = await collector.run(ONCE);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(eventPosts(collector), posts, "the second run sends nothing");
    assertNoSecret(collector, [first, second]);
  });
});
