import { strict as assert } from "node:assert";
import { emptyCheckpoint } from "../../../src/collector/checkpoint";
import type { CollectorRun } from "../../../src/collector/collectorRun";
import { ensureSubscriptions, startSubscription } from "../../../src/collector/subscriptions";
import type { ContentType } from "../../../src/config/inputConfig";
import { createLogger } from "../../../src/splunk/logger";
import { FakeApi } from "./fakeApi";

// The subscriptions transaction on a bare run: only the fields subscriptions.ts reads.
const NOW = new Date("2026-11-20T12:00:00.000Z");
function fixture(contentTypes: ContentType[], autoSubscribe = true) {
  const api = new FakeApi();
  const logs: string[] = [];
  let clockReads = 0;
  const state = emptyCheckpoint("t1");
  const run = {
    api,
    state,
    config: { contentTypes, autoSubscribe },
    logger: createLogger((l) => logs.push(l), "DEBUG"),
    now: () => NOW,
    readClock: () => void clockReads++,
  } as unknown as CollectorRun;
  return { run, api, logs, state, clockReads: () => clockReads };
}

describe("subscriptions", () => {
  it("starts the missing and disabled ones (any letter case counts as the same), and reads the API's clock", async () => {
    const f = fixture(["Audit.General", "Audit.Exchange", "DLP.All"]);
    f.api.subscriptions = [
      { contentType: "audit.general", status: "ENABLED", webhook: null },
      { contentType: "Audit.Exchange", status: "disabled", webhook: null },
    ];
    await ensureSubscriptions(f.run);
    assert.deepEqual(f.api.calls, ["list", "start Audit.Exchange", "start DLP.All"]);
    assert.equal(f.clockReads(), 1);
    assert.deepEqual(
      f.logs.map((l) => l.split(";")[0]),
      [
        "INFO Started the Audit.Exchange subscription (it was disabled)",
        "INFO Started the DLP.All subscription (it was missing)",
      ],
    );
    assert.equal(f.state.contentTypes["DLP.All"].lastStartAttempt, NOW.toISOString());
    assert.equal(f.state.contentTypes["Audit.General"], undefined);
  });

  it("with auto_subscribe = 0 it starts nothing and says so at ERROR", async () => {
    const f = fixture(["Audit.General"], false);
    await ensureSubscriptions(f.run);
    assert.deepEqual(f.api.calls, ["list"]);
    assert.equal(f.logs.length, 1);
    assert.match(f.logs[0], /^ERROR The Audit\.General subscription is missing and auto_subscribe is 0: start it, or set auto_subscribe = 1 cause=subscription_disabled content_type=Audit\.General$/);
    assert.equal(f.state.contentTypes["Audit.General"].lastStartAttempt, undefined);
  });

  it("starts again only 15 minutes after the last start", async () => {
    const f = fixture(["Audit.General"]);
    const ct = () => f.state.contentTypes["Audit.General"] ?? (f.state.contentTypes["Audit.General"] = { doneBlobs: {}, pending: [] });
    ct().lastStartAttempt = new Date(NOW.getTime() - 15 * 60_000 + 1).toISOString();
    await startSubscription(f.run, "Audit.General", "disabled");
    assert.deepEqual(f.api.calls, []);
    assert.match(f.logs[0], /^WARN The Audit\.General subscription is disabled; the last start was under 15 minutes ago, so the next run will try again cause=subscription_disabled content_type=Audit\.General$/);
    ct().lastStartAttempt = new Date(NOW.getTime() - 15 * 60_000).toISOString();
    await startSubscription(f.run, "Audit.General", "disabled");
    assert.deepEqual(f.api.calls, ["start Audit.General"]);
    assert.equal(ct().lastStartAttempt, NOW.toISOString());
    assert.match(f.logs[1], /^INFO Started the Audit\.General subscription \(it was disabled\); new subscriptions can take up to 12 hours to deliver content content_type=Audit\.General$/);
  });
});
