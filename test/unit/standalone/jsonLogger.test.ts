import { strict as assert } from "node:assert";
import { createJsonLogger, formatJsonLine } from "../../../src/standalone/jsonLogger";

describe("standalone/jsonLogger: JSON lines on stderr", () => {
  it("writes one JSON object per line with level, message, the fields and the child's fields", () => {
    const lines: string[] = [];
    const at = new Date("2026-01-02T03:04:05.000Z");
    const log = createJsonLogger((l) => lines.push(l), "INFO", () => at).child({ input: "contoso" });
    log.debug("hidden");
    log.warn("HEC is busy\nretrying", { cause: "hec_busy", retry: 2, gone: undefined });
    log.info("run_summary", { content_type: "Audit.General", records: 3, complete: true });
    assert.equal(lines.length, 2);
    assert.deepEqual(JSON.parse(lines[0]), { time: "2026-01-02T03:04:05.000Z", level: "WARN", message: "HEC is busy\nretrying", input: "contoso", cause: "hec_busy", retry: 2 });
    assert.ok(!lines[0].includes("\n"), "a line break in a value is escaped");
    assert.deepEqual(JSON.parse(lines[1]), { time: at.toISOString(), level: "INFO", message: "run_summary", input: "contoso", content_type: "Audit.General", records: 3, complete: true });
  });

  it("never lets a field overwrite level or message", () => {
    const line = JSON.parse(formatJsonLine("ERROR", "m", { level: "INFO", message: "x", cause: "throttled" })) as Record<string, unknown>;
    assert.equal(line.level, "ERROR");
    assert.equal(line.message, "m");
    assert.equal(line.cause, "throttled");
  });
});
