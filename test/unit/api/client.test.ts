import { strict as assert } from "node:assert";
import type { ServerResponse } from "node:http";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { Agent } from "undici";
import {
  ActivityApiClient,
  formatApiTime,
  listContentUrl,
  nextPageUri,
  parseApiError,
  withPublisher,
  type ClientOptions,
} from "../../../src/api/client";
import { ActivityApiError } from "../../../src/api/errors";
import { TokenError } from "../../../src/auth/tokenErrors";
import { API_ERROR } from "../../../src/errors/table";
import { memoryLogger, sendJson, startHttpServer, type Handler, type Recorded, type TestServer } from "./fixtures";

const TENANT = "fc56268f-9454-4ea7-ab56-7475b5192ef3";
const PUB = "0f7ad7c2-7a3b-4c1e-9a55-3f8b1d2e6c01";
const FEED = `/api/v1.0/${TENANT}/activity/feed`;

describe("api/client URL building", () => {
  it("formats times as YYYY-MM-DDTHH:MM:SS in UTC", () => {
    assert.equal(formatApiTime(new Date("2026-03-09T14:05:06.789+02:00")), "2026-03-09T12:05:06");
  });

  it("adds PublisherIdentifier with ? or & and leaves the rest of the URL as it is", () => {
    const uri = "https://manage.office.com/api/v1.0/t/activity/feed/audit/2017$2017$audit_general$Audit_General$na0030";
    assert.equal(withPublisher(uri, PUB), `${uri}?PublisherIdentifier=${PUB}`);
    assert.equal(withPublisher("https://h/p?a=1&nextPage=x%2By", PUB), `https://h/p?a=1&nextPage=x%2By&PublisherIdentifier=${PUB}`);
    assert.equal(withPublisher("https://h/p?", PUB), `https://h/p?PublisherIdentifier=${PUB}`);
    assert.equal(withPublisher("https://h/p?a=1&", PUB), `https://h/p?a=1&PublisherIdentifier=${PUB}`);
    assert.equal(withPublisher("https://h/p?publisheridentifier=abc", PUB), "https://h/p?publisheridentifier=abc");
  });

  it("lists content with an encoded content type, the window and the publisher", () => {
    const url = listContentUrl("https://h/feed", "Audit.General", new Date("2026-03-09T00:00:00Z"), new Date("2026-03-09T01:00:00Z"), PUB);
    assert.equal(
      url,
      `https://h/feed/subscriptions/content?contentType=Audit.General&startTime=2026-03-09T00%3A00%3A00&endTime=2026-03-09T01%3A00%3A00&PublisherIdentifier=${PUB}`,
    );
  });

  it("reads NextPageUri in any letter case", () => {
    assert.equal(nextPageUri({ NextPageUri: "https://a" }), "https://a");
    assert.equal(nextPageUri({ nextpageuri: "https://b" }), "https://b");
    assert.equal(nextPageUri({ NEXTPAGEURL: "https://c" }), "https://c");
    assert.equal(nextPageUri({ "content-type": "x", nextpageuri: "" }), undefined);
  });
});

describe("api/client errors", () => {
  const cases: [string, number, string][] = [
    ["AF10001", 401, "fatal"],
    ["AF20010", 400, "fatal"],
    ["AF20011", 400, "fatal"],
    ["AF20013", 400, "fatal"],
    ["AF20020", 400, "fatal"],
    ["AF20022", 400, "subscribe"],
    ["AF20023", 400, "subscribe"],
    ["AF20024", 400, "already_enabled"],
    ["AF20030", 400, "rewindow"],
    ["AF20031", 400, "rewindow"],
    ["AF20055", 400, "rewindow"],
    ["AF20050", 404, "expired"],
    ["AF20051", 400, "expired"],
    ["AF429", 403, "throttled"],
    ["AF50000", 500, "transient"],
  ];
  for (const [code, status, policy] of cases) {
    it(`${code} (HTTP ${status}) -> ${policy}`, () => {
      const err = parseApiError("op", status, JSON.stringify({ error: { code, message: `server says ${code}` } }));
      assert.equal(err.code, code);
      assert.equal(err.status, status);
      assert.equal(err.policy, policy);
      assert.match(err.message, new RegExp(`HTTP ${status} ${code}`));
      assert.match(err.message, new RegExp(`server says ${code}`));
    });
  }

  it("recognises the audit-log-off fault whose exception sits in the code field", () => {
    const body = JSON.stringify({
      error: { code: "StartSubscription [CorrelationId=1] failed. Exception: Microsoft.Office.Compliance.Audit.DataServiceException: Tenant 41 does not exist." },
    });
    const err = parseApiError("start subscription", 400, body);
    assert.equal(err.code, undefined);
    assert.equal(err.policy, "fatal");
    assert.match(err.message, /unified audit logging is off/);
  });

  it("falls back on the HTTP status when there is no AF code", () => {
    assert.equal(parseApiError("op", 503, "<html>busy</html>").policy, "transient");
    assert.equal(parseApiError("op", 429, "").policy, "throttled");
    assert.equal(parseApiError("op", 418, "").policy, "fatal");
  });
});

