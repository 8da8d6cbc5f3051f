import assert from "node:assert/strict";
import { createServer, type AddressInfo } from "node:net";
import {
  createSplunkdRest,
  isLoopbackHost,
  isSplunkdUnavailable,
  splunkCaFile,
  transportFor,
  trustedCas,
} from "../../../src/splunk/splunkdRest";
import { SplunkdRestError } from "../../../src/splunk/splunkdError";
import { passwordEntityName } from "../../../src/splunk/secretNames";
import { startRestDouble, useRestDouble } from "../../rest-double/restDouble";
import { createTlsMaterial } from "../../simulator/certificates";
import { refusedPort } from "../../lib/loopback";

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

  it("accepts a loopback splunkd's certificate that no CA here signs (a site's own CA)", async () => {
    const own = await createTlsMaterial(); // its CA is trusted nowhere: not Node's roots, not cacert.pem
    const site = await startRestDouble({ listen: { kind: "https", certPem: own.certPem, keyPem: own.keyPem } });
    try {
      const client = createSplunkdRest({ serverUri: site.url, sessionKey: site.sessionKey, app: "defender_o365" }, {});
      await client.writePassword("defender_o365", "contoso", "s3cret");
      assert.equal(await client.readPassword("defender_o365", "contoso"), "s3cret");
    } finally {
      await site.close();
    }
  });

  it("speaks plain HTTP to a splunkd without SSL", async () => {
    const plain = await startRestDouble({ listen: { kind: "http" } });
    try {
      assert.match(plain.url, /^http:\/\/127\.0\.0\.1:/);
      const client = createSplunkdRest({ serverUri: plain.url, sessionKey: plain.sessionKey, app: "defender_o365" }, {});
      await client.writePassword("defender_o365", "contoso", "s3cret");
      assert.equal(await client.readPassword("defender_o365", "contoso"), "s3cret");
    } finally {
      await plain.close();
    }
  });

  it("verifies a remote splunkd against Node's roots, NODE_EXTRA_CA_CERTS and Splunk's CA; loopback and http are not verified", () => {
    const env = { SPLUNK_HOME: double().splunkHome };
    const remote = transportFor(new URL("https://splunk.example.com:8089"), env);
    assert.deepEqual(remote, { kind: "https", verify: true, ca: trustedCas(env) });
    assert.ok(remote.kind === "https" && remote.verify && remote.ca.length > trustedCas({}).length, "Splunk's CA is among them");
    assert.deepEqual(transportFor(new URL("https://127.0.0.1:8089"), env), { kind: "https", verify: false });
    assert.deepEqual(transportFor(new URL("https://[::1]:8089"), env), { kind: "https", verify: false });
    assert.deepEqual(transportFor(new URL("http://splunk.example.com:8089"), env), { kind: "http" });
  });

  it("takes 127.0.0.0/8, ::1 and localhost as loopback, nothing else", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "[::1]", "::1", "localhost", "LOCALHOST"]) assert.ok(isLoopbackHost(host), host);
    for (const host of ["128.0.0.1", "10.0.0.1", "127.0.0.1.example.com", "localhost.example.com", "[::2]", "splunk"]) {
      assert.ok(!isLoopbackHost(host), host);
    }
  });

  it("tells an unavailable splunkd (5xx, refused, reset) from one that refuses the call (4xx)", async () => {
    double().state.failPasswordReads = 503;
    const overloaded = await rest().readPassword("defender_o365", "contoso").catch((e: unknown) => e);
    assert.ok(overloaded instanceof SplunkdRestError && overloaded.status === 503 && isSplunkdUnavailable(overloaded));
    const refused = createSplunkdRest({ serverUri: `https://127.0.0.1:${await refusedPort()}`, sessionKey: "k", app: "defender_o365" }, {});
    const down = await refused.readPassword("defender_o365", "contoso").catch((e: unknown) => e);
    assert.ok(down instanceof SplunkdRestError && down.status === 0 && down.code === "ECONNREFUSED" && isSplunkdUnavailable(down), String(down));
    const cutter = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => cutter.listen(0, "127.0.0.1", resolve));
    try {
      const port = (cutter.address() as AddressInfo).port;
      const cut = await createSplunkdRest({ serverUri: `https://127.0.0.1:${port}`, sessionKey: "k", app: "defender_o365" }, {})
        .readPassword("defender_o365", "contoso")
        .catch((e: unknown) => e);
      assert.ok(cut instanceof SplunkdRestError && cut.code === "ECONNRESET" && isSplunkdUnavailable(cut), String(cut));
    } finally {
      await new Promise<void>((resolve) => cutter.close(() => resolve()));
    }
    double().state.failPasswordReads = undefined;
    double().state.forbidPasswordReads = true;
    const forbidden = await rest().readPassword("defender_o365", "contoso").catch((e: unknown) => e);
    assert.ok(forbidden instanceof SplunkdRestError && forbidden.status === 403 && !isSplunkdUnavailable(forbidden));
  });

  it("finds Splunk's CA only under SPLUNK_HOME/etc/auth/cacert.pem", () => {
    assert.equal(splunkCaFile({}), undefined);
    assert.equal(splunkCaFile({ SPLUNK_HOME: "/nonexistent" }), undefined);
    assert.match(splunkCaFile({ SPLUNK_HOME: double().splunkHome }) ?? "", /etc\/auth\/cacert\.pem$/);
  });

});
