import { strict as assert } from "node:assert";
import { formatLine } from "../../../src/splunk/logger";
import { expandMacros, splitTopLevel } from "../../lib/splLint";
import { loadContext } from "./appContext";

/**
 * A splunkd.log line for what a modular input wrote to stderr (splunk-platform reference 1.7:
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
    filtered: 1, expired: 0, lag_seconds: 5400, errors: 0, windows: 2, complete: true,
  });

  for (const keepLevel of [true, false]) {
    it(`run_summary counters (level word ${keepLevel ? "kept" : "consumed"} by splunkd)`, () => {
      const f = rexFields("defender_o365_run_summary", splunkdLine(summary, keepLevel));
      assert.equal(f.level, keepLevel ? "INFO" : undefined);
      assert.match(f.log_text, /^run_summary /);
      assert.deepEqual(
        [f.input, f.content_type, f.blobs, f.records, f.duplicates_dropped, f.filtered, f.lag_seconds, f.errors, f.windows],
        ["tenant_a", "Audit.General", "3", "120", "4", "1", "5400", "0", "2"],
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
});
