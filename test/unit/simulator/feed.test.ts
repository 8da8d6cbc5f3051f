import assert from "node:assert/strict";
import type { HttpAnswer } from "../../simulator/entra";
import { type FeedAnswer, type FeedContext, handleFeed } from "../../simulator/feed";
import { signHs256 } from "../../simulator/jwt";
import { SimTenant, type TenantOptions } from "../../simulator/tenant";
import { DAY_MS, HOUR_MS } from "../../simulator/window";

const TID = "3f0e6c1a-5b7d-4e2f-9a8c-1d2e3f4a5b6c";
const OTHER = "0b1c2d3e-4f50-4a61-8b72-93a4b5c6d7e8";
const BASE = "https://127.0.0.1:4443";
const KEY = Buffer.alloc(32, 3);
const NOW = Date.UTC(2026, 2, 10, 12, 0, 0);

const records = (n: number) => ({ count: n, id: (i: number) => `id-${i}`, text: (i: number) => JSON.stringify({ Id: `id-${i}` }) });

interface Setup {
  tenant: SimTenant;
  ctx: FeedContext;
  token: string;
  call(method: string, operation: string, query?: Record<string, string>, opts?: { token?: string; tenantRef?: string; body?: string }): FeedAnswer;
}

function setup(options: Partial<TenantOptions> = {}, pageSize = 3): Setup {
  const tenant = new SimTenant({ tenantId: TID, clients: [], ...options }, 2000);
  let loop = false;
  const ctx: FeedContext = {
    baseUrl: BASE,
    now: NOW,
    tokenKey: KEY,
    pageSize,
    nextPagePathVersion: "v1.0",
    loopNextPage: () => loop,
    tenant: (id) => (id === TID ? tenant : undefined),
  };
  const token = signHs256({ aud: BASE, tid: TID, appid: "app", roles: ["ActivityFeed.Read"], exp: NOW / 1000 + 3600 }, KEY);
  return {
    tenant,
    ctx: Object.assign(ctx, { setLoop: (v: boolean) => (loop = v) }),
    token,
    call(method, operation, query = {}, opts = {}) {
      const q = new Map(Object.entries(query).map(([k, v]) => [k.toLowerCase(), v]));
      return handleFeed(ctx, {
        method,
        tenantRef: opts.tenantRef ?? TID,
        operation,
        query: (name) => q.get(name.toLowerCase()),
        authorization: `Bearer ${opts.token ?? token}`,
        body: opts.body ?? "",
      });
    },
  };
}

const code = (a: FeedAnswer): string | undefined => ("body" in a ? (a.body as { error?: { code?: string } }).error?.code : undefined);
const json = (a: FeedAnswer): HttpAnswer => {
  assert.ok("body" in a, "expected a JSON answer");
  return a;
};
const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 19);

