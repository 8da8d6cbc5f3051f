import { strict as assert } from "node:assert";
import { parseArgs } from "../../../src/standalone/args";

describe("standalone/args: the collector's command line", () => {
  it("reads --config, --once and --check", () => {
    assert.deepEqual(parseArgs(["--config", "c.json"]), { config: "c.json", once: false, check: false });
    assert.deepEqual(parseArgs(["--once", "--config=c.json"]), { config: "c.json", once: true, check: false });
    assert.deepEqual(parseArgs(["--config", "c.json", "--check"]), { config: "c.json", once: false, check: true });
  });

  it("refuses a missing --config, unknown arguments and --once with --check, showing the usage", () => {
    for (const [argv, expected] of [
      [[], /--config <file\.json> is required/],
      [["--config"], /--config <file\.json> is required/],
      [["--config", "c.json", "--loop"], /unknown argument "--loop"/],
      [["--config", "c.json", "--once", "--check"], /--once or --check, not both/],
    ] as const) {
      const r = parseArgs(argv);
      assert.ok("error" in r);
      assert.match(r.error, expected);
      assert.match(r.error, /Usage: defender_o365_collector --config/);
    }
  });
});
