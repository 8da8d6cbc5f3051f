import { strict as assert } from "node:assert";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as undici from "undici";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import api from "undici/lib/api";
import { Agent, ProxyAgent, request } from "../../../src/api/undici";

describe("api/undici: the parts of undici loaded one by one", () => {
  it("are the classes and the request function undici's index exports", () => {
    assert.equal(Agent, undici.Agent);
    assert.equal(ProxyAgent, undici.ProxyAgent);
    assert.equal(undici.Dispatcher.prototype.request, api.request);
  });

  it("gives every dispatcher the API methods, as the index does, without loading the index", () => {
    // In a process of its own: this one loaded the index above. A ProxyAgent needs `connect`.
    const root = path.resolve(__dirname, "../../..");
    const script = `
      require("./src/api/undici");
      const proto = require("undici/lib/dispatcher/dispatcher").prototype;
      const index = Object.keys(require.cache).some((f) => f.endsWith("/node_modules/undici/index.js"));
      console.log(JSON.stringify({ index, methods: ["request", "stream", "pipeline", "upgrade", "connect"].filter((m) => typeof proto[m] === "function") }));`;
    const out = execFileSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: root, encoding: "utf8" });
    assert.deepEqual(JSON.parse(out), { index: false, methods: ["request", "stream", "pipeline", "upgrade", "connect"] });
  });

  describe("request", () => {
    let server: http.Server;
    let origin: string;
    const seen: { method?: string; url?: string; body: string; header?: string }[] = [];
    before(async () => {
      server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (c: Buffer) => (body += c.toString()));
        req.on("end", () => {
          seen.push({ method: req.method, url: req.url, body, header: req.headers["x-test"] as string | undefined });
          res.writeHead(201, { "x-answer": "yes" }).end("done");
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("sends the URL's path and query with the method, headers and body given, through the dispatcher given", async () => {
      const dispatcher = new Agent();
      try {
        const res = await request(`${origin}/a/b?x=1&y=%20`, { dispatcher, method: "POST", headers: { "x-test": "t" }, body: "payload" });
        assert.equal(res.statusCode, 201);
        assert.equal(res.headers["x-answer"], "yes");
        assert.equal(await res.body.text(), "done");
        const plain = await request(new URL(`${origin}/plain`), { dispatcher, method: "GET" });
        await plain.body.text();
      } finally {
        await dispatcher.close();
      }
      assert.deepEqual(seen.slice(-2), [
        { method: "POST", url: "/a/b?x=1&y=%20", body: "payload", header: "t" },
        { method: "GET", url: "/plain", body: "", header: undefined },
      ]);
    });

    it("answers through a dispatcher that is not an Agent (undici's MockAgent)", async () => {
      const mock = new undici.MockAgent();
      mock.disableNetConnect();
      mock.get("https://api.example").intercept({ path: "/feed?a=1", method: "GET" }).reply(200, "mocked");
      const res = await request("https://api.example/feed?a=1", { dispatcher: mock, method: "GET" });
      assert.equal(await res.body.text(), "mocked");
      await mock.close();
    });
  });
});
