// The splunkd.log line format: `LEVEL message key=value ...`, one line per message, values
// quoted when splunkd's key=value extraction would split them.
import { strict as assert } from "node:assert";
import { createLogger, formatLine, formatValue } from "../../../src/splunk/logger";

describe("splunk/logger", () => {
  it("writes plain values bare and quotes those with spaces, quotes, = or nothing", () => {
    assert.equal(formatValue("abc"), "abc");
    assert.equal(formatValue(42), "42");
    assert.equal(formatValue(false), "false");
    assert.equal(formatValue("a b"), '"a b"');
    assert.equal(formatValue("a\tb"), '"a\tb"');
    assert.equal(formatValue("k=v"), '"k=v"');
    assert.equal(formatValue(""), '""');
    assert.equal(formatValue('say "hi"'), '"say \\"hi\\""');
    assert.equal(formatValue('C:\\dir "x"'), '"C:\\\\dir \\"x\\""');
    assert.equal(formatValue('back\\slash'), "back\\slash");
  });

  it("keeps one message on one line: runs of CR and LF become one space", () => {
    assert.equal(formatValue("a\r\n\nb"), '"a b"');
    assert.equal(formatLine("WARN", "first\r\n\r\nsecond", { detail: "x\ny" }), 'WARN first second detail="x y"');
  });

  it("leaves out undefined and null fields, keeps false, 0 and empty text", () => {
    assert.equal(formatLine("INFO", "m", { a: undefined, b: null, c: false, d: 0, e: "" }), 'INFO m c=false d=0 e=""');
  });

  it("writes each level at or above the threshold, with the child's fields first", () => {
    const lines: string[] = [];
    const log = createLogger((l) => lines.push(l), "INFO", { input: "x" });
    log.debug("d");
    log.info("i", { n: 1 });
    log.warn("w");
    log.error("e");
    log.child({ content_type: "Audit.General" }).info("c", { input: "y" });
    assert.deepEqual(lines, ["INFO i input=x n=1", "WARN w input=x", "ERROR e input=x", "INFO c input=y content_type=Audit.General"]);
    const all: string[] = [];
    createLogger((l) => all.push(l), "DEBUG").debug("d");
    assert.deepEqual(all, ["DEBUG d"]);
  });
});