type Route = (req: Recorded, res: ServerResponse) => void;

interface Harness {
  server: TestServer;
  client: ActivityApiClient;
  slept: number[];
  paused: number[];
  invalidations: number;
  tokens: string[];
  logs: ReturnType<typeof memoryLogger>;
}

describe("api/client against a loopback server", () => {
  let routes: Route[];
  let h: Harness;
  let agent: Agent;

  // Each request takes the next scripted route; the last one repeats.
  const handler: Handler = (req, res) => {
    const route = routes.length > 1 ? routes.shift()! : routes[0];
    route(req, res);
  };

  async function setup(script: Route[], overrides: Partial<ClientOptions> = {}): Promise<void> {
    routes = script;
    const server = await startHttpServer(handler);
    agent = new Agent();
    const logs = memoryLogger();
    const state = { slept: [] as number[], paused: [] as number[], invalidations: 0, tokens: [] as string[] };
    let n = 0;
    const client = new ActivityApiClient({
      apiRoot: `${server.origin}${FEED}`,
      publisherId: PUB,
      dispatcher: agent,
      logger: logs,
      tokens: {
        getToken: async () => {
          const t = `token-${n}`;
          state.tokens.push(t);
          return t;
        },
        invalidate: () => {
          state.invalidations++;
          n++;
        },
      },
      limiter: { take: async () => undefined, pause: (ms) => state.paused.push(ms) },
      backoff: {
        baseMs: 1000,
        capMs: 8000,
        maxAttempts: 3,
        random: () => 0.5,
        sleep: async (ms) => void state.slept.push(ms),
        now: () => Date.parse("2026-03-09T14:00:00Z"),
      },
      ...overrides,
    });
    h = {
      server,
      client,
      logs,
      get slept() {
        return state.slept;
      },
      get paused() {
        return state.paused;
      },
      get invalidations() {
        return state.invalidations;
      },
      get tokens() {
        return state.tokens;
      },
    };
  }

  afterEach(async () => {
    await agent.close();
    await h.server.close();
  });

  const path = (r: Recorded) => r.url;

  it("lists subscriptions with the bearer token and PublisherIdentifier", async () => {
    const subs = [{ contentType: "Audit.General", status: "enabled", webhook: null }];
    await setup([(_q, res) => sendJson(res, 200, subs)]);
    assert.deepEqual(await h.client.listSubscriptions(), subs);
    const [req] = h.server.requests;
    assert.equal(req.method, "GET");
    assert.equal(path(req), `${FEED}/subscriptions/list?PublisherIdentifier=${PUB}`);
    assert.equal(req.headers.authorization, "Bearer token-0");
  });

  it("starts a subscription by POST and takes AF20024 as success", async () => {
    await setup([
      (_q, res) => sendJson(res, 200, { contentType: "Audit.General", status: "enabled", webhook: null }),
      (_q, res) => sendJson(res, 400, { error: { code: "AF20024", message: "The subscription is already enabled. No property change." } }),
    ]);
    await h.client.startSubscription("Audit.General");
    await h.client.startSubscription("Audit.General");
    for (const req of h.server.requests) {
      assert.equal(req.method, "POST");
      assert.equal(path(req), `${FEED}/subscriptions/start?contentType=Audit.General&PublisherIdentifier=${PUB}`);
    }
  });

  it("follows NextPageUri verbatim (any case, /api/v1/ prefix) with PublisherIdentifier on every page", async () => {
    const item = (id: string) => ({
      contentType: "Audit.General",
      contentId: id,
      contentUri: `https://x/${id}`,
      contentCreated: "2026-03-09T00:10:00.000Z",
      contentExpiration: "2026-03-16T00:10:00.000Z",
    });
    const next = (origin: string) => `${origin}/api/v1/${TENANT}/activity/feed/subscriptions/content?contentType=Audit.General&startTime=2026-03-09T00:00:00.0000000Z&nextPage=2026030900$abc%2Bdef`;
    await setup([
      (_q, res) => sendJson(res, 200, [item("a")], { NEXTPAGEURI: next(h.server.origin) }),
      (_q, res) => sendJson(res, 200, [item("b"), item("c")]),
    ]);
    const pages: string[][] = [];
    for await (const page of h.client.listContent("Audit.General", new Date("2026-03-09T00:00:00Z"), new Date("2026-03-09T01:00:00Z"))) {
      pages.push(page.map((i) => i.contentId));
    }
    assert.deepEqual(pages, [["a"], ["b", "c"]]);
    assert.equal(
      h.server.requests[0].url,
      `${FEED}/subscriptions/content?contentType=Audit.General&startTime=2026-03-09T00%3A00%3A00&endTime=2026-03-09T01%3A00%3A00&PublisherIdentifier=${PUB}`,
    );
    assert.equal(
      h.server.requests[1].url,
      `/api/v1/${TENANT}/activity/feed/subscriptions/content?contentType=Audit.General&startTime=2026-03-09T00:00:00.0000000Z&nextPage=2026030900$abc%2Bdef&PublisherIdentifier=${PUB}`,
    );
  });

  it("stops with a clear error when NextPageUri loops", async () => {
    await setup([(_q, res) => sendJson(res, 200, [], { NextPageUri: `${h.server.origin}${FEED}/subscriptions/content?nextPage=1` })]);
    const pages: unknown[] = [];
    await assert.rejects(
      (async () => {
        for await (const page of h.client.listContent("Audit.General", new Date(0), new Date(3600_000))) pages.push(page);
      })(),
      (err: ActivityApiError) => /already read/.test(err.message),
    );
    assert.equal(pages.length, 2);
    assert.equal(h.server.requests.length, 2);
  });

  it("rejects a 200 body that is not a JSON array, quoting its start, after bounded retries", async () => {
    await setup([(_q, res) => sendJson(res, 200, { value: "not an array" })]);
    await assert.rejects(h.client.listSubscriptions(), (err: ActivityApiError) => {
      assert.match(err.message, /expected a JSON array, got: \{"value":"not an array"\}/);
      return true;
    });
    assert.equal(h.server.requests.length, 3);
  });

  it("reads an error object sent with 200 by its AF code", async () => {
    await setup([(_q, res) => sendJson(res, 200, { error: { code: "AF20030", message: "Start time and end time must both be specified" } })]);
    await assert.rejects(h.client.listSubscriptions(), (err: ActivityApiError) => err.policy === "rewindow");
  });

  it("honours Retry-After on throttling, pauses the tenant's limiter and warns once per episode", async () => {
    const throttled: Route = (_q, res) => sendJson(res, 429, { error: { code: "AF429", message: "Too many requests." } }, { "Retry-After": "3" });
    await setup([throttled, throttled, (_q, res) => sendJson(res, 200, [])]);
    assert.deepEqual(await h.client.listSubscriptions(), []);
    assert.deepEqual(h.slept, [3000, 3000]);
    assert.deepEqual(h.paused, [3000, 3000]);
    const warns = h.logs.lines.filter((l) => l.level === "WARN");
    assert.equal(warns.length, 1);
    assert.equal(warns[0].fields.cause, "throttled");
    assert.equal(warns[0].fields.wait_seconds, 3);
    assert.ok(h.logs.lines.some((l) => l.level === "INFO" && l.fields.cause === "throttled"));
  });

  it("backs off exponentially with jitter on AF429 over HTTP 403 without Retry-After", async () => {
    const throttled: Route = (_q, res) => sendJson(res, 403, { error: { code: "AF429", message: "Too many requests. Method=List, PublisherId=x" } });
    await setup([throttled, throttled, (_q, res) => sendJson(res, 200, [])]);
    await h.client.listSubscriptions();
    assert.deepEqual(h.slept, [500, 1000]);
  });

  it("retries transient faults, then gives up with the last error", async () => {
    await setup([(_q, res) => sendJson(res, 500, { error: { code: "AF50000", message: "An internal error occurred. Retry the request." } })]);
    await assert.rejects(h.client.listSubscriptions(), (err: ActivityApiError) => err.code === "AF50000" && err.policy === "transient");
    assert.equal(h.server.requests.length, 3);
    assert.equal(h.logs.lines.filter((l) => l.level === "WARN" && l.fields.cause === "transient").length, 1);
  });

  it("does not retry configuration faults", async () => {
    await setup([(_q, res) => sendJson(res, 401, { error: { code: "AF10001", message: "The permission set () sent in the request does not include the expected permission." } })]);
    await assert.rejects(h.client.listSubscriptions(), (err: ActivityApiError) => err.policy === "fatal" && /ActivityFeed.Read/.test(err.message));
    assert.equal(h.server.requests.length, 1);
    assert.equal(h.invalidations, 0);
  });

  it("on HTTP 401 renews the token once and retries", async () => {
    await setup([(_q, res) => sendJson(res, 401, { error: { code: "", message: "expired" } }), (_q, res) => sendJson(res, 200, [])]);
    assert.deepEqual(await h.client.listSubscriptions(), []);
    assert.equal(h.invalidations, 1);
    assert.deepEqual(
      h.server.requests.map((r) => r.headers.authorization),
      ["Bearer token-0", "Bearer token-1"],
    );
  });

  it("a second 401 with a fresh token is fatal", async () => {
    await setup([(_q, res) => sendJson(res, 401, "")]);
    await assert.rejects(h.client.listSubscriptions(), (err: ActivityApiError) => err.policy === "fatal" && /fresh token/.test(err.message));
    assert.equal(h.server.requests.length, 2);
    assert.equal(h.invalidations, 1);
  });

  it("passes token errors through with their cause", async () => {
    await setup([(_q, res) => sendJson(res, 200, [])], {
      tokens: {
        getToken: () => Promise.reject(new TokenError("Token request failed (AADSTS7000215): the client secret is wrong or expired: re-enter it", "auth_failed", "AADSTS7000215")),
        invalidate: () => undefined,
      },
    });
    await assert.rejects(h.client.listSubscriptions(), (err: TokenError) => err.cause === "auth_failed" && err.policy === "fatal");
    assert.equal(h.server.requests.length, 0);
  });

  it("streams a blob whose id holds $ signs, with PublisherIdentifier", async () => {
    const records = JSON.stringify([{ Id: "1", RecordType: 28 }, { Id: "2", RecordType: 41 }]);
    await setup([
      (_q, res) => {
        res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
        res.write(records.slice(0, 10));
        setImmediate(() => res.end(records.slice(10)));
      },
    ]);
    const uri = `${h.server.origin}${FEED}/audit/20260309$20260309$audit_general$Audit_General$na0030`;
    const chunks: Uint8Array[] = [];
    for await (const chunk of await h.client.fetchBlob(uri)) chunks.push(chunk);
    assert.equal(Buffer.concat(chunks).toString(), records);
    assert.equal(h.server.requests[0].url, `${FEED}/audit/20260309$20260309$audit_general$Audit_General$na0030?PublisherIdentifier=${PUB}`);
  });

  it("a blob body that ends before its Content-Length is an error the caller sees", async () => {
    await setup([
      (_q, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
        res.write('[{"Id":"1"}');
        setImmediate(() => res.socket?.destroy());
      },
    ]);
    const stream = await h.client.fetchBlob(`${h.server.origin}${FEED}/audit/x`);
    await assert.rejects(
      (async () => {
        for await (const chunk of stream) void chunk;
      })(),
      (err: ActivityApiError) => err.policy === "transient" && /broke after 11 bytes/.test(err.message),
    );
  });

  it("asks for gzip and deflate, and decodes gzip, deflate and an unasked br, counting wire and decoded bytes", async () => {
    const page = JSON.stringify([{ contentType: "Audit.General", contentId: "c1", contentUri: "u", contentCreated: "2026-03-09T00:00:00.000Z", contentExpiration: "x" }]);
    const records = JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ Id: `${i}`, RecordType: 28, Operation: "TIMailData" })));
    const compressed = (coding: string, body: string, res: ServerResponse): void => {
      const data = coding === "gzip" ? gzipSync(body) : coding === "deflate" ? deflateSync(body) : brotliCompressSync(body);
      res.writeHead(200, { "content-type": "application/json", "content-encoding": coding, "content-length": String(data.length) });
      res.end(data);
    };
    await setup([
      (_q, res) => compressed("gzip", page, res),
      (_q, res) => compressed("deflate", records, res),
      (_q, res) => compressed("br", records, res),
    ]);
    const pages: unknown[] = [];
    for await (const items of h.client.listContent("Audit.General", new Date("2026-03-09T00:00:00Z"), new Date("2026-03-09T01:00:00Z"))) pages.push(items);
    assert.deepEqual(pages, [JSON.parse(page)]);
    for (let i = 0; i < 2; i++) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of await h.client.fetchBlob(`${h.server.origin}${FEED}/audit/b${i}`)) chunks.push(chunk);
      assert.equal(Buffer.concat(chunks).toString(), records);
    }
    assert.ok(h.server.requests.every((r) => r.headers["accept-encoding"] === "gzip, deflate"));
    const wire = gzipSync(page).length + deflateSync(records).length + brotliCompressSync(records).length;
    assert.deepEqual(h.client.transferredBytes(), { wire, decoded: page.length + 2 * records.length });
  });

  it("a compressed blob cut short of its Content-Length, or corrupt, is a transient error; an unknown coding too", async () => {
    const data = gzipSync(JSON.stringify([{ Id: "1" }]));
    await setup([
      (_q, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", "content-length": String(data.length + 50) });
        res.write(data.subarray(0, 12));
        setImmediate(() => res.socket?.destroy());
      },
      (_q, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
        res.end(Buffer.from("not gzip at all"));
      },
      (_q, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "zstd" });
        res.end("x");
      },
    ]);
    const drain = async (): Promise<void> => {
      for await (const chunk of await h.client.fetchBlob(`${h.server.origin}${FEED}/audit/x`)) void chunk;
    };
    await assert.rejects(drain(), (err: ActivityApiError) => err.policy === "transient" && /broke after 12 bytes/.test(err.message));
    await assert.rejects(drain(), (err: ActivityApiError) => err.policy === "transient" && /incorrect header check/.test(err.message));
    await assert.rejects(drain(), /Content-Encoding 'zstd'/);
  });

  it("checks a blob's Content-Type before streaming it", async () => {
    await setup([(_q, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>proxy login</html>");
    }]);
    await assert.rejects(h.client.fetchBlob(`${h.server.origin}${FEED}/audit/x`), /Content-Type 'text\/html': <html>proxy login/);
  });

  it("reports expired content by its AF code without retrying", async () => {
    await setup([(_q, res) => sendJson(res, 400, { error: { code: "AF20051", message: "Content requested with the key x has already expired." } })]);
    await assert.rejects(h.client.fetchBlob(`${h.server.origin}${FEED}/audit/x`), (err: ActivityApiError) => err.policy === "expired");
    assert.equal(h.server.requests.length, 1);
  });

  it("refuses to send the token outside the API's origin", async () => {
    await setup([(_q, res) => sendJson(res, 200, [])]);
    await assert.rejects(h.client.fetchBlob("https://attacker.example/api/v1.0/x/activity/feed/audit/1"), (err: ActivityApiError) => err.policy === "fatal");
    await assert.rejects(h.client.fetchBlob("not a url$x"), (err: ActivityApiError) => err.policy === "fatal");
    assert.equal(h.server.requests.length, 0);
  });

  it("measures the server's clock skew from the Date header", async () => {
    await setup([(_q, res) => sendJson(res, 200, [], { Date: "Mon, 09 Mar 2026 14:02:00 GMT" })]);
    assert.equal(h.client.clockSkewSeconds(), 0);
    await h.client.listSubscriptions();
    assert.equal(h.client.clockSkewSeconds(), 120);
  });

  it("close() ends a call that is waiting to retry, with the closing reason", async () => {
    const closing = new AbortController();
    await setup([(_q, res) => sendJson(res, 503, "")], {
      signal: closing.signal,
      // Real timers: a minute-long wait that only the abort can end.
      backoff: { baseMs: 60_000, capMs: 60_000, maxAttempts: 5, random: () => 1 },
    });
    const pending = h.client.listSubscriptions();
    while (h.server.requests.length === 0) await new Promise((r) => setImmediate(r));
    closing.abort(new ActivityApiError("Activity API client closed", 0, undefined, undefined, API_ERROR));
    await assert.rejects(pending, /client closed/);
    assert.equal(h.server.requests.length, 1);
  });

  it("turns a refused connection into a transient error after retries", async () => {
    await setup([(_q, res) => sendJson(res, 200, [])]);
    await h.server.close();
    const dead = new ActivityApiClient({
      apiRoot: `${h.server.origin}${FEED}`,
      publisherId: PUB,
      dispatcher: agent,
      logger: h.logs,
      tokens: { getToken: async () => "t", invalidate: () => undefined },
      limiter: { take: async () => undefined, pause: () => undefined },
      backoff: { maxAttempts: 2, sleep: async () => undefined },
    });
    await assert.rejects(dead.listSubscriptions(), (err: ActivityApiError) => err.status === 0 && err.policy === "transient" && /ECONNREFUSED/.test(err.message));
  });
});
