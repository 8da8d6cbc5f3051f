import { strict as assert } from "node:assert";
import { ruleFor } from "../../../src/errors/table";

describe("errors/table ruleFor", () => {
  const cases: [string | undefined, number, string, string][] = [
    ["AF10001", 401, "fatal", "consent_missing"],
    ["AF20010", 400, "fatal", "tenant_invalid"],
    ["AF20013", 400, "fatal", "tenant_invalid"],
    ["AF20020", 400, "fatal", "api_error"],
    ["AF20023", 400, "subscribe", "subscription_disabled"],
    ["AF20055", 400, "rewindow", "window_rejected"],
    ["AF20051", 400, "expired", "content_expired"],
    ["AF429", 403, "throttled", "throttled"],
    ["AF50000", 500, "transient", "transient"],
    ["AADSTS7000215", 401, "fatal", "auth_failed"],
    ["AADSTS90002", 400, "fatal", "tenant_not_found"],
    // No code, or one the table does not know: the HTTP status decides.
    [undefined, 429, "throttled", "throttled"],
    [undefined, 503, "transient", "transient"],
    [undefined, 0, "transient", "transient"],
    ["AF99999", 401, "transient", "transient"],
    [undefined, 418, "fatal", "api_error"],
    ["constructor", 400, "fatal", "api_error"],
  ];
  for (const [code, status, policy, cause] of cases) {
    it(`${code ?? "no code"} (HTTP ${status}) -> ${policy}, cause=${cause}`, () => {
      const rule = ruleFor(code, status);
      assert.equal(rule.policy, policy);
      assert.equal(rule.cause, cause);
    });
  }

  it("says the fix for the codes an admin must act on", () => {
    assert.match(ruleFor("AF10001", 401).fix ?? "", /ActivityFeed\.Read.*admin consent/);
    assert.match(ruleFor("AADSTS7000215", 401).fix ?? "", /re-enter/);
  });
});
