// Kill test (issue 7): the packaged input, run through the splunkd harness against the
// simulator, is SIGKILLed at random points (token, listing pages, blob downloads, event writes,
// checkpoint commits) and restarted each time. Nothing may be lost; a kill may repeat at most
// the one write batch in flight (500 events). SOAK=1 runs the full count.
import { strict as assert } from "node:assert";
import { DEFAULT_TENANT_ID, defaultTenant } from "../../src/simulator";
import type { StreamEvent } from "../harness/eventStream";
import { eventId, startWorld, type World } from "../lib/world";

const KILLS = process.env.SOAK ? 60 : 12;
const BATCH = 500;

/** Seeded, so a failure can be replayed with the printed seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return s / 2 ** 32;
  };
}

describe(`kill test: ${KILLS} SIGKILLs at random points`, function () {
  this.timeout(KILLS * 10_000 + 60_000);
  let world: World;
  after(async () => world?.close());

  it("loses nothing and repeats at most one batch per kill", async () => {
    const seed = Number(process.env.KILL_SEED ?? Date.now() % 1e9);
    const random = rng(seed);
    const note = `seed ${seed} (replay with KILL_SEED=${seed})`;
    world = await startWorld({
      simulator: {
        tenants: [{ ...defaultTenant(), backlog: { days: 3, blobsPerHour: 6, recordsPerBlob: 40, seed: 11 } }],
        pageSize: 25,
      },
    });
    world.sim.setFaults({ latencyMs: 2 });
    world.addInput("kill", { backfill_hours: "72", max_concurrency: "4" });
    const expected = world.sim.recordIds(DEFAULT_TENANT_ID, "Audit.General");

    const delivered = new Set<string>();
    const phases: Record<string, number> = {};
    let repeats = 0;
    let worstRepeat = 0;
    const account = (events: readonly StreamEvent[]): number => {
      let again = 0;
      for (const e of events) {
        const id = eventId(e);
        if (delivered.has(id)) again++;
        delivered.add(id);
      }
      return again;
    };

    for (let k = 0; k < KILLS; k++) {
      const handle = world.start("kill");
      const before = world.sim.requestLog.length;
      // Kill after a random delay: early ones land in start-up, token and listing, later ones
      // in blob downloads, event writes and checkpoint commits.
      await new Promise((r) => setTimeout(r, 300 + random() * 1500));
      handle.kill("SIGKILL");
      const exit = await handle.exited;
      const last = world.sim.requestLog.slice(before).at(-1);
      const phase = exit.signal === "SIGKILL" ? (last ? last.kind : "startup") : "finished";
      phases[phase] = (phases[phase] ?? 0) + 1;
      const again = account(handle.events);
      repeats += again;
      worstRepeat = Math.max(worstRepeat, again);
      assert.ok(again <= BATCH, `kill ${k}: ${again} records repeated (> one batch); ${note}`);
      if (delivered.size === expected.size) break;
    }
    // Then let it finish in peace.
    for (let i = 0; i < 3 && delivered.size < expected.size; i++) {
      const r = await world.run("kill");
      assert.equal(r.code, 0, r.logs.map((l) => l.raw).join("\n"));
      const again = account(r.events);
      repeats += again;
      assert.ok(again <= BATCH, `final run repeated ${again}; ${note}`);
    }
    const lost = [...expected].filter((id) => !delivered.has(id));
    assert.deepEqual(lost, [], `lost records; ${note}`);
    assert.equal(delivered.size, expected.size);
    console.log(`      kills by phase ${JSON.stringify(phases)}, records ${expected.size}, repeats ${repeats} (worst ${worstRepeat} per kill), ${note}`);
  });
});
