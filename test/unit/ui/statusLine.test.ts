// The Configuration page's last-run column reads splunkd.log lines in the forms a real splunkd
// writes them (docs/reference/splunkd-log.md): level in the line header, the in-text level
// taken off or kept, the script path quoted once (Linux) or twice (Windows).
import { strict as assert } from "node:assert";
import { parseLogLine, runSummaryText, statusByInput } from "../../../src/ui/model";

const SUMMARY = "run_summary input=contoso content_type=Audit.General blobs=3 records=120 duplicates_dropped=0 filtered=0 lag_seconds=95 errors=0 windows=1";
const LINUX = '11-26-2026 07:00:00.000 +0000 INFO  ExecProcessor [123 ExecProcessorSchedulerThread] - message from "/opt/splunk/etc/apps/defender_o365/bin/defender_o365_activity.sh"';
const WINDOWS = '11-26-2026 07:00:00.000 -0500 ERROR ExecProcessor - message from ""C:\\Program Files\\Splunk\\etc\\apps\\defender_o365\\bin\\defender_o365_activity.cmd""';

describe("Configuration page: last-run status from splunkd.log", () => {
  it("takes the level from the line header when splunkd took the in-text level off", () => {
    const line = parseLogLine(`${LINUX} ${SUMMARY}`, "t");
    assert.equal(line?.level, "INFO");
    assert.equal(line?.message, "run_summary");
    assert.equal(line?.fields.records, "120");
  });

  it("accepts an in-text level after the header, and the header's level wins", () => {
    const line = parseLogLine(`${LINUX.replace("INFO ", "WARN ")} INFO ${SUMMARY}`, "t");
    assert.equal(line?.level, "WARN");
    assert.equal(line?.message, "run_summary");
  });

  it("parses a Windows script path quoted twice", () => {
    const line = parseLogLine(`${WINDOWS} Token request failed input=contoso cause=auth_failed`, "t");
    assert.deepEqual([line?.level, line?.message, line?.fields.cause, line?.fields.input], ["ERROR", "Token request failed", "auth_failed", "contoso"]);
  });

  it("shows the last run for lines without an in-text level (not 'No run yet')", () => {
    const status = statusByInput([{ _time: "2026-11-26T07:05:00", _raw: `${WINDOWS.replace("ERROR", "INFO ")} ${SUMMARY}` }]);
    assert.equal(runSummaryText(status.get("contoso")), "2026-11-26T07:05:00: 120 records, lag 95 s");
  });

  it("keeps a message whole when its text holds key=value, and takes only the trailing pairs as fields", () => {
    const line = parseLogLine(`${LINUX.replace("INFO ", "WARN ")} Listing failed for filter=none of the window input=contoso cause=api_error`, "t");
    assert.equal(line?.message, "Listing failed for filter=none of the window");
    assert.deepEqual(line?.fields, { input: "contoso", cause: "api_error" });
    assert.deepEqual(parseLogLine("INFO a message with a=b inside and no fields", "t")?.fields, {});
  });

  it("still reads a bare stderr line, and refuses a line with no level", () => {
    assert.equal(parseLogLine(`WARNING ${SUMMARY}`, "t")?.level, "WARN");
    assert.equal(parseLogLine("no level here", ""), undefined);
  });
});
