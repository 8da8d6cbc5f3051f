// splunkd's answers as the input reports them: its error texts, and which failures mean splunkd
// is unavailable (the next run retries) rather than refusing (the admin acts).
import { strict as assert } from "node:assert";
import { SplunkdRestError, splunkdErrorText } from "../../../src/splunk/splunkdError";
import { isSplunkdUnavailable } from "../../../src/splunk/splunkdRest";

describe("splunk/splunkdError", () => {
  it("names itself and keeps status and OS code", () => {
    const err = new SplunkdRestError("m", 0, "ECONNREFUSED");
    assert.deepEqual([err.name, err.message, err.status, err.code], ["SplunkdRestError", "m", 0, "ECONNREFUSED"]);
  });

  it("takes splunkd's message texts, else the fallback, else the status", () => {
    assert.equal(splunkdErrorText({ messages: [{ type: "ERROR", text: "one" }, { type: "ERROR", text: "" }, { type: "WARN", text: "two" }] }, 400), "one; two");
    assert.equal(splunkdErrorText({ messages: [] }, 400, "fallback"), "fallback");
    assert.equal(splunkdErrorText({}, 503), "splunkd answered HTTP 503");
    assert.equal(splunkdErrorText(undefined, 500, "f"), "f");
  });
});

describe("splunk/splunkdRest: splunkd unavailable or refusing", () => {
  it("calls 5xx and the network failures unavailable, and every other answer a refusal", () => {
    const cases: [number, string | undefined, boolean][] = [
      [500, undefined, true],
      [503, undefined, true],
      [499, undefined, false],
      [401, undefined, false],
      [403, undefined, false],
      [0, "ECONNREFUSED", true],
      [0, "ECONNRESET", true],
      [0, "ETIMEDOUT", true],
      [0, "EPIPE", true],
      [0, "ECONNABORTED", true],
      [0, "EHOSTUNREACH", true],
      [0, "ENETUNREACH", true],
      [0, "DEPTH_ZERO_SELF_SIGNED_CERT", false],
      [0, undefined, false],
      [400, "ECONNREFUSED", false],
    ];
    for (const [status, code, unavailable] of cases) assert.equal(isSplunkdUnavailable(new SplunkdRestError("m", status, code)), unavailable, `${status} ${code}`);
    assert.equal(isSplunkdUnavailable(new Error("ECONNREFUSED")), false);
  });
});