describe("simulator Activity API handlers", () => {
  describe("authentication", () => {
    it("answers 401 without, with a forged, an expired or a wrong-audience token", () => {
      const s = setup();
      for (const token of ["", "abc.def.ghi", signHs256({ aud: BASE, tid: TID, roles: ["ActivityFeed.Read"], exp: NOW / 1000 - 1 }, KEY), signHs256({ aud: "https://manage.office.com", tid: TID, roles: ["ActivityFeed.Read"], exp: NOW / 1000 + 60 }, KEY), signHs256({ aud: BASE, tid: TID, exp: NOW / 1000 + 60 }, Buffer.alloc(32, 9))]) {
        assert.equal(json(s.call("GET", "subscriptions/list", {}, { token })).status, 401);
      }
    });

    it("answers AF20013 for a non-GUID tenant, AF20010 for another tenant, AF10001 without the role", () => {
      const s = setup();
      assert.equal(code(s.call("GET", "subscriptions/list", {}, { tenantRef: "contoso.onmicrosoft.com" })), "AF20013");
      assert.equal(code(s.call("GET", "subscriptions/list", {}, { tenantRef: OTHER })), "AF20010");
      const noRole = signHs256({ aud: BASE, tid: TID, appid: "app", exp: NOW / 1000 + 60 }, KEY);
      const answer = json(s.call("GET", "subscriptions/list", {}, { token: noRole }));
      assert.equal(code(answer), "AF10001");
      assert.match(JSON.stringify(answer.body), /permission set \(\)/);
    });

    it("answers AF20002 for a PublisherIdentifier that is not a GUID", () => {
      assert.equal(code(setup().call("GET", "subscriptions/list", { PublisherIdentifier: "contoso" })), "AF20002");
    });

    it("answers the DataServiceException text when audit logging is off", () => {
      const answer = json(setup({ auditLogOff: true }).call("POST", "subscriptions/start", { contentType: "Audit.General" }));
      assert.equal(answer.status, 400);
      const error = (answer.body as { error: { code: string; message: string } }).error;
      assert.match(error.code, /^StartSubscription \[CorrId=/);
      assert.match(error.message, /DataServiceException: Tenant 3f0e6c1a-5b7d-4e2f-9a8c-1d2e3f4a5b6c does not exist/);
    });
  });

  describe("quota", () => {
    it("answers AF429 (HTTP 403) once the tenant's requests per minute are spent", () => {
      const s = setup({ quotaPerMinute: 2 });
      assert.equal(json(s.call("GET", "subscriptions/list")).status, 200);
      assert.equal(json(s.call("GET", "subscriptions/list", {}, { token: "bad" })).status, 401);
      const answer = json(s.call("GET", "subscriptions/list", { PublisherIdentifier: TID }));
      assert.equal(answer.status, 403);
      assert.deepEqual(answer.body, { error: { code: "AF429", message: `Too many requests. Method=ListSubscriptions, PublisherId=${TID}` } });
    });
  });

  describe("subscriptions", () => {
    it("lists, starts (AF20024 when nothing changes), throttles starts for 15 minutes, and stops", () => {
      const s = setup({ subscriptions: ["Audit.General"] });
      assert.deepEqual(json(s.call("GET", "subscriptions/list")).body, [{ contentType: "Audit.General", status: "enabled", webhook: null }]);
      assert.equal(code(s.call("POST", "subscriptions/start", { contentType: "Audit.General" })), "AF20024");
      assert.deepEqual(json(s.call("POST", "subscriptions/start", { contentType: "audit.exchange" })).body, { contentType: "Audit.Exchange", status: "enabled", webhook: null });
      assert.equal(json(s.call("POST", "subscriptions/stop", { contentType: "Audit.Exchange" })).status, 200);
      assert.equal(code(s.call("GET", "subscriptions/content", { contentType: "Audit.Exchange" })), "AF20023");
      assert.equal(code(s.call("POST", "subscriptions/start", { contentType: "Audit.Exchange" })), "AF429");
      s.ctx.now = NOW + 15 * 60_000;
      assert.equal(json(s.call("POST", "subscriptions/start", { contentType: "Audit.Exchange" })).status, 200);
    });

    it("answers AF20022 without a subscription and AF20020/AF20001 for bad or missing content types", () => {
      const s = setup({ subscriptions: [] });
      assert.equal(code(s.call("GET", "subscriptions/content", { contentType: "Audit.General" })), "AF20022");
      assert.equal(code(s.call("POST", "subscriptions/stop", { contentType: "Audit.General" })), "AF20022");
      assert.equal(code(s.call("GET", "subscriptions/content", { contentType: "Audit.Everything" })), "AF20020");
      assert.equal(code(s.call("GET", "subscriptions/content")), "AF20001");
    });

    it("never lists content that became available while the subscription was stopped", () => {
      const s = setup();
      s.tenant.disable("Audit.General", NOW - 3 * HOUR_MS);
      s.tenant.enable("Audit.General", NOW - HOUR_MS, null);
      s.tenant.addBlob({ contentType: "Audit.General", contentId: "gap", created: NOW - 2 * HOUR_MS, visibleAt: NOW - 2 * HOUR_MS, records: records(1) });
      s.tenant.addBlob({ contentType: "Audit.General", contentId: "after", created: NOW - 2 * HOUR_MS, visibleAt: NOW - 30 * 60_000, records: records(1) });
      const body = json(s.call("GET", "subscriptions/content", { contentType: "Audit.General", startTime: iso(NOW - 5 * HOUR_MS), endTime: iso(NOW) })).body as { contentId: string }[];
      assert.deepEqual(body.map((b) => b.contentId), ["after"]);
    });
  });

  describe("content listing", () => {
    function withBlobs(pageSize = 3): Setup {
      const s = setup({}, pageSize);
      for (let i = 0; i < 7; i++) {
        s.tenant.addBlob({ contentType: "Audit.General", contentId: `b${i}$x`, created: NOW - (10 - i) * HOUR_MS, visibleAt: NOW - (10 - i) * HOUR_MS, records: records(2) });
      }
      // A late blob: created early, available last; and one not yet available.
      s.tenant.addBlob({ contentType: "Audit.General", contentId: "late", created: NOW - 11 * HOUR_MS, visibleAt: NOW - 60_000, records: records(1) });
      s.tenant.addBlob({ contentType: "Audit.General", contentId: "future", created: NOW - 9 * HOUR_MS, visibleAt: NOW + 60_000, records: records(1) });
      return s;
    }

    function follow(s: Setup, query: Record<string, string>): { ids: string[]; pages: number } {
      const ids: string[] = [];
      let pages = 0;
      let q: Record<string, string> | undefined = query;
      while (q) {
        const answer = json(s.call("GET", "subscriptions/content", q));
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        pages++;
        ids.push(...(answer.body as { contentId: string }[]).map((b) => b.contentId));
        const next = answer.headers?.NextPageUri;
        q = next ? Object.fromEntries(new URL(next).searchParams) : undefined;
      }
      return { ids, pages };
    }

    it("selects startTime <= contentCreated < endTime in availability order, paging with NextPageUri", () => {
      const s = withBlobs();
      const r = follow(s, { contentType: "Audit.General", startTime: iso(NOW - 12 * HOUR_MS), endTime: iso(NOW - 4 * HOUR_MS) });
      assert.deepEqual(r.ids, ["b0$x", "b1$x", "b2$x", "b3$x", "b4$x", "b5$x", "late"]);
      assert.equal(r.pages, 3);
      const edge = follow(s, { contentType: "Audit.General", startTime: iso(NOW - 10 * HOUR_MS), endTime: iso(NOW - 8 * HOUR_MS) });
      assert.deepEqual(edge.ids, ["b0$x", "b1$x"]);
    });

    it("writes content items and NextPageUri in the service's formats", () => {
      const s = withBlobs(2);
      const answer = json(s.call("GET", "subscriptions/content", { contentType: "Audit.General", startTime: "2026-03-10T00:00", endTime: "2026-03-10T12:00" }));
      const [first] = answer.body as Record<string, string>[];
      assert.deepEqual(first, {
        contentType: "Audit.General",
        contentId: "b0$x",
        contentUri: `${BASE}/api/v1.0/${TID}/activity/feed/audit/b0$x`,
        contentCreated: "2026-03-10T02:00:00.000Z",
        contentExpiration: "2026-03-17T02:00:00.000Z",
      });
      assert.match(answer.headers?.NextPageUri ?? "", new RegExp(`^${BASE}/api/v1.0/${TID}/activity/feed/subscriptions/content\\?contentType=Audit.General&startTime=2026-03-10T00:00:00.0000000Z&endTime=2026-03-10T12:00:00.0000000Z&nextPage=`));
    });

    it("writes the v1 path into NextPageUri when configured like the Reference's sample", () => {
      const s = withBlobs(2);
      s.ctx.nextPagePathVersion = "v1";
      const answer = json(s.call("GET", "subscriptions/content", { contentType: "Audit.General", startTime: "2026-03-10T00:00", endTime: "2026-03-10T12:00" }));
      assert.ok(answer.headers?.NextPageUri?.startsWith(`${BASE}/api/v1/${TID}/activity/feed/subscriptions/content?`));
    });

    it("answers AF20031 for a forged nextPage or one from another window", () => {
      const s = withBlobs();
      const query = { contentType: "Audit.General", startTime: iso(NOW - 12 * HOUR_MS), endTime: iso(NOW - 4 * HOUR_MS) };
      const next = new URL(json(s.call("GET", "subscriptions/content", query)).headers?.NextPageUri ?? "").searchParams.get("nextPage") ?? "";
      assert.equal(code(s.call("GET", "subscriptions/content", { ...query, nextPage: "garbage" })), "AF20031");
      assert.equal(code(s.call("GET", "subscriptions/content", { ...query, nextPage: next.replace(/.$/, (c) => (c === "0" ? "1" : "0")) })), "AF20031");
      assert.equal(code(s.call("GET", "subscriptions/content", { ...query, startTime: iso(NOW - 13 * HOUR_MS), nextPage: next })), "AF20031");
    });

    it("applies the window rules (AF20030, AF20055)", () => {
      const s = withBlobs();
      assert.equal(code(s.call("GET", "subscriptions/content", { contentType: "Audit.General", startTime: iso(NOW - 25 * HOUR_MS), endTime: iso(NOW) })), "AF20030");
      assert.equal(code(s.call("GET", "subscriptions/content", { contentType: "Audit.General", startTime: iso(NOW - 7 * DAY_MS - 1000), endTime: iso(NOW - 7 * DAY_MS + HOUR_MS) })), "AF20030");
      assert.equal(code(s.call("GET", "subscriptions/content", { contentType: "Audit.General", startTime: iso(NOW), endTime: iso(NOW - HOUR_MS) })), "AF20055");
    });

    it("loops the last page back to the first when the fault asks", () => {
      const s = withBlobs();
      (s.ctx as FeedContext & { setLoop(v: boolean): void }).setLoop(true);
      const query = { contentType: "Audit.General", startTime: iso(NOW - 9 * HOUR_MS), endTime: iso(NOW - 8 * HOUR_MS) };
      const first = json(s.call("GET", "subscriptions/content", query));
      const again = json(s.call("GET", "subscriptions/content", Object.fromEntries(new URL(first.headers?.NextPageUri ?? "").searchParams)));
      assert.deepEqual(again.body, first.body);
    });
  });

  describe("blobs", () => {
    it("serves a visible blob, AF20050 for unknown or not-yet-available ids, AF20051 after 7 days or when expired", () => {
      const s = setup();
      s.tenant.addBlob({ contentType: "Audit.General", contentId: "a$b", created: NOW - HOUR_MS, visibleAt: NOW - HOUR_MS, records: records(2) });
      s.tenant.addBlob({ contentType: "Audit.General", contentId: "soon", created: NOW, visibleAt: NOW + 1000, records: records(2) });
      const ok = s.call("GET", "audit/a$b");
      assert.ok("blob" in ok && ok.blob.contentId === "a$b");
      const missing = json(s.call("GET", "audit/nope"));
      assert.equal(missing.status, 404);
      assert.equal(code(missing), "AF20050");
      assert.equal(code(s.call("GET", "audit/soon")), "AF20050");
      s.ctx.now = NOW - HOUR_MS + 7 * DAY_MS;
      assert.equal(code(s.call("GET", "audit/a$b", {}, { token: signHs256({ aud: BASE, tid: TID, appid: "app", roles: ["ActivityFeed.Read"], exp: s.ctx.now / 1000 + 60 }, KEY) })), "AF20051");
      s.ctx.now = NOW;
      const blob = s.tenant.blob("a$b");
      assert.ok(blob);
      blob.expired = true;
      assert.equal(code(s.call("GET", "audit/a$b")), "AF20051");
    });
  });
});
