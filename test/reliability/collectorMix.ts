// The collector faults of issue 10 in the fault suite's random mix (faults.test.ts): each round
// draws API faults plus some of: a poison blob, records that are not JSON objects, a damaged
// checkpoint, a disk that fills up mid-run (always in the first round), a second run of the same input at once; the host
// clock is off by hours in either direction for the whole mix, and one round in five waits with
// production retry timing. Afterwards nothing is lost, each bad record was written once, and no
// record repeats beyond one batch per run the full disk stopped (as after a hard kill).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_TENANT_ID, defaultTenant, type Faults } from "../simulator";
import type { StreamEvent } from "../harness/eventStream";
import { eventId, startWorld, type World } from "../lib/world";
import { seededRandom } from "../lib/seededRandom";

const CT = "Audit.General";
const UNPARSED = "defender_o365:unparsed";
const DISK_FAULT = path.join(__dirname, "..", "harness", "diskFault.cjs");
/** The stdout sink's batch (src/splunk/eventWriter.ts STDOUT_BATCH_LIMIT): what one stopped run may repeat. */
const BATCH = 100;


export interface MixReport {
  seed: number;
  rounds: number;
  records: number;
  unparsed: number;
  lost: number;
  repeats: number;
  diskStops: number;
  prodWaitRounds: number;
  concurrentRuns: number;
}

export async function runCollectorMix(rounds: number, seed = Number(process.env.MIX_SEED ?? Date.now() % 1e9)): Promise<MixReport> {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const skew = pick([-10_800, 10_800]);
  const world: World = await startWorld({ simulator: { tenants: [], pageSize: 10, seed: 7 } });
  try {
    world.sim.setFaults({ clockSkewSeconds: skew });
    world.sim.addTenant({ ...defaultTenant(), backlog: { days: 2, blobsPerHour: 3, recordsPerBlob: 12, seed: 17 } });
    world.addInput("mix", { backfill_hours: "48", max_concurrency: "4" });
    const template = [...world.sim.records(DEFAULT_TENANT_ID, CT).values()].slice(0, 6);
    const rawTexts = new Set<string>();
    const rawIds = new Set<string>();
    const events: StreamEvent[] = [];
    let diskStops = 0;
    let prodWaitRounds = 0;
    let concurrentRuns = 0;
    const apiMixes: Faults[] = [
      { throttle: { fraction: 0.1, status: 403 }, resets: { fraction: 0.05 } },
      { internalErrors: { fraction: 0.1 }, truncatedBlobs: { fraction: 0.05 } },
      { garbledBlobs: { fraction: 0.05 }, latencyMs: 10 },
    ];
    for (let round = 0; round < rounds; round++) {
      // New content every round, one blob with two records that are not JSON objects.
      const fresh = template.map((r, i) => ({ ...r, Id: `ab${String(round).padStart(6, "0")}-0000-4000-8000-${String(i).padStart(12, "0")}` }));
      const raw = { 2: `{"Id": "round ${round}", bad}`, 4: `[${round}, "not an object"]` };
      world.sim.publish(DEFAULT_TENANT_ID, CT, fresh, { contentCreated: new Date(world.sim.now() - 5 * 60_000), rawTexts: raw });
      rawTexts.add(raw[2]).add(raw[4]);
      rawIds.add(String(fresh[2].Id)).add(String(fresh[4].Id));
      const blobs = world.sim.tenant(DEFAULT_TENANT_ID)!.allBlobs(CT);
      const faults: Faults = { ...pick(apiMixes), clockSkewSeconds: skew };
      if (random() < 0.5) faults.brokenBlobs = [pick(blobs).contentId];
      world.sim.setFaults(faults);
      const file = path.join(world.checkpointDir, "mix.json");
      if (random() < 0.25 && fs.existsSync(file)) {
        const state = JSON.parse(fs.readFileSync(file, "utf8")) as { contentTypes: Record<string, Record<string, unknown>> };
        if (state.contentTypes[CT]) state.contentTypes[CT].committedEnd = "not a time";
        fs.writeFileSync(file, JSON.stringify(state));
      }
      const env: Record<string, string> = {};
      if (round % 5 === 1) {
        env.DEFENDER_O365_RETRY_SCALE = "1";
        prodWaitRounds++;
      }
      // The first round (the whole backlog) always meets a full disk; later ones at random.
      const diskFull = round === 0 || random() < 0.25;
      if (diskFull) {
        env.NODE_OPTIONS = `--require ${DISK_FAULT}`;
        env.DEFENDER_TEST_DISK_FAULT = JSON.stringify({ dir: world.checkpointDir, afterBytes: 2000 + Math.floor(random() * 20_000), mode: pick(["enospc", "short"]) });
      }
      const main = world.start("mix", { env });
      // Sometimes a second run of the same input while the first works: it must do nothing.
      const second = random() < 0.3 ? await world.run("mix", { timeoutMs: 90_000 }) : undefined;
      if (second) concurrentRuns++;
      const exit = await main.exited;
      events.push(...main.events, ...(second?.events ?? []));
      // Both may write when they did not overlap (the first ended, e.g. stopped by the full disk,
      // before the second took the lock); overlapping writes would show as repeats below.
      if (second && second.events.length > 0) assert.ok(!second.logs.some((l) => l.raw.includes("cause=already_running")), `round ${round}: a run that found the lock held wrote events (seed ${seed})`);
      const stoppedByDisk = main.logs.some((l) => l.raw.includes("cause=checkpoint_unwritable"));
      if (stoppedByDisk) diskStops++;
      assert.ok(exit.code === 0 || stoppedByDisk, `round ${round}: exit ${exit.code} (seed ${seed}): ${main.logs.map((l) => l.raw).join("\n")}`);
    }
    world.sim.setFaults({ clockSkewSeconds: skew });
    for (let i = 0; i < 4; i++) {
      const r = await world.run("mix");
      events.push(...r.events);
      if (r.logs.some((l) => /run_summary .*pending=0 .*complete=true/.test(l.raw))) break;
    }
    const parsed = events.filter((e) => e.sourcetype !== UNPARSED);
    const seen = new Map<string, number>();
    for (const e of parsed) seen.set(eventId(e), (seen.get(eventId(e)) ?? 0) + 1);
    const expected = [...world.sim.recordIds(DEFAULT_TENANT_ID, CT)].filter((id) => !rawIds.has(id));
    const unparsed = events.filter((e) => e.sourcetype === UNPARSED).map((e) => e.data);
    const report: MixReport = {
      seed,
      rounds,
      records: seen.size,
      unparsed: unparsed.length,
      lost: expected.filter((id) => !seen.has(id)).length,
      repeats: [...seen.values()].reduce((n, c) => n + c - 1, 0),
      diskStops,
      prodWaitRounds,
      concurrentRuns,
    };
    assert.equal(report.lost, 0, `lost records (seed ${seed})`);
    assert.deepEqual(new Set(unparsed), rawTexts, `each bad record written (seed ${seed})`);
    assert.equal(unparsed.length, rawTexts.size, `each bad record written once (seed ${seed})`);
    assert.ok(report.repeats <= diskStops * BATCH, `repeats ${report.repeats} beyond one batch per disk stop (${diskStops}) (seed ${seed})`);
    return report;
  } finally {
    await world.close();
  }
}
