// `npm start`: the packaged app's modular input, run exactly as splunkd runs it (the splunkd
// harness: XML on stdin, the event stream on stdout, stderr as splunkd.log), against the
// embedded Management Activity API simulator holding ten days of a synthetic tenant's
// Defender for Office 365 traffic: the Activity API serves the last 7, and the input's Graph
// backfill (graph_backfill = 1) collects the 3 before them from the simulator's Microsoft Graph
// audit log query API (served on beta only, as a live tenant did). Prints what Splunk would
// have indexed.
import { DEFAULT_TENANT_ID, defaultTenant } from "../test/simulator";
import type { StreamEvent } from "../test/harness/eventStream";
import { startWorld, type World } from "../test/lib/world";
import { indexedId, startCollector } from "../test/lib/collector";

const DAYS = 10;
const HOUR = 3_600_000;

type Rec = Record<string, unknown>;

function table(rows: [string, string | number][]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${String(v).padStart(7)}`).join("\n");
}

function clip(value: unknown, n = 70): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  const clean = (text ?? "").replace(/[\u0000-\u001f\u007f]/g, "·");
  return clean.length > n ? clean.slice(0, n - 1) + "…" : clean;
}

/** A few detections an analyst would look at first. */
function samples(events: StreamEvent[]): string[] {
  const parsed = events.map((e) => ({ e, r: JSON.parse(e.data) as Rec }));
  const pick = (sourcetype: string, test: (r: Rec) => boolean) => parsed.find((x) => x.e.sourcetype === sourcetype && test(x.r));
  const lines: string[] = [];
  const mail = pick("o365:defender:email", (r) => r.DeliveryAction === "Delivered" && r.Verdict !== "Spam") ?? pick("o365:defender:email", () => true);
  if (mail) {
    const r = mail.r;
    lines.push(`  email   ${r.Verdict} delivered to ${clip(r.Recipients, 40)} from ${r.P2Sender} (${r.SenderIp}); subject ${clip(r.Subject, 50)}`);
  }
  const click = pick("o365:defender:urlclick", (r) => [4, 5, "4", "5"].includes((r.UrlClickAction ?? r.URLClickAction) as number));
  if (click) lines.push(`  click   ${click.r.UserId} clicked through a Safe Links warning to ${clip(click.r.Url ?? click.r.URL, 50)}`);
  const file = pick("o365:defender:file", () => true);
  if (file) {
    const data = (file.r.FileData ?? {}) as Rec;
    lines.push(`  file    ${clip(data.FileName, 40)} (${clip(data.MalwareFamily, 30)}) last modified by ${file.r.LastModifiedBy}`);
  }
  const air = pick("o365:defender:air", () => true);
  if (air) lines.push(`  AIR     ${clip(air.r.InvestigationName, 50)}: ${air.r.Status}`);
  const alert = pick("o365:defender:alert", () => true);
  if (alert) lines.push(`  alert   ${clip(alert.r.Name ?? alert.r.Operation, 50)} (${alert.r.Severity ?? "?"})`);
  return lines;
}

/**
 * The standalone collector (docs/standalone-collector.md) on the same tenant, from the packaged
 * app, into the HEC stand-in with indexer acknowledgement: what HEC indexed, twice --once.
 */
async function demoCollector(world: World, owed: ReadonlySet<string>): Promise<boolean> {
  console.log("\nThe standalone collector (bin/defender_o365_collector.sh --once) into a HEC stand-in with indexer acknowledgement:");
  // The same arguments as the modular input above: 240 h, the oldest 3 days from Graph.
  const input = { backfill_hours: DAYS * 24, graph_backfill: "1", graph_url: world.sim.url };
  const collector = await startCollector(world, { input, hec: { indexDelayMs: 200, faults: { busyCount: 2 } } });
  try {
    const lines = (logs: { level: string; message: string; cause?: string }[]) =>
      logs.filter((l) => /run_summary|run_complete/.test(l.message) || l.level === "WARN" || l.level === "ERROR").map((l) => `  stderr: ${JSON.stringify(l)}`);
    for (const run of [1, 2]) {
      const exit = await collector.run(["--config", "collector.json", "--once"]);
      console.log(`Run ${run} (exit ${exit.code}):\n${lines(exit.logs).join("\n")}`);
    }
    const ids = new Set(collector.hec.indexed.map(indexedId));
    const missing = [...owed].filter((id) => !ids.has(id)).length;
    const requests = collector.hec.requestLog;
    console.log(
      table([
        ["HEC event requests", requests.filter((r) => r.path.endsWith("/event")).length],
        ["answered 503 busy", requests.filter((r) => r.fault === "busy").length],
        ["ack queries", requests.filter((r) => r.path.endsWith("/ack")).length],
        ["events indexed", collector.hec.indexed.length],
        ["distinct record Ids", ids.size],
        ["records of the last 240 h", owed.size],
        ["of them missing", missing],
      ]),
    );
    const ok = missing === 0 && collector.hec.indexed.length === ids.size;
    console.log(ok ? "HEC indexed every record exactly once." : "MISMATCH in what HEC indexed: see above");
    return ok;
  } finally {
    await collector.close();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  console.log(`Starting the Activity API and Graph simulator (${DAYS} days of a synthetic tenant) and installing the packaged app…`);
  const world = await startWorld({
    simulator: { tenants: [{ ...defaultTenant(), backlog: { days: DAYS, blobsPerHour: 3, recordsPerBlob: 20, seed: 2026 } }], graph: { versions: ["beta"], pageSize: 500 } },
    retryScale: 1,
  });
  try {
    // 240 h: 7 days from the Activity API, the 3 before them from Microsoft Graph.
    world.addInput("demo", { backfill_hours: String(DAYS * 24), graph_backfill: "1", graph_url: world.sim.url });
    const startedAt = world.sim.now();
    console.log(`  simulator ${world.sim.url}   app ${world.splunkd.appDir}\n`);

    console.log("Run 1: first collection (backfill), as splunkd starts the input:");
    const first = await world.run("demo", { timeoutMs: 120_000 });
    const summary = (logs: { raw: string }[]) =>
      logs.filter((l) => /run_summary|run_complete|graph_backfill_summary|Microsoft Graph|^(WARN|ERROR)/.test(l.raw)).map((l) => `  splunkd.log: ${l.raw}`);
    console.log(summary(first.logs).join("\n"));

    // The service keeps publishing: new content, and records it already delivered (duplicates by design).
    const known = [...world.sim.records(DEFAULT_TENANT_ID, "Audit.General").values()].slice(0, 30);
    world.sim.publish(DEFAULT_TENANT_ID, "Audit.General", known, { contentCreated: new Date(world.sim.now() - 5 * 60_000) });
    console.log("\nRun 2, after the service re-published 30 records it had already delivered:");
    const second = await world.run("demo");
    console.log(summary(second.logs).join("\n"));

    const events = [...first.events, ...second.events];
    const bySourcetype = new Map<string, number>();
    for (const e of events) bySourcetype.set(e.sourcetype ?? "?", (bySourcetype.get(e.sourcetype ?? "?") ?? 0) + 1);
    // Owed: every record of the last 240 h (a minute of margin for the run's start), and the 30 re-published.
    const from = startedAt - DAYS * 24 * HOUR + 60_000;
    const owed = [...world.sim.records(DEFAULT_TENANT_ID, "Audit.General").values()].filter((r) => Date.parse(`${String(r.CreationTime)}Z`) >= from);
    const ids = new Set(events.map((e) => (JSON.parse(e.data) as Rec).Id));
    const missing = owed.filter((r) => !ids.has(r.Id)).length;
    const asked = [...world.sim.graph.queries.values()].map((q) => `${((q.end - q.start) / HOUR).toFixed(1)} h on ${q.version}`);
    console.log(`\nWhat Splunk would have indexed (index=${events[0]?.index ?? "default"}, source=defender_o365:${DEFAULT_TENANT_ID}:Audit.General):`);
    console.log(table([...bySourcetype.entries()].sort((a, b) => b[1] - a[1])));
    console.log(table([["total events", events.length], ["distinct record Ids", ids.size], ["records of the last 240 h", owed.length], ["of them missing", missing]]));
    console.log(`  Graph audit log queries: ${asked.join(", ") || "none"}`);
    console.log("\nA few detections:");
    console.log(samples(events).join("\n"));
    const ok = missing === 0 && ids.size === events.length;
    console.log(`\n${ok ? "Every record exactly once" : "MISMATCH: see above"}; demo took ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    console.log("Search it in Splunk with: `defender_o365_index` sourcetype=o365:defender:*");
    if (!ok) process.exitCode = 1;
    if (!(await demoCollector(world, new Set(owed.map((r) => String(r.Id)))))) process.exitCode = 1;
  } finally {
    await world.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
