import assert from "node:assert/strict";
import type { PeerCertificate } from "node:tls";
import {
  checkSplunkdIdentity,
  createSplunkdRest,
  splunkCaFile,
  SplunkdRestError,
} from "../../../src/splunk/splunkdRest";
import { passwordEntityName } from "../../../src/splunk/secretNames";
import { useRestDouble } from "../../rest-double/restDouble";

describe("splunkdRest", () => {
  const double = useRestDouble();

  const rest = (env: NodeJS.ProcessEnv = { SPLUNK_HOME: double().splunkHome }) =>
    createSplunkdRest({ serverUri: double().url, sessionKey: double().sessionKey, app: "defender_o365" }, env);

  it("creates, reads and updates a storage/passwords entry", async () => {
    const client = rest();
    assert.equal(await client.readPassword("defender_o365", "contoso"), undefined);
    await client.writePassword("defender_o365", "contoso", "first");
    assert.equal(await client.readPassword("defender_o365", "contoso"), "first");
    await client.writePassword("defender_o365", "contoso", "second");
    assert.equal(await client.readPassword("defender_o365", "contoso"), "second");
    assert.deepEqual([...double().state.passwords.keys()], ["defender_o365:contoso:"]);
  });

  it("escapes colons in usernames so realm and username stay apart", async () => {
    assert.equal(passwordEntityName("defender_o365", "a:b"), "defender_o365:a\\:b:");
    await rest().writePassword("defender_o365", "a:b", "x");
    assert.equal(await rest().readPassword("defender_o365", "a:b"), "x");
    assert.deepEqual([...double().state.passwords.values()][0], { realm: "defender_o365", username: "a:b", password: "x" });
  });

  it("reports splunkd's message and status when a read is forbidden", async () => {
    double().state.forbidPasswordReads = true;
    await assert.rejects(rest().readPassword("defender_o365", "contoso"), (e: unknown) => {
      assert.ok(e instanceof SplunkdRestError);
      assert.equal(e.status, 403);
      assert.match(e.message, /list_storage_passwords/);
      return true;
    });
  });

  it("edits only the given arguments of an input", async () => {
    double().state.inputs.set("contoso", { tenant_id: "t", client_secret: "clear" });
    await rest().updateInput("contoso", { client_secret: "********" });
    assert.deepEqual(double().state.inputs.get("contoso"), { tenant_id: "t", client_secret: "********" });
  });

  it("sends the session key and refuses a wrong one", async () => {
    const wrong = createSplunkdRest(
      { serverUri: double().url, sessionKey: "not-the-key", app: "defender_o365" },
      { SPLUNK_HOME: double().splunkHome },
    );
    await assert.rejects(wrong.readPassword("defender_o365", "contoso"), (e: unknown) => e instanceof SplunkdRestError && e.status === 401);
  });

  it("keeps TLS verification on: without Splunk's CA the loopback certificate is refused", async () => {
    await assert.rejects(rest({}).readPassword("defender_o365", "contoso"), (e: unknown) => {
      assert.ok(e instanceof SplunkdRestError);
      assert.equal(e.status, 0);
      assert.match(e.message, /certificate/i);
      return true;
    });
  });

  it("finds Splunk's CA only under SPLUNK_HOME/etc/auth/cacert.pem", () => {
    assert.equal(splunkCaFile({}), undefined);
    assert.equal(splunkCaFile({ SPLUNK_HOME: "/nonexistent" }), undefined);
    assert.match(splunkCaFile({ SPLUNK_HOME: double().splunkHome }) ?? "", /etc\/auth\/cacert\.pem$/);
  });

  it("accepts splunkd's stock certificate name on loopback only", () => {
    const cert = { subject: { CN: "SplunkServerDefaultCert" }, subjectaltname: undefined } as unknown as PeerCertificate;
    assert.equal(checkSplunkdIdentity("127.0.0.1", cert), undefined);
    assert.ok(checkSplunkdIdentity("splunk.example.com", cert) instanceof Error);
    const other = { subject: { CN: "evil" } } as unknown as PeerCertificate;
    assert.ok(checkSplunkdIdentity("127.0.0.1", other) instanceof Error);
  });
});
