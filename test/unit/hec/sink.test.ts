// The HEC sink against the HEC stand-in (test/hec) on loopback HTTPS.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { HecError, HecSink, type HecSinkOptions } from "../../../src/hec/sink";
import { createTransport } from "../../../src/hec/transport";
import type { SplunkEvent } from "../../../src/splunk/event";
import { createLogger } from "../../../src/splunk/logger";
import { HEC_TOKEN, startHec, type HecOptions, type HecStandIn } from "../../hec/server";

const events = (n: number, tag = "r"): SplunkEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    stanza: "defender_o365_activity://t",
    time: 1700000000 + i,
    source: "defender_o365:tenant:Audit.General",
    sourcetype: "o365:defender:email",
    host: "h1",
    data: `{"Id":"${tag}${i}","Text":"q\\"uote \u00e9"}`,
  }));

describe("hec/sink: delivery to the HEC stand-in", function () {
  this.timeout(20_000);
  let hec: HecStandIn | undefined;
  let sink: HecSink | undefined;
  let lines: string[];
  let controller: AbortController;

  const open = async (hecOptions: HecOptions, sinkOptions: Partial<HecSinkOptions> = {}, token = HEC_TOKEN): Promise<HecSink> => {
    hec = await startHec(hecOptions);
    const ca = readFileSync(hec.caFile, "utf8");
    const url = hec.url;
    lines = [];
    controller = new AbortController();
    sink = new HecSink({
      transport: (channel) => createTransport({ url, token, channel, ca }),
      logger: createLogger((l) => lines.push(l), "DEBUG"),
      signal: controller.signal,
      timing: { retryBaseMs: 20, retryCapMs: 50 },
      ...sinkOptions,
    });
    return sink;
  };

  afterEach(async () => {
    controller?.abort();
    await sink?.close();
    await hec?.close();
    sink = undefined;
    hec = undefined;
  });

  it("resolves a write once HEC acknowledged it, with exact event text and metadata, gzip, one channel", async () => {
    const s = await open({ indexDelayMs: 300 });
    const batch = events(3);
    await s.write(batch);
    assert.equal(hec!.indexed.length, 3, "acknowledged means indexed");
    await s.write(events(2, "b"));
    assert.deepEqual(
      hec!.indexed.slice(0, 3).map((e) => [e.event, e.time, e.host, e.source, e.sourcetype, e.index]),
      batch.map((e) => [e.data, e.time, "h1", e.source, e.sourcetype, undefined]),
    );
    const posts = hec!.requestLog.filter((r) => r.path === "/services/collector/event");
    assert.equal(posts.length, 2);
    assert.ok(posts.every((p) => p.gzip && p.status === 200));
    assert.equal(new Set(hec!.requestLog.map((r) => r.channel)).size, 1, "one channel for the process");
    assert.equal(posts[0].channel, s.channel);
  });

  it("sends again after 503 busy and 429, without a repeat", async () => {
    const s = await open({ faults: { busyCount: 2, throttleCount: 1 } });
    await s.write(events(4));
    assert.equal(hec!.indexed.length, 4);
    assert.deepEqual(hec!.requestLog.filter((r) => r.path.endsWith("/event")).map((r) => r.status), [503, 503, 429, 200]);
    assert.equal(lines.filter((l) => /^WARN .*cause=hec_busy/.test(l)).length, 1, "one WARN per busy episode");
  });

  it("resends a batch whose ack never turns true, and only that batch", async () => {
    const s = await open({ faults: { dropAckRate: 1 } }, { timing: { ackTimeoutMs: 400, ackPollFirstMs: 50 } });
    const first = s.write(events(2, "x"));
    while (!hec!.requestLog.some((r) => r.fault === "drop_ack")) await new Promise((r) => setTimeout(r, 10));
    hec!.setFaults({});
    await first;
    const ids = hec!.indexed.map((e) => JSON.parse(e.event as string).Id as string);
    assert.deepEqual(ids.sort(), ["x0", "x0", "x1", "x1"], "indexed twice: the first ack was lost");
    assert.equal(lines.filter((l) => /cause=hec_ack_timeout/.test(l)).length, 1);
    await s.write(events(1, "y"));
    assert.equal(hec!.indexed.filter((e) => (e.event as string).includes('"y0"')).length, 1);
  });

  it("keeps at most maxInFlight batches unacknowledged", async () => {
    const s = await open({ indexDelayMs: 150 }, { maxInFlight: 2 });
    await Promise.all(Array.from({ length: 6 }, (_, i) => s.write(events(1, `m${i}`))));
    // Replay the request log: a batch is outstanding from its accepted POST until an ack answer says true.
    const outstanding = new Set<number>();
    let most = 0;
    for (const r of hec!.requestLog) {
      if (r.path.endsWith("/event") && r.ackId !== undefined) most = Math.max(most, outstanding.add(r.ackId).size);
      for (const id of r.acked ?? []) outstanding.delete(id);
    }
    assert.equal(most, 2);
    assert.equal(hec!.indexed.length, 6);
  });

  it("stops on an invalid token: the write fails with cause hec_token_invalid, later writes too, no retry", async () => {
    const s = await open({}, {}, "00000000-0000-0000-0000-000000000000");
    await assert.rejects(s.write(events(1)), (e: HecError) => e.cause === "hec_token_invalid" && /Invalid token/.test(e.message));
    await assert.rejects(s.write(events(1)), HecError);
    assert.equal(hec!.requestLog.length, 1);
    assert.equal(hec!.indexed.length, 0);
  });

  it("stops when acknowledgement is wanted but the token has it off", async () => {
    const s = await open({ tokens: { [HEC_TOKEN]: { ack: false } } });
    await assert.rejects(s.write(events(1)), (e: HecError) => e.cause === "hec_ack_disabled");
  });

  it("with ack off, a write resolves on HEC's 200", async () => {
    const s = await open({ tokens: { [HEC_TOKEN]: { ack: false } } }, { ack: false });
    await s.write(events(2));
    assert.equal(hec!.indexed.length, 2);
    assert.ok(hec!.requestLog.every((r) => r.path.endsWith("/event")), "no ack query");
  });

  it("on stop, a batch awaiting its ack fails after the grace, so its Ids are not committed", async () => {
    const s = await open({ faults: { dropAckRate: 1 } }, { timing: { stopGraceMs: 200, ackPollFirstMs: 50 } });
    const pending = s.write(events(1));
    while (!hec!.requestLog.some((r) => r.fault === "drop_ack")) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    await assert.rejects(pending, /stopped before HEC acknowledged/);
    await assert.rejects(s.write(events(1)), /stopped/);
  });
});
