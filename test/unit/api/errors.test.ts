// The error policy table, code by code. Each code is sent with an HTTP status whose fallback
// policy differs from the code's own, so a code dropped from the table shows.
import assert from "node:assert/strict";
import { ActivityApiError, isAuditLogOff, policyForCode, type ErrorPolicy } from "../../../src/api/errors";

describe("api/errors policy table", () => {
  const table: [ErrorPolicy, number, string[]][] = [
    ["subscribe", 500, ["AF20022", "AF20023"]],
    ["already_enabled", 500, ["AF20024"]],
    ["rewindow", 500, ["AF20030", "AF20031", "AF20055"]],
    ["expired", 500, ["AF20050", "AF20051", "AF20052"]],
    ["throttled", 400, ["AF429"]],
    ["transient", 400, ["AF50000", "AF50005", "AF50006"]],
    ["fatal", 500, ["AF10001", "AF20001", "AF20002", "AF20003", "AF20010", "AF20011", "AF20012", "AF20013", "AF20020", "AF20021", "AF20053", "AF20054"]],
  ];
  for (const [policy, status, codes] of table) {
    for (const code of codes) {
      it(`${code} -> ${policy} (even with HTTP ${status})`, () => assert.equal(policyForCode(code, status), policy));
    }
  }

  it("falls back on the HTTP status for an unknown or missing code", () => {
    const cases: [number, ErrorPolicy][] = [
      [429, "throttled"],
      [401, "transient"],
      [408, "transient"],
      [500, "transient"],
      [503, "transient"],
      [0, "transient"],
      [499, "fatal"],
      [400, "fatal"],
      [404, "fatal"],
    ];
    for (const [status, policy] of cases) {
      assert.equal(policyForCode(undefined, status), policy, `HTTP ${status}`);
      assert.equal(policyForCode("AF99999", status), policy, `AF99999 with HTTP ${status}`);
    }
  });

  it("ActivityApiError names itself, keeps its fields and takes its policy from the table unless given one", () => {
    const err = new ActivityApiError("m", 403, "AF429", 7);
    assert.equal(err.name, "ActivityApiError");
    assert.deepEqual([err.message, err.status, err.code, err.retryAfterSeconds, err.policy], ["m", 403, "AF429", 7, "throttled"]);
    assert.equal(new ActivityApiError("m", 500, undefined, undefined, "fatal").policy, "fatal");
  });

  it("recognises the audit-log-off answer by either of its phrases", () => {
    assert.ok(isAuditLogOff("Microsoft.Office.Compliance.Audit.DataServiceException: x"));
    assert.ok(isAuditLogOff("tenant 41 does not exist."));
    assert.ok(!isAuditLogOff("Tenant does not exist"));
    assert.ok(!isAuditLogOff("AF20011 unknown tenant"));
  });
});
