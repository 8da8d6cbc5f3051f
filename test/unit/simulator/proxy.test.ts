import assert from "node:assert/strict";
import { once } from "node:events";
import { request, type IncomingMessage } from "node:http";
import { startProxy } from "../../simulator/proxy";

async function connectStatus(proxyUrl: string, target: string): Promise<number> {
  const { hostname, port } = new URL(proxyUrl);
  const req = request({ host: hostname, port, method: "CONNECT", path: target });
  req.end();
  const [res, socket] = (await once(req, "connect")) as [IncomingMessage, { destroy(): void }];
  socket.destroy();
  return res.statusCode ?? 0;
}

describe("simulator CONNECT proxy", () => {
  it("never tunnels beyond loopback and answers plain requests with 501", async () => {
    const proxy = await startProxy();
    try {
      assert.equal(await connectStatus(proxy.url, "example.com:443"), 403);
      assert.equal(await connectStatus(proxy.url, "10.0.0.1:443"), 403);
      assert.deepEqual(proxy.log.map((e) => e.status), [403, 403]);
      const { hostname, port } = new URL(proxy.url);
      const req = request({ host: hostname, port, path: "http://example.com/" });
      req.end();
      const [res] = (await once(req, "response")) as [IncomingMessage];
      res.resume();
      assert.equal(res.statusCode, 501);
    } finally {
      await proxy.close();
    }
  });
});
