import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { formatLine } from "../../../src/splunk/logger";
import { formatJsonLine } from "../../../src/standalone/jsonLogger";
import { compileEval, toFieldValues } from "../../lib/spl/evalExpr";
import { expandMacros, splitTopLevel } from "../../lib/splLint";
import { APP_ROOT, loadContext } from "./appContext";

/**
 * A splunkd.log line for what a modular input wrote to stderr (docs/reference/splunk-platform.md 1.7:
 * `<time> <LEVEL> ExecProcessor [pid thread] - message from "<command>" <text>`). Whether splunkd
 * keeps our leading level word in the text is not documented, so both forms are tried.
 */
function splunkdLine(text: string, keepLevel: boolean): string {
  const shown = keepLevel ? text : text.replace(/^\S+\s/, "");
  return `11-26-2026 07:00:01.234 +0000 INFO  ExecProcessor [4242 ExecProcessorSchedulerThread] - message from ` +
    `"/opt/splunk/etc/apps/defender_o365/bin/defender_o365_activity.sh" ${shown}`;
}

/** Applies the `rex` commands of a macro's pipeline the way Splunk would (PCRE named groups read the same in JS). */
function rexFields(macro: string, raw: string): Record<string, string> {
  const errors: string[] = [];
  const spl = expandMacros(`\`${macro}\``, loadContext().macros, errors);
  assert.deepEqual(errors, []);
  const fields: Record<string, string> = { _raw: raw };
  for (const segment of splitTopLevel(spl, "|").map((s) => s.trim())) {
    const m = /^rex\s+(?:field=(\S+)\s+)?"((?:\\.|[^"\\])*)"$/.exec(segment);
    if (!m) continue;
    const input = fields[m[1] ?? "_raw"];
    const groups = input === undefined ? undefined : new RegExp(m[2].replace(/\\"/g, '"')).exec(input)?.groups;
    for (const [k, v] of Object.entries(groups ?? {})) if (v !== undefined) fields[k] = v;
  }
  return fields;
}

