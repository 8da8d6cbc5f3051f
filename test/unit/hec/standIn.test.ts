// The HEC stand-in answers as docs/reference/hec.md documents (sections 1-4).
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { Agent, request } from "undici";
import { HEC_TOKEN, splitObjects, startHec, type HecStandIn } from "../../hec/server";

const CHANNEL = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

describe("test/hec stand-in: documented HEC answers", function () {
  this.timeout(10_000);
  let hec: HecStandIn;
  let agent: Agent;
  before(async () => {
    hec = await startHec({ tokens: { [HEC_TOKEN]: { ack: true }, "11111111-2222-4333-8444-555555555555": { ack: false } }, indexDelayMs: 0 });
    agent = new Agent({ connect: { ca: readFileSync(hec.caFile, "utf8") } });
  });
  after(async () => {
    await agent.close();
    await hec.close();
  });

  const post = async (path: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<[number, Record<string, unknown>]> => {
    const res = await request(`${hec.url}${path}`, { method: "POST", dispatcher: agent, headers, body });
    return [res.statusCode, (await res.body.json()) as Record<string, unknown>];
  };
  const auth = { authorization: `Splunk ${HEC_TOKEN}` };

  it("checks the token first (codes 2, 3, 4)", async () => {
    assert.deepEqual(await post("/services/collector/event", "{}"), [401, { text: "Token is required", code: 2 }]);
    assert.deepEqual(await post("/services/collector/event", "{}", { authorization: HEC_TOKEN }), [401, { text: "Invalid authorization", code: 3 }]);
    assert.deepEqual(await post("/services/collector/event", "{}", { authorization: "Splunk nope" }), [403, { text: "Invalid token", code: 4 }]);
  });

  it("requires a GUID channel with acknowledgement on (codes 10, 11) and counts ackIds per channel", async () => {
    assert.deepEqual(await post("/services/collector/event", '{"event":"x"}', auth), [400, { text: "Data channel is missing", code: 10 }]);
    assert.equal((await post("/services/collector/event", '{"event":"x"}', { ...auth, "x-splunk-request-channel": "abc" }))[1].code, 11);
    const h = { ...auth, "x-splunk-request-channel": CHANNEL };
    assert.deepEqual(await post("/services/collector/event", '{"event":"a"}{"event":"b"}', h), [200, { text: "Success", code: 0, ackId: 0 }]);
    assert.equal((await post(`/services/collector/event?channel=${CHANNEL}`, gzipSync('{"event":"c"}'), { ...auth, "content-encoding": "gzip" }))[1].ackId, 1);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(await post("/services/collector/ack", JSON.stringify({ acks: [0, 1, 9] }), h), [200, { acks: { "0": true, "1": true, "9": false } }]);
  });

  it("refuses empty, malformed and event-less bodies (codes 5, 6, 12, 13)", async () => {
    const h = { ...auth, "x-splunk-request-channel": CHANNEL };
    assert.equal((await post("/services/collector/event", "", h))[1].code, 5);
    assert.deepEqual(await post("/services/collector/event", '{"event":"a"}{"event":', h), [400, { text: "Invalid data format", code: 6 }]);
    assert.deepEqual(await post("/services/collector/event", '{"event":"a"}{"time":1}', h), [400, { text: "Event field is required", code: 12, "invalid-event-number": 1 }]);
    assert.equal((await post("/services/collector/event", '{"event":""}', h))[1].code, 13);
  });

  it("answers ACK is disabled (code 14) for a token without acknowledgement, and no ackId", async () => {
    const h = { authorization: "Splunk 11111111-2222-4333-8444-555555555555" };
    assert.deepEqual(await post("/services/collector/event", '{"event":"a"}', h), [200, { text: "Success", code: 0 }]);
    assert.deepEqual(await post("/services/collector/ack", '{"acks":[0]}', { ...h, "x-splunk-request-channel": CHANNEL }), [400, { text: "ACK is disabled", code: 14 }]);
  });

  it("answers 503 Server is busy (code 9) on demand", async () => {
    hec.setFaults({ busyCount: 1 });
    assert.deepEqual(await post("/services/collector/event", '{"event":"a"}', { ...auth, "x-splunk-request-channel": CHANNEL }), [503, { text: "Server is busy", code: 9 }]);
  });

  it("splits concatenated objects, braces inside strings included", () => {
    assert.deepEqual(splitObjects('{"event":"}{"} \n{"event":"\\"{"}'), ['{"event":"}{"}', '{"event":"\\"{"}']);
    assert.equal(splitObjects('[{"event":1}]'), undefined);
  });
});
