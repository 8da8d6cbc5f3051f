import { strict as assert } from "node:assert";
import { request } from "undici";
import { acquireDispatcher, createDispatcher, proxyAuthorization } from "../../../src/api/http";
import {
  makeSelfSignedCert,
  sendJson,
  startConnectProxy,
  startHttpsServer,
  type ConnectProxy,
  type TestServer,
  type TlsMaterial,
} from "./fixtures";

describe("api/http", () => {
  let tls: TlsMaterial;
  let target: TestServer;
  let proxy: ConnectProxy;
  const expected = `Basic ${Buffer.from("svc-splunk:p@ss:word").toString("base64")}`;

  before(async () => {
    tls = makeSelfSignedCert();
    target = await startHttpsServer(tls, (_req, res) => sendJson(res, 200, ["through"]));
    proxy = await startConnectProxy(expected);
  });
  after(async () => {
    await proxy.close();
    await target.close();
    tls.cleanup();
  });

  it("builds Basic proxy credentials from the URL's user and the stored password", () => {
    assert.equal(proxyAuthorization(new URL("http://svc-splunk@proxy:3128"), "p@ss:word"), expected);
    assert.equal(proxyAuthorization(new URL("http://proxy:3128"), "unused"), undefined);
  });

  it("tunnels HTTPS through a CONNECT proxy with those credentials, verifying the target's certificate", async () => {
    const dispatcher = createDispatcher({ proxyUrl: proxy.url.replace("//", "//svc-splunk@"), proxyPassword: "p@ss:word", ca: tls.certPem });
    try {
      const res = await request(`${target.origin}/x`, { dispatcher });
      assert.deepEqual(await res.body.json(), ["through"]);
      const port = new URL(target.origin).port;
      assert.deepEqual(proxy.seen.at(-1), { target: `127.0.0.1:${port}`, auth: expected });
    } finally {
      await dispatcher.close();
    }
  });

  it("fails when the proxy refuses the credentials", async () => {
    const dispatcher = createDispatcher({ proxyUrl: proxy.url.replace("//", "//svc-splunk@"), proxyPassword: "wrong", ca: tls.certPem });
    try {
      await assert.rejects(request(`${target.origin}/x`, { dispatcher }), /407/);
    } finally {
      await dispatcher.close();
    }
  });

  it("keeps TLS verification on: an unknown CA is refused", async () => {
    const dispatcher = createDispatcher();
    try {
      await assert.rejects(request(`${target.origin}/x`, { dispatcher }), /self-signed|certificate/i);
    } finally {
      await dispatcher.close();
    }
  });

  it("shares one dispatcher per setting and closes it when the last user releases it", async () => {
    const a = acquireDispatcher({ ca: tls.certPem });
    const b = acquireDispatcher({ ca: tls.certPem });
    assert.equal(a.dispatcher, b.dispatcher);
    await a.release();
    await a.release(); // idempotent: still one user left
    const res = await request(`${target.origin}/x`, { dispatcher: b.dispatcher });
    await res.body.dump();
    await b.release();
    const c = acquireDispatcher({ ca: tls.certPem });
    assert.notEqual(c.dispatcher, a.dispatcher);
    await c.release();
  });

  it("rejects a proxy_url that is not http(s), or not a URL, and takes http:// and https:// ones", async () => {
    assert.throws(() => createDispatcher({ proxyUrl: "socks5://127.0.0.1:1080" }), /^Error: proxy_url must start with http:\/\/ or https:\/\/$/);
    assert.throws(() => createDispatcher({ proxyUrl: "no scheme here" }), /^Error: proxy_url is not a URL: give http\(s\):\/\/\[user@\]host:port$/);
    for (const proxyUrl of ["http://proxy.example:3128", "https://proxy.example:3129"]) await createDispatcher({ proxyUrl, ca: tls.certPem }).close();
  });

  it("gives every distinct setting its own dispatcher", async () => {
    const settings = [
      {},
      { proxyUrl: "http://p.example:3128" },
      { proxyUrl: "http://p.example:3128", proxyPassword: "a" },
      { proxyUrl: "http://p.example:3128", proxyPassword: "b" },
      { ca: tls.certPem },
      { connectTimeoutMs: 1 },
      { headersTimeoutMs: 1 },
      { bodyTimeoutMs: 1 },
    ];
    const held = settings.map((o) => acquireDispatcher(o));
    assert.equal(new Set(held.map((h) => h.dispatcher)).size, settings.length);
    for (const h of held) await h.release();
  });

  it("applies the headers and body timeouts it is given", async () => {
    const silent = await startHttpsServer(tls, () => undefined);
    const trickle = await startHttpsServer(tls, (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write("[");
    });
    try {
      const quick = createDispatcher({ ca: tls.certPem, headersTimeoutMs: 200, bodyTimeoutMs: 200 });
      await assert.rejects(request(`${silent.origin}/x`, { dispatcher: quick }), { code: "UND_ERR_HEADERS_TIMEOUT" });
      const res = await request(`${trickle.origin}/x`, { dispatcher: quick });
      await assert.rejects(res.body.text(), { code: "UND_ERR_BODY_TIMEOUT" });
      await quick.destroy();
    } finally {
      await silent.close();
      await trickle.close();
    }
  });
});