describe("collection health macros read the input's splunkd.log lines", () => {
  const summary = formatLine("INFO", "run_summary", {
    input: "tenant_a", content_type: "Audit.General", blobs: 3, records: 120, duplicates_dropped: 4,
    filtered: 1, expired: 0, unparsed: 2, pending: 1, lag_seconds: 5400, errors: 0, windows: 2, complete: true,
  });

  for (const keepLevel of [true, false]) {
    it(`run_summary counters (level word ${keepLevel ? "kept" : "consumed"} by splunkd)`, () => {
      const f = rexFields("defender_o365_run_summary", splunkdLine(summary, keepLevel));
      assert.equal(f.level, keepLevel ? "INFO" : undefined);
      assert.match(f.log_text, /^run_summary /);
      assert.deepEqual(
        [f.input, f.content_type, f.blobs, f.records, f.duplicates_dropped, f.filtered, f.unparsed, f.pending, f.lag_seconds, f.errors, f.windows],
        ["tenant_a", "Audit.General", "3", "120", "4", "1", "2", "1", "5400", "0", "2"],
      );
    });
  }

  it("cause and a quoted input name of a WARN line", () => {
    const line = formatLine("WARN", "throttled by the API; backing off", { input: "Contoso prod", cause: "throttled", retry_after: 30 });
    const f = rexFields("defender_o365_collection_problems", splunkdLine(line, true));
    assert.equal(f.level, "WARN");
    assert.equal(f.cause, "throttled");
    assert.equal(f.input, '"Contoso prod"', "captured with its quotes; the macro's eval trims them");
    assert.match(loadContext().macros.get("defender_o365_collection_fields")?.definition ?? "", /eval input=trim\(input, "\\""\)/);
  });

  // splunkd's own lines when `--scheme` fails at start (docs/reference/splunkd-log.md).
  const node = formatLine("ERROR", "No Node.js 20.18.1 or later found", { cause: "node_missing" });
  const startup = [
    `11-26-2026 07:00:01.234 +0000 ERROR ModularInputs [1 MainThread] - <stderr> Introspecting scheme=defender_o365_activity: ${node}`,
    "11-26-2026 07:00:01.300 +0000 ERROR ModularInputs [1 MainThread] - Introspecting scheme=defender_o365_activity: script running failed (exited with code 1).",
    '11-26-2026 07:00:01.310 +0000 ERROR ModularInputs [1 MainThread] - Unable to initialize modular input "defender_o365_activity" defined in the app "defender_o365": Introspecting scheme=defender_o365_activity: script running failed (exited with code 1)..',
  ];

  it("ModularInputs lines of this scheme: introspection stderr with its cause, failure, not initialised", () => {
    const macros = loadContext().macros;
    assert.match(macros.get("defender_o365_startup_log")?.definition ?? "", /component=ModularInputs "scheme=defender_o365_activity"/);
    const [stderr, failed, init] = startup.map((l) => rexFields("defender_o365_startup_problems", l));
    assert.equal(stderr.cause, "node_missing");
    assert.match(stderr.log_text, /^ERROR No Node\.js/);
    assert.equal(failed.log_text, "script running failed (exited with code 1).");
    assert.equal(failed.cause, undefined);
    assert.equal(init.log_text, "script running failed (exited with code 1)..");
  });

  it("the collection health dashboard, an alert and the README's node_missing search cover them", () => {
    const saved = fs.readFileSync(path.join(APP_ROOT, "default", "savedsearches.conf"), "utf8");
    assert.match(saved, /^search = `defender_o365_startup_problems`/m);
    const view = fs.readFileSync(path.join(APP_ROOT, "default", "data", "ui", "views", "collection_health.xml"), "utf8");
    assert.match(view, /defender_o365_startup_problems/);
    const readme = fs.readFileSync(path.join(APP_ROOT, "README.md"), "utf8");
    const search = /`(index=_internal[^`]*cause=node_missing[^`]*)`/.exec(readme)?.[1] ?? "";
    assert.match(search, /component=ExecProcessor/);
    assert.match(search, /component=ModularInputs/);
  });

  // The standalone collector's JSON log (docs/standalone-collector.md): KV_MODE json extracts its
  // keys, then the macros' rex, eval and where run on the line as Splunk would.
  const collectorRow = (macro: string, line: string): Record<string, string> | undefined => {
    const errors: string[] = [];
    const spl = expandMacros(`\`${macro}\``, loadContext().macros, errors);
    assert.deepEqual(errors, []);
    assert.match(spl, /sourcetype="defender_o365:collector"/);
    const fields: Record<string, string> = { _raw: line, sourcetype: "defender_o365:collector" };
    for (const [k, v] of Object.entries(JSON.parse(line) as Record<string, unknown>)) fields[k] = String(v);
    const env = (name: string): string[] | undefined => (fields[name] === undefined ? undefined : [fields[name]]);
    for (const segment of splitTopLevel(spl, "|").map((x) => x.trim()).slice(1)) {
      const rex = /^rex\s+(?:field=(\S+)\s+)?"((?:\\.|[^"\\])*)"$/.exec(segment);
      if (rex) {
        const input = fields[rex[1] ?? "_raw"];
        const groups = input === undefined ? undefined : new RegExp(rex[2].replace(/\\"/g, '"')).exec(input)?.groups;
        for (const [k, v] of Object.entries(groups ?? {})) if (v !== undefined) fields[k] = v;
      } else if (segment.startsWith("eval ")) {
        for (const assignment of splitTopLevel(segment.slice(5), ",")) {
          const eq = assignment.indexOf("=");
          const expr = assignment.slice(eq + 1).trim();
          // trim() is outside the eval subset test/lib/spl implements; the macro only strips quotes with it.
          const trimmed = /^trim\((\w+), "\\""\)$/.exec(expr);
          const value = trimmed ? (fields[trimmed[1]] === undefined ? undefined : [fields[trimmed[1]].replace(/^"+|"+$/g, "")]) : toFieldValues(compileEval(expr).run(env));
          if (value === undefined) delete fields[assignment.slice(0, eq).trim()];
          else fields[assignment.slice(0, eq).trim()] = value[0];
        }
      } else if (segment.startsWith("where ")) {
        if (compileEval(segment.slice(6)).run(env) !== true) return undefined;
      }
    }
    return fields;
  };

  it("reads the standalone collector's JSON run_summary and problem lines", () => {
    const summaryLine = formatJsonLine("INFO", "run_summary", { input: "tenant a", content_type: "Audit.General", blobs: 3, records: 120, duplicates_dropped: 4, filtered: 1, expired: 0, lag_seconds: 5400, errors: 0, windows: 2, complete: true });
    const row = collectorRow("defender_o365_run_summary", summaryLine);
    assert.ok(row, "the where clause keeps the run_summary line");
    assert.deepEqual(
      [row.level, row.log_text, row.input, row.content_type, row.records, row.lag_seconds, row.windows],
      ["INFO", "run_summary", "tenant a", "Audit.General", "120", "5400", "2"],
    );
    const warn = formatJsonLine("WARN", 'HEC did not take the batch (HTTP 503 code 9 "Server is busy"); sending it again in 900 ms', { input: "tenant a", cause: "hec_busy", retry: 1 });
    const problem = collectorRow("defender_o365_collection_problems", warn);
    assert.deepEqual([problem?.level, problem?.cause, problem?.input], ["WARN", "hec_busy", "tenant a"]);
    assert.equal(collectorRow("defender_o365_collection_problems", formatJsonLine("INFO", "Collector started", { mode: "once" })), undefined);
  });
});
