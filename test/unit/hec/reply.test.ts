import { strict as assert } from "node:assert";
import { judgeAckReply, judgeEventReply } from "../../../src/hec/reply";

const body = (code: number, text: string): string => JSON.stringify({ text, code });

describe("hec/reply", () => {
  it("accepts 200 code 0 and reads its ackId", () => {
    assert.deepEqual(judgeEventReply(200, JSON.stringify({ text: "Success", code: 0, ackId: 7 })), { kind: "ok", ackId: 7 });
    assert.deepEqual(judgeEventReply(200, body(0, "Success")), { kind: "ok" });
  });

  it("retries busy, throttled and server errors, keeping Retry-After", () => {
    assert.equal(judgeEventReply(503, body(9, "Server is busy")).kind, "retry");
    assert.deepEqual(judgeEventReply(429, "Too Many Requests", 3), { kind: "retry", reason: "HTTP 429", retryAfterSeconds: 3 });
    assert.equal(judgeEventReply(500, body(8, "Internal server error")).kind, "retry");
  });

  it("stops on token faults and refused data, naming the cause and the fix", () => {
    const cases: [number, string, string, RegExp][] = [
      [403, body(4, "Invalid token"), "hec_token_invalid", /copy the token value again/],
      [403, body(1, "Token disabled"), "hec_token_invalid", /enable it/],
      [401, body(3, "Invalid authorization"), "hec_token_invalid", /only the token GUID/],
      [400, body(7, "Incorrect index"), "hec_rejected", /allowed indexes/],
      [400, JSON.stringify({ text: "Invalid data format", code: 6, "invalid-event-number": 2 }), "hec_rejected", /event 2/],
      [400, body(14, "ACK is disabled"), "hec_ack_disabled", /"ack": false/],
      [404, "not found", "hec_rejected", /without a path/],
    ];
    for (const [status, text, cause, fix] of cases) {
      const v = judgeEventReply(status, text);
      assert.equal(v.kind, "fatal", text);
      if (v.kind === "fatal") {
        assert.equal(v.cause, cause, text);
        assert.match(v.message, fix);
      }
    }
  });

  it("reads the Ids an ack answer reports true", () => {
    assert.deepEqual(judgeAckReply(200, JSON.stringify({ acks: { "0": true, "1": false, "2": true } })).acked, [0, 2]);
    assert.equal(judgeAckReply(200, "{}").verdict.kind, "retry");
    assert.equal(judgeAckReply(400, body(14, "ACK is disabled")).verdict.kind, "fatal");
  });
});
