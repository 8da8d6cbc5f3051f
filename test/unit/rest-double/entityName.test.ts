// The REST double names storage/passwords entries as splunkd does, and the product's client
// finds its secrets under those names, also when a name holds `:` or `\`. Expected names are
// the ones Splunk's Python SDK tests read back from a real splunkd
// (docs/reference/splunk-storage-passwords.md).
import assert from "node:assert/strict";
import { createSplunkdRest } from "../../../src/splunk/splunkdRest";
import { entityName, parseEntityName } from "../../rest-double/entityName";
import { useRestDouble } from "../../rest-double/restDouble";

describe("REST double: storage/passwords entity names", () => {
  it("writes realm:username: with colons escaped as \\:", () => {
    assert.equal(entityName("myrealm", "user1"), "myrealm:user1:");
    assert.equal(entityName("", "user1"), ":user1:");
    assert.equal(entityName(":start", "name:end"), "\\:start:name\\:end:");
    assert.equal(entityName("p:r:e:", ":u:s:"), "p\\:r\\:e\\::\\:u\\:s\\::");
  });

  it("writes a backslash as \\\\ and leaves slashes alone", () => {
    assert.equal(entityName("\\realm", "\\user"), "\\\\realm:\\\\user:");
    assert.equal(entityName("/realm", "/user"), "/realm:/user:");
  });

  it("reads names back, with or without the trailing colon", () => {
    assert.deepEqual(parseEntityName("\\:start:name\\:end:"), { realm: ":start", username: "name:end" });
    assert.deepEqual(parseEntityName("\\\\realm:\\\\user:"), { realm: "\\realm", username: "\\user" });
    assert.deepEqual(parseEntityName(":user1"), { realm: "", username: "user1" });
  });

  describe("round trip with the product's splunkd client", () => {
    const double = useRestDouble();
    const rest = () => createSplunkdRest({ serverUri: double().url, sessionKey: double().sessionKey, app: "defender_o365" }, { SPLUNK_HOME: double().splunkHome });

    for (const [what, username, stored] of [
      ["a colon", "west:eu", "defender_o365:west\\:eu:"],
      ["a backslash", "corp\\svc", "defender_o365:corp\\\\svc:"],
      ["both, and a #", "a:b\\c#proxy_password", "defender_o365:a\\:b\\\\c#proxy_password:"],
    ] as const) {
      it(`stores and finds a username with ${what}`, async () => {
        await rest().writePassword("defender_o365", username, "pw-1");
        assert.deepEqual([...double().state.passwords.keys()], [stored]);
        assert.equal(await rest().readPassword("defender_o365", username), "pw-1");
        await rest().writePassword("defender_o365", username, "pw-2");
        assert.deepEqual([...double().state.passwords.keys()], [stored]);
        assert.equal(await rest().readPassword("defender_o365", username), "pw-2");
      });
    }
  });
});
