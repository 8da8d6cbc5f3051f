// The simulator over real HTTPS, as clients meet it: TLS trust through its CA file, tokens,
// paging, blobs, every fault knob, the CONNECT proxy, and @azure/msal-node itself logging in
// with no internet (child process with NODE_EXTRA_CA_CERTS, as the modular input runs).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { Agent, type Dispatcher, ProxyAgent, request } from "undici";
import {
  type AuditRecord,
  createClientCertificate,
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_TENANT_DOMAIN,
  DEFAULT_TENANT_ID,
  defaultTenant,
  type Simulator,
  startProxy,
  startSimulator,
} from "../simulator";

const CERT_APP = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d";
const AUDIT_OFF = "a0a0a0a0-1111-4222-8333-444455556666";
const NO_CONSENT = "b0b0b0b0-1111-4222-8333-444455556666";
const QUOTA = "c0c0c0c0-1111-4222-8333-444455556666";
const HOUR = 3_600_000;
const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 19);

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

describe("simulator over HTTPS", function () {
  this.timeout(30_000);
  const cert = createClientCertificate("collector");
  let sim: Simulator;
  let dispatcher: Agent;
  let offset = 0;
  let token: string;

  before(async () => {
    const base = defaultTenant();
    const extra = (tenantId: string, more: object) => ({ tenantId, clients: [{ clientId: DEFAULT_CLIENT_ID, secret: DEFAULT_CLIENT_SECRET }], backlog: false as const, ...more });
    sim = await startSimulator({
      clock: () => Date.now() + offset,
      pageSize: 10,
      tenants: [
        { ...base, clients: [...base.clients, { clientId: CERT_APP, certificatePem: cert.certPem }] },
        extra(AUDIT_OFF, { auditLogOff: true }),
        extra(NO_CONSENT, { consentMissing: true }),
        extra(QUOTA, { quotaPerMinute: 3 }),
      ],
    });
    dispatcher = new Agent({ connect: { ca: readFileSync(sim.caFile) } });
    token = await getToken(DEFAULT_TENANT_ID);
  });

  after(async () => {
    await dispatcher?.close();
    await sim?.close();
  });

  afterEach(() => {
    sim.setFaults({});
    offset = 0;
  });

  async function call(url: string, options: { method?: "GET" | "POST"; token?: string; body?: string; via?: Dispatcher } = {}): Promise<Reply> {
    const res = await request(url, {
      dispatcher: options.via ?? dispatcher,
      method: options.method ?? "GET",
      headers: { ...(options.token !== undefined ? { authorization: `Bearer ${options.token}` } : {}), "content-type": "application/x-www-form-urlencoded" },
      body: options.body,
    });
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  }

  async function getToken(tenant: string): Promise<string> {
    const body = new URLSearchParams({ grant_type: "client_credentials", client_id: DEFAULT_CLIENT_ID, client_secret: DEFAULT_CLIENT_SECRET, scope: `${sim.url}/.default` });
    const reply = await call(`${sim.url}/${tenant}/oauth2/v2.0/token`, { method: "POST", body: body.toString() });
    assert.equal(reply.status, 200, reply.text);
    return (JSON.parse(reply.text) as { access_token: string }).access_token;
  }

  const feed = (path: string, tenant = DEFAULT_TENANT_ID): string => `${sim.url}/api/v1.0/${tenant}/activity/feed/${path}`;
  const api = (path: string, method: "GET" | "POST" = "GET", tenant = DEFAULT_TENANT_ID): Promise<Reply> => call(feed(path, tenant), { method, token });
  const code = (reply: Reply): string => (JSON.parse(reply.text) as { error: { code: string } }).error.code;
  const content = (start: number, end: number): string => `subscriptions/content?contentType=Audit.General&startTime=${iso(start)}&endTime=${iso(end)}&PublisherIdentifier=${DEFAULT_TENANT_ID}`;

  async function listAll(path: string): Promise<{ items: { contentId: string; contentUri: string }[]; pages: number }> {
    const items: { contentId: string; contentUri: string }[] = [];
    let url: string | undefined = feed(path);
    let pages = 0;
    while (url) {
      const reply = await call(url, { token });
      assert.equal(reply.status, 200, reply.text);
      items.push(...(JSON.parse(reply.text) as { contentId: string; contentUri: string }[]));
      url = reply.headers.nextpageuri as string | undefined;
      pages++;
    }
    return { items, pages };
  }

  it("serves TLS that verifies with its CA file only, for 127.0.0.1 and localhost", async () => {
    await assert.rejects(request(`${sim.url}/${DEFAULT_TENANT_ID}/v2.0/.well-known/openid-configuration`), /certificate/i);
    const reply = await call(`${sim.url.replace("127.0.0.1", "localhost")}/${DEFAULT_TENANT_DOMAIN}/v2.0/.well-known/openid-configuration`);
    assert.equal(reply.status, 200);
    assert.equal((JSON.parse(reply.text) as { token_endpoint: string }).token_endpoint, `${sim.url}/${DEFAULT_TENANT_ID}/oauth2/v2.0/token`);
  });

  it("lists a day of blobs through NextPageUri, and the blobs hold exactly the simulator's records", async () => {
    const now = sim.now() + 60_000;
    const { items, pages } = await listAll(content(now - 24 * HOUR, now));
    assert.equal(items.length, 96);
    assert.equal(pages, 10);
    assert.equal(new Set(items.map((i) => i.contentId)).size, 96);
    const ids = new Set<string>();
    for (const item of items) {
      const reply = await call(`${item.contentUri}?PublisherIdentifier=${DEFAULT_TENANT_ID}`, { token });
      assert.equal(reply.status, 200);
      assert.match(String(reply.headers["content-type"]), /^application\/json/);
      for (const record of JSON.parse(reply.text) as AuditRecord[]) ids.add(String(record.Id));
    }
    assert.deepEqual([...ids].sort(), [...sim.recordIds(DEFAULT_TENANT_ID, "Audit.General")].sort());
    const blobGets = sim.requestLog.filter((e) => e.kind === "blob");
    assert.equal(blobGets.length, 96);
    assert.ok(blobGets.every((e) => e.status === 200 && e.publisherId === DEFAULT_TENANT_ID && e.contentId?.includes("$")));
  });

  it("serves the same bodies once generated blobs hold their texts (storeGenerated, for benchmarks)", async () => {
    const now = sim.now() + 60_000;
    const { items } = await listAll(content(now - 24 * HOUR, now));
    const bodies = async (): Promise<string[]> => Promise.all(items.slice(0, 5).map(async (i) => (await call(`${i.contentUri}?PublisherIdentifier=${DEFAULT_TENANT_ID}`, { token })).text));
    const before = await bodies();
    const ids = sim.recordIds(DEFAULT_TENANT_ID, "Audit.General");
    sim.storeGenerated(DEFAULT_TENANT_ID);
    sim.storeGenerated(DEFAULT_TENANT_ID); // twice: the second call keeps what the first stored
    assert.deepEqual(await bodies(), before);
    assert.deepEqual(sim.recordIds(DEFAULT_TENANT_ID, "Audit.General"), ids);
    assert.ok(before.every((b) => (JSON.parse(b) as unknown[]).length > 0));
  });

  it("accepts a percent-encoded contentId and the v1 path of the Reference's NextPageUri sample", async () => {
    const blob = sim.tenant(DEFAULT_TENANT_ID)?.allBlobs("Audit.General")[0];
    assert.ok(blob);
    assert.equal((await api(`audit/${encodeURIComponent(blob.contentId)}`)).status, 200);
    const reply = await call(`${sim.url}/api/v1/${DEFAULT_TENANT_ID}/activity/feed/subscriptions/list`, { token });
    assert.equal(reply.status, 200);
  });

  it("reports the skewed clock in the Date header and validates windows against it", async () => {
    sim.setFaults({ clockSkewSeconds: 3600 });
    const start = Date.now() - 7 * 24 * HOUR + 30 * 60_000;
    // Tokens are issued and checked on the server's clock too: the old one is an hour older now.
    token = await getToken(DEFAULT_TENANT_ID);
    const reply = await api(content(start, start + HOUR));
    assert.equal(code(reply), "AF20030");
    const served = Date.parse(String(reply.headers.date));
    assert.ok(Math.abs(served - (Date.now() + 3600_000)) < 5000, String(reply.headers.date));
    sim.setFaults({});
    assert.equal((await api(content(start, start + HOUR))).status, 200);
  });

  it("throttles with AF429 as HTTP 429 with Retry-After or 403 without, for the next N requests", async () => {
    sim.setFaults({ throttle: { count: 1, status: 429, retryAfterSeconds: 7 } });
    const first = await api("subscriptions/list");
    assert.equal(first.status, 429);
    assert.equal(first.headers["retry-after"], "7");
    assert.equal(code(first), "AF429");
    assert.equal((await api("subscriptions/list")).status, 200);
    sim.setFaults({ throttle: { count: 1 } });
    const second = await api("subscriptions/list");
    assert.equal(second.status, 403);
    assert.equal(second.headers["retry-after"], undefined);
    assert.match(second.text, /Too many requests. Method=ListSubscriptions, PublisherId=00000000-0000-0000-0000-000000000000/);
  });

  it("answers AF50000 for the next N requests, then recovers", async () => {
    sim.setFaults({ internalErrors: { count: 2 } });
    assert.deepEqual([(await api("subscriptions/list")).status, (await api("subscriptions/list")).status, (await api("subscriptions/list")).status], [500, 500, 200]);
    assert.equal(sim.requestLog.filter((e) => e.fault === "internalError").length, 2);
  });

  it("adds latency to every request", async () => {
    sim.setFaults({ latencyMs: 60 });
    const began = Date.now();
    assert.equal((await api("subscriptions/list")).status, 200);
    assert.ok(Date.now() - began >= 55);
  });

  it("resets the connection of the next blob GET only", async () => {
    const blob = sim.tenant(DEFAULT_TENANT_ID)?.allBlobs("Audit.General")[1];
    assert.ok(blob);
    sim.setFaults({ resets: { count: 1, on: ["blob"] } });
    assert.equal((await api("subscriptions/list")).status, 200);
    await assert.rejects(api(`audit/${blob.contentId}`));
    assert.equal((await api(`audit/${blob.contentId}`)).status, 200);
    assert.equal(sim.requestLog.filter((e) => e.fault === "reset" && e.status === 0).length, 1);
  });

  it("truncates blob bodies (abort or clean end) and garbles them", async () => {
    const blob = sim.tenant(DEFAULT_TENANT_ID)?.allBlobs("Audit.General")[2];
    assert.ok(blob);
    sim.setFaults({ truncatedBlobs: { count: 1 } });
    await assert.rejects(api(`audit/${blob.contentId}`));
    sim.setFaults({ truncatedBlobs: { count: 1, mode: "end" } });
    const ended = await api(`audit/${blob.contentId}`);
    assert.equal(ended.status, 200);
    assert.ok(ended.text.startsWith("["));
    assert.throws(() => JSON.parse(ended.text));
    sim.setFaults({ garbledBlobs: { count: 1 } });
    const garbled = await api(`audit/${blob.contentId}`);
    assert.equal(garbled.status, 200);
    assert.throws(() => JSON.parse(garbled.text));
    assert.equal((JSON.parse((await api(`audit/${blob.contentId}`)).text) as unknown[]).length, blob.records.count);
  });

  it("points the last page's NextPageUri back to the first page when asked", async () => {
    const now = sim.now();
    sim.setFaults({ nextPageLoop: { count: 1 } });
    const first = await api(content(now - 2 * HOUR, now - HOUR));
    const next = first.headers.nextpageuri as string;
    assert.ok(next);
    const again = await call(next, { token });
    assert.equal(again.text, first.text);
    assert.equal(again.headers.nextpageuri, undefined);
  });

  it("expires given blobs (AF20051) and disables subscriptions (AF20023) until restarted", async () => {
    const blob = sim.tenant(DEFAULT_TENANT_ID)?.allBlobs("Audit.SharePoint")[0];
    assert.ok(blob);
    sim.setFaults({ expire: [blob.contentId], disableSubscription: ["Audit.SharePoint"] });
    assert.equal(code(await api(`audit/${blob.contentId}`)), "AF20051");
    assert.equal(code(await api("subscriptions/content?contentType=Audit.SharePoint")), "AF20023");
    const listed = JSON.parse((await api("subscriptions/list")).text) as { contentType: string; status: string }[];
    assert.equal(listed.find((s) => s.contentType === "Audit.SharePoint")?.status, "disabled");
    assert.equal((await api("subscriptions/start?contentType=Audit.SharePoint", "POST")).status, 200);
    assert.equal((await api("subscriptions/content?contentType=Audit.SharePoint")).status, 200);
  });

  it("lets tokens expire mid-run with a short token lifetime", async () => {
    sim.setFaults({ tokenLifetimeSeconds: 60 });
    const shortLived = await getToken(DEFAULT_TENANT_ID);
    assert.equal((await call(feed("subscriptions/list"), { token: shortLived })).status, 200);
    offset = 61_000;
    const expired = await call(feed("subscriptions/list"), { token: shortLived });
    assert.equal(expired.status, 401);
    assert.equal((await call(feed("subscriptions/list"), { token: await getToken(DEFAULT_TENANT_ID) })).status, 200);
  });

  it("publishes late, future and duplicated blobs", async () => {
    const now = sim.now();
    const record = (id: string): AuditRecord => ({ CreationTime: iso(now - 6 * HOUR), Id: id, Operation: "TIMailData", RecordType: 28, Subject: "late </data>" });
    const [late] = sim.publish(DEFAULT_TENANT_ID, "Audit.General", [record("11111111-0000-4000-8000-000000000001")], { contentCreated: new Date(now - 5 * HOUR) });
    const twins = sim.publish(DEFAULT_TENANT_ID, "Audit.General", [record("11111111-0000-4000-8000-000000000002")], { duplicate: true });
    const [future] = sim.publish(DEFAULT_TENANT_ID, "Audit.General", [record("11111111-0000-4000-8000-000000000003")], { visibleAfter: new Date(now + HOUR) });
    const window = (await listAll(content(now - 6 * HOUR, now - 4 * HOUR))).items.map((i) => i.contentId);
    assert.equal(window[window.length - 1], late, "a late blob lists after the ones that were available before it");
    assert.equal(twins.length, 2);
    assert.equal((await api(`audit/${twins[0]}`)).text, (await api(`audit/${twins[1]}`)).text);
    assert.equal(code(await api(`audit/${future}`)), "AF20050");
    offset = HOUR + 1000;
    token = await getToken(DEFAULT_TENANT_ID);
    assert.equal((await api(`audit/${future}`)).status, 200);
    const records = sim.records(DEFAULT_TENANT_ID, "Audit.General");
    assert.equal(records.get("11111111-0000-4000-8000-000000000002")?.Subject, "late </data>");
  });

  it("enforces each tenant's quota, audit-off and consent-missing configurations", async () => {
    const quotaToken = await getToken(QUOTA);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(feed("subscriptions/list", QUOTA), { token: quotaToken })).status);
    assert.deepEqual(statuses, [200, 200, 200, 403]);
    const off = await call(feed("subscriptions/start?contentType=Audit.General", AUDIT_OFF), { method: "POST", token: await getToken(AUDIT_OFF) });
    assert.equal(off.status, 400);
    assert.match(off.text, /DataServiceException: Tenant a0a0a0a0-1111-4222-8333-444455556666 does not exist/);
    const noConsent = await call(feed("subscriptions/list", NO_CONSENT), { token: await getToken(NO_CONSENT) });
    assert.equal(code(noConsent), "AF10001");
    assert.equal(code(await call(feed("subscriptions/list", NO_CONSENT), { token })), "AF20010");
  });

  it("tunnels through the CONNECT proxy, which can refuse or demand credentials", async () => {
    const ca = readFileSync(sim.caFile);
    const open = await startProxy();
    const refusing = await startProxy({ refuse: true });
    const guarded = await startProxy({ credentials: { user: "svc", password: "p@ss" } });
    const agents = [
      new ProxyAgent({ uri: open.url, requestTls: { ca } }),
      new ProxyAgent({ uri: refusing.url, requestTls: { ca } }),
      new ProxyAgent({ uri: guarded.url, requestTls: { ca } }),
      new ProxyAgent({ uri: guarded.url, requestTls: { ca }, token: `Basic ${Buffer.from("svc:p@ss").toString("base64")}` }),
    ];
    try {
      const url = feed("subscriptions/list");
      assert.equal((await call(url, { token, via: agents[0] })).status, 200);
      assert.deepEqual(open.log.map((e) => [e.target, e.status]), [[new URL(sim.url).host, 200]]);
      await assert.rejects(call(url, { token, via: agents[1] }));
      assert.equal(refusing.log[0]?.status, 403);
      await assert.rejects(call(url, { token, via: agents[2] }));
      assert.equal(guarded.log[0]?.status, 407);
      assert.equal((await call(url, { token, via: agents[3] })).status, 200);
    } finally {
      await Promise.all(agents.map((a) => a.close()));
      await Promise.all([open.close(), refusing.close(), guarded.close()]);
    }
  });

  it("gives @azure/msal-node tokens (secret, certificate SHA-256 and SHA-1, domain authority) with no internet", async () => {
    const host = new URL(sim.url).host;
    const scope = `${sim.url}/.default`;
    const cases = [
      { clientId: DEFAULT_CLIENT_ID, clientSecret: DEFAULT_CLIENT_SECRET, authority: `${sim.url}/${DEFAULT_TENANT_ID}` },
      { clientId: CERT_APP, clientCertificate: { thumbprintSha256: cert.thumbprintSha256, privateKey: cert.keyPem }, authority: `${sim.url}/${DEFAULT_TENANT_ID}` },
      { clientId: CERT_APP, clientCertificate: { thumbprint: cert.thumbprintSha1, privateKey: cert.keyPem }, authority: `${sim.url}/${DEFAULT_TENANT_ID}` },
      { clientId: DEFAULT_CLIENT_ID, clientSecret: DEFAULT_CLIENT_SECRET, authority: `${sim.url}/${DEFAULT_TENANT_DOMAIN}` },
      { clientId: DEFAULT_CLIENT_ID, clientSecret: "wrong", authority: `${sim.url}/${DEFAULT_TENANT_ID}` },
    ].map((auth) => ({ auth: { ...auth, knownAuthorities: [host] }, scope }));
    // The options the collector needs: authority = <authority_url>/<tenant> and knownAuthorities
    // = [its host], so MSAL skips instance discovery on login.microsoftonline.com.
    const script = `
      const msal = require("@azure/msal-node");
      (async () => {
        const out = [];
        for (const c of JSON.parse(process.env.SIM_CASES)) {
          try {
            const r = await new msal.ConfidentialClientApplication({ auth: c.auth }).acquireTokenByClientCredential({ scopes: [c.scope] });
            out.push({ token: r.accessToken, tenantId: r.tenantId });
          } catch (e) { out.push({ error: e.errorCode, message: e.errorMessage || e.message }); }
        }
        process.stdout.write(JSON.stringify(out));
      })();`;
    const before = sim.requestLog.length;
    const { stdout } = await promisify(execFile)(process.execPath, ["-e", script], {
      cwd: process.cwd(),
      env: { ...process.env, NODE_EXTRA_CA_CERTS: sim.caFile, SIM_CASES: JSON.stringify(cases) },
      timeout: 25_000,
    });
    const msalRequests = sim.requestLog.slice(before);
    const results = JSON.parse(stdout) as { token?: string; error?: string; message?: string }[];
    for (const r of results.slice(0, 4)) {
      assert.ok(r.token, JSON.stringify(r));
      assert.equal((await call(feed("subscriptions/list"), { token: r.token })).status, 200);
    }
    assert.equal(results[4].error, "invalid_client");
    assert.match(results[4].message ?? "", /AADSTS7000215/);
    assert.deepEqual([...new Set(msalRequests.map((e) => e.kind))].sort(), ["openid", "token"]);
  });
});
