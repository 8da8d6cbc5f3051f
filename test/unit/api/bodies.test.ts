// The Activity API client's pure body readers: error answers, JSON arrays, content pages and
// subscription lists. Messages are compared whole: they are what an admin reads in splunkd.log.
import { strict as assert } from "node:assert";
import { parseApiError, parseContentItems, parseJsonArray, parseSubscriptions } from "../../../src/api/client";
import { ActivityApiError, isAuditLogOff } from "../../../src/api/errors";

/** Runs fn, expects an ActivityApiError, and returns it. */
function thrown(fn: () => unknown): ActivityApiError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ActivityApiError, String(err));
    return err;
  }
  assert.fail("nothing was thrown");
}

describe("api/client bodies", () => {
  describe("parseApiError", () => {
    it("takes an AF code in any case, and quotes the server's message with its spaces collapsed", () => {
      const err = parseApiError("list content", 400, JSON.stringify({ error: { code: "af20001", message: "  Bad\n   request  " } }), 7);
      assert.equal(err.code, "AF20001");
      assert.equal(err.message, "Activity API list content failed (HTTP 400 AF20001) [server: Bad request]");
      assert.deepEqual([err.status, err.retryAfterSeconds, err.policy], [400, 7, "fatal"]);
    });

    it("takes only a whole AF code as a code, and quotes any other code text", () => {
      for (const code of ["xAF20001", "AF20001x", "AF", "Forbidden"]) {
        const err = parseApiError("op", 400, JSON.stringify({ error: { code, message: "m" } }));
        assert.equal(err.code, undefined, code);
        assert.equal(err.message, `Activity API op failed (HTTP 400) [server: ${code} m]`);
      }
    });

    it("quotes the message alone when the code is not text, and the code alone without a message", () => {
      assert.equal(parseApiError("op", 400, JSON.stringify({ error: { code: 5, message: "only this" } })).message, "Activity API op failed (HTTP 400) [server: only this]");
      assert.equal(parseApiError("op", 400, JSON.stringify({ error: { code: "Weird" } })).message, "Activity API op failed (HTTP 400) [server: Weird]");
      assert.equal(parseApiError("op", 400, JSON.stringify({ error: { message: 42 } })).message, 'Activity API op failed (HTTP 400) [server: {"error":{"message":42}}]');
    });

    it("quotes a body that is not JSON, or JSON without an error, as it is (at most 300 characters)", () => {
      assert.equal(parseApiError("op", 400, "<html>\n  <b>no</b>\n</html>").message, "Activity API op failed (HTTP 400) [server: <html> <b>no</b> </html>]");
      assert.equal(parseApiError("op", 400, "{}").message, "Activity API op failed (HTTP 400) [server: {}]");
      assert.equal(parseApiError("op", 400, "null").message, "Activity API op failed (HTTP 400) [server: null]");
      assert.equal(parseApiError("op", 400, "x".repeat(500)).message, `Activity API op failed (HTTP 400) [server: ${"x".repeat(300)}]`);
      assert.equal(parseApiError("op", 400, "   ").message, "Activity API op failed (HTTP 400)");
    });
  });

  describe("parseJsonArray", () => {
    it("returns the array", () => {
      assert.deepEqual(parseJsonArray("op", '[1,{"a":2}]'), [1, { a: 2 }]);
      assert.deepEqual(parseJsonArray("op", "[]"), []);
    });

    it("turns anything else into a transient error quoting the body's start", () => {
      for (const [body, shown] of [
        ["not json", "not json"],
        ['{"a": 1}', '{"a": 1}'],
        ["null", "null"],
        ["  ", "(empty body)"],
        ["", "(empty body)"],
      ]) {
        const err = thrown(() => parseJsonArray("list content", body));
        assert.equal(err.message, `Activity API list content: expected a JSON array, got: ${shown}`);
        assert.deepEqual([err.status, err.code, err.policy], [200, undefined, "transient"]);
      }
    });

    it("reads an error object where the array belongs by its code", () => {
      const err = thrown(() => parseJsonArray("list content", JSON.stringify({ error: { code: "AF20030", message: "too long" } })));
      assert.deepEqual([err.status, err.code, err.policy], [200, "AF20030", "rewindow"]);
    });
  });

  describe("content pages and subscription lists", () => {
    const item = { contentType: "Audit.General", contentId: "a$b", contentUri: "https://h/x", contentCreated: "2026-11-20T00:00:00.000Z" };

    it("keeps well-formed items", () => {
      assert.deepEqual(parseContentItems(JSON.stringify([item, item])), [item, item]);
      assert.deepEqual(parseSubscriptions('[{"contentType":"Audit.General","status":"enabled","webhook":null}]'), [
        { contentType: "Audit.General", status: "enabled", webhook: null },
      ]);
    });

    it("refuses a content item without a text contentId or contentUri, naming it", () => {
      for (const bad of [{ ...item, contentId: undefined }, { ...item, contentUri: 7 }, { ...item, contentId: 7 }, null, ["a"], "text"]) {
        const err = thrown(() => parseContentItems(JSON.stringify([item, bad])));
        assert.equal(err.message, `Activity API list content: an item lacks contentId/contentUri: ${JSON.stringify(bad)}`);
        assert.equal(err.policy, "transient");
      }
      assert.match(thrown(() => parseContentItems("{}")).message, /^Activity API list content: expected a JSON array/);
    });

    it("refuses a subscription without a text contentType or status, naming it", () => {
      for (const bad of [{ contentType: "Audit.General" }, { status: "enabled" }, { contentType: 1, status: "enabled" }, { contentType: "Audit.General", status: 1 }, null, []]) {
        const err = thrown(() => parseSubscriptions(JSON.stringify([bad])));
        assert.equal(err.message, `Activity API list subscriptions: unexpected item: ${JSON.stringify(bad)}`);
        assert.equal(err.policy, "transient");
      }
      assert.match(thrown(() => parseSubscriptions("oops")).message, /^Activity API list subscriptions: expected a JSON array/);
    });
  });

  describe("ActivityApiError", () => {
    it("names itself and keeps the network failure when there is one", () => {
      const plain = new ActivityApiError("m", 500, "AF50000");
      assert.equal(plain.name, "ActivityApiError");
      assert.equal(plain.network, undefined);
      const network = { host: "manage.office.com", code: "ECONNRESET", rule: "r" };
      const failed = new ActivityApiError("m", 0, undefined, undefined, undefined, network as never);
      assert.deepEqual(failed.network, network);
    });

    it("recognises the audit-log-off answer by either phrase", () => {
      assert.ok(isAuditLogOff("Microsoft.Office.Compliance.Audit.DataServiceException: x"));
      assert.ok(isAuditLogOff("Tenant 41 does not exist."));
      assert.ok(!isAuditLogOff("Tenant does not exist"));
    });
  });
});
