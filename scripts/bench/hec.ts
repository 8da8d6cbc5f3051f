// H1, the standalone collector: records/s delivered to HEC (the stand-in in test/hec, indexer
// acknowledgement on, 100 ms to index) by the packaged collector --once, beside the packaged
// modular input's records/s on the same simulated backlog (splunkd harness), each a whole run.
import { DEFAULT_TENANT_ID, defaultTenant } from "../../test/simulator";
import { startCollector } from "../../test/lib/collector";
import { startWorld } from "../../test/lib/world";
import { fmt, int, type BenchPart } from "./part";

export const hec: BenchPart = {
  name: "H1",
  title: "H1 standalone collector to HEC beside the modular input",
  async run({ quick, log }) {
    const backlog = quick ? { days: 1, blobsPerHour: 4, recordsPerBlob: 50, seed: 9 } : { days: 1, blobsPerHour: 12, recordsPerBlob: 200, seed: 9 };
    const world = await startWorld({ simulator: { tenants: [{ ...defaultTenant(), backlog }] }, retryScale: 1 });
    try {
      const held = world.sim.recordIds(DEFAULT_TENANT_ID, "Audit.General").size;
      world.addInput("bench", { backfill_hours: "30" });
      let started = Date.now();
      const input = await world.run("bench", { timeoutMs: 600_000 });
      const inputSeconds = (Date.now() - started) / 1000;
      // The newest blob can sit inside the collector's 60 s lag for one run and not the other: each rate counts its own run's records.
      const records = input.events.length;
      if (records < held - backlog.recordsPerBlob) throw new Error(`the modular input wrote ${records} of ${held} records`);
      const collector = await startCollector(world, { hec: { indexDelayMs: 100 }, input: { backfill_hours: 30 } });
      try {
        started = Date.now();
        const exit = await collector.run(["--config", "collector.json", "--once"], 600_000);
        const hecSeconds = (Date.now() - started) / 1000;
        const indexed = collector.hec.indexed.length;
        if (exit.code !== 0 || indexed < records) throw new Error(`the collector delivered ${indexed} records, the input ${records} (exit ${exit.code})`);
        const posts = collector.hec.requestLog.filter((r) => r.path.endsWith("/event")).length;
        const hecRate = indexed / hecSeconds;
        const inputRate = records / inputSeconds;
        log(`H1: ${indexed} records to HEC, ${records} to stdout; modular input ${int(inputRate)}/s, collector to HEC ${int(hecRate)}/s (${posts} event POSTs)`);
        return {
          rows: [
            { id: "H1", figure: "standalone collector to HEC (ack on), whole --once run: records/s", measured: int(hecRate), target: "" },
            { id: "H1b", figure: "modular input to stdout, same backlog, whole run: records/s", measured: `${int(inputRate)} (HEC ${fmt(hecRate / inputRate)}x)`, target: "" },
          ],
          details: [
            `- **H1** ${int(indexed)} records (the input: ${int(records)}) in ${backlog.days * 24 * backlog.blobsPerHour} blobs of ${backlog.recordsPerBlob}; the packaged collector --once to the HEC stand-in (gzip, indexer acknowledgement, 100 ms from accept to ack true, up to 8 batches unacknowledged), ${posts} event POSTs; the packaged input through the splunkd harness on the same simulator. Wall time of each whole run, process start included.`,
          ],
        };
      } finally {
        await collector.close();
      }
    } finally {
      await world.close();
    }
  },
};
