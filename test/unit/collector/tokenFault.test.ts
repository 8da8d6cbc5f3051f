import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TokenError } from "../../../src/auth/tokenErrors";
import { collect } from "../../../src/collector/collect";
import type { EventSink } from "../../../src/splunk/eventSink";
import { createLogger } from "../../../src/splunk/logger";
import { testConfig } from "../../lib/testConfig";
import { FakeApi } from "./fakeApi";

// A token refused mid-run is a configuration fault like an AF10001: the run stops with one ERROR
// carrying the token's cause, whatever class the token error is.
describe("collect: a refused token", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "token-fault-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("stops the run with the token's cause and fix", async () => {
    const api = new FakeApi();
    api.subscriptions = [{ contentType: "Audit.General", status: "enabled", webhook: null }];
    api.listErrors = [new TokenError("Token request failed (AADSTS7000215): the client secret is wrong or expired: re-enter it", "auth_failed", "AADSTS7000215")];
    const logs: string[] = [];
    const sink: EventSink = { write: async () => undefined, close: async () => undefined };
    const result = await collect({
      config: testConfig({ clientSecret: "s" }),
      api,
      sink,
      logger: createLogger((l) => logs.push(l), "DEBUG"),
      checkpointDir: dir,
      signal: new AbortController().signal,
      blobRetryDelayMs: () => 0,
    });
    assert.equal(result.fatal?.cause, "auth_failed");
    const errors = logs.filter((l) => l.startsWith("ERROR"));
    assert.equal(errors.length, 1, errors.join("\n"));
    assert.match(errors[0], /re-enter it.*cause=auth_failed/);
  });
});
