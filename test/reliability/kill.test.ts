// Kill test (issue 7): the packaged input, run through the splunkd harness against the
// simulator, is SIGKILLed and restarted again and again: in turn right after its token request,
// its first listing request, its first blob request, its first event written, its first
// checkpoint commit, or at a random point once it talks to the API. The test checks that every
// one of those kinds of kill happened. Nothing may be lost; a kill may repeat at most the one
// write batch in flight (100 events on stdout). SOAK=1 runs the full count.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_TENANT_ID, defaultTenant } from "../simulator";
import type { StreamEvent } from "../harness/eventStream";
import { eventId, startWorld, type World } from "../lib/world";
import { seededRandom } from "../lib/seededRandom";

const KILLS = process.env.SOAK ? 60 : 12;
/** When each kill lands, in turn. */
const MOMENTS = ["token", "listing", "blob", "write", "commit", "random"] as const;
type Moment = (typeof MOMENTS)[number];
const BATCH = 100;


describe(`kill test: ${KILLS} SIGKILLs, at each moment in turn`, function () {
  this.timeout(KILLS * 10_000 + 60_000);
  let world: World;
  after(async () => world?.close());

  it("loses nothing and repeats at most one batch per kill", async () => {
    const seed = Number(process.env.KILL_SEED ?? Date.now() % 1e9);
    const random = seededRandom(seed);
    const note = `seed ${seed} (replay with KILL_SEED=${seed})`;
    world = await startWorld({
      simulator: {
        tenants: [{ ...defaultTenant(), backlog: { days: 3, blobsPerHour: 6, recordsPerBlob: 40, seed: 11 } }],
        pageSize: 25,
        // Quota is not the subject here (the fault suite throttles); restarts in quick succession would hit it.
        quotaPerMinute: 1_000_000,
      },
    });
    world.sim.setFaults({ latencyMs: 10 });
    world.addInput("kill", { backfill_hours: "72", max_concurrency: "4" });

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

    // The service keeps publishing while the input is killed again and again, so every restart
    // has work in flight; iterations that happen to finish before their kill do not count.
    const template = [...world.sim.records(DEFAULT_TENANT_ID, "Audit.General").values()].slice(0, 40);
    let killed = 0;
    for (let k = 0; killed < KILLS && k < KILLS * 2; k++) {
      for (let b = 0; b < 8; b++) {
        const fresh = template.map((r, i) => ({ ...r, Id: `f${String(k).padStart(7, "0")}-000${b}-4000-8000-${String(i).padStart(12, "0")}` }));
        world.sim.publish(DEFAULT_TENANT_ID, "Audit.General", fresh, { contentCreated: new Date(world.sim.now() - 5 * 60_000) });
      }
      const checkpoint = path.join(world.checkpointDir, "kill.json");
      const committedBefore = fs.existsSync(checkpoint) ? fs.statSync(checkpoint).mtimeMs : 0;
      const handle = world.start("kill");
      const before = world.sim.requestLog.length;
      const requested = (kind: string): boolean => world.sim.requestLog.slice(before).some((r) => r.kind === kind);
      const reached: Record<Moment, () => boolean> = {
        token: () => requested("token"),
        listing: () => requested("content"),
        blob: () => requested("blob"),
        write: () => handle.events.length > 0,
        commit: () => fs.existsSync(checkpoint) && fs.statSync(checkpoint).mtimeMs > committedBefore,
        random: () => requested("content") || requested("blob"),
      };
      const moment = MOMENTS[k % MOMENTS.length];
      let exited = false;
      void handle.exited.then(() => (exited = true), () => (exited = true));
      while (!reached[moment]() && !exited) await new Promise((r) => setTimeout(r, 2));
      // A random kill lands somewhere in the next few hundred ms: listing pages, blob
      // downloads, event writes and checkpoint commits all happen then.
      if (moment === "random") await new Promise((r) => setTimeout(r, random() * 400));
      handle.kill("SIGKILL");
      const exit = await handle.exited;
      const phase = exit.signal === "SIGKILL" ? moment : "finished";
      phases[phase] = (phases[phase] ?? 0) + 1;
      if (exit.signal === "SIGKILL") killed++;
      const again = account(handle.events);
      repeats += again;
      worstRepeat = Math.max(worstRepeat, again);
      assert.ok(again <= BATCH, `kill ${k}: ${again} records repeated (> one batch); ${note}`);
    }
    assert.ok(killed >= KILLS, `only ${killed} of ${KILLS} runs were still working when killed; ${note}`);
    for (const moment of MOMENTS) assert.ok((phases[moment] ?? 0) > 0, `no kill landed at "${moment}": ${JSON.stringify(phases)}; ${note}`);
    // Then let it finish in peace.
    const finalLogs: string[] = [];
    for (let i = 0; i < 3 && delivered.size < world.sim.recordIds(DEFAULT_TENANT_ID, "Audit.General").size; i++) {
      const r = await world.run("kill");
      assert.equal(r.code, 0, r.logs.map((l) => l.raw).join("\n"));
      finalLogs.push(...r.logs.map((l) => l.raw));
      const again = account(r.events);
      repeats += again;
      assert.ok(again <= BATCH, `final run repeated ${again}; ${note}`);
    }
    const expected = world.sim.recordIds(DEFAULT_TENANT_ID, "Audit.General");
    const lost = [...expected].filter((id) => !delivered.has(id));
    assert.equal(lost.length, 0, `${lost.length} lost records (e.g. ${lost.slice(0, 3).join(", ")}); ${note}\nfinal runs:\n${finalLogs.join("\n")}`);
    assert.equal(delivered.size, expected.size);
    const fetches = new Map<string, number>();
    for (const r of world.sim.requestLog) if (r.kind === "blob" && r.status === 200 && r.contentId) fetches.set(r.contentId, (fetches.get(r.contentId) ?? 0) + 1);
    const refetched = [...fetches.values()].filter((n) => n > 1).length;
    console.log(`      ${killed} kills, ${refetched} of ${fetches.size} blobs downloaded again, kills by moment ${JSON.stringify(phases)}, records ${expected.size}, repeats ${repeats} (worst ${worstRepeat} per kill), ${note}`);
  });
});
