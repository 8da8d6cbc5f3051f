import assert from "node:assert/strict";
import type { ActivityApi } from "../../src/api/activityApi";
import { ActivityApiError } from "../../src/api/errors";
import { parseApiError } from "../../src/api/client";
import { checkConnection, describeConnectionError } from "../../src/connectionCheck";
import { TokenError } from "../../src/auth/tokenErrors";
import type { ValidationDefinition } from "../../src/splunk/inputDefinition";
import { createLogger } from "../../src/splunk/logger";
import type { Secrets } from "../../src/splunk/secrets";
import type { SplunkdRest } from "../../src/splunk/splunkdRest";
import { parseConfig } from "../../src/config/parse";
import { parseGraphError } from "../../src/graph/errors";
import type { GraphClient } from "../../src/graph/factory";
import type { GraphHttp } from "../../src/graph/http";

const PARAMS = { tenant_id: "0d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6", client_id: "11111111-2222-4333-8444-555555555555" };

function fakeApi(list: () => Promise<unknown>, closed: string[]): ActivityApi {
  const never = () => Promise.reject(new Error("not used"));
  return {
    listSubscriptions: list as ActivityApi["listSubscriptions"],
    startSubscription: never,
    listContent: () => ({ [Symbol.asyncIterator]: () => ({ next: never }) }),
    fetchBlob: never,
    clockSkewSeconds: () => 0,
    transferredBytes: () => ({ wire: 0, decoded: 0 }),
    close: async () => void closed.push("closed"),
  } as ActivityApi;
}

function memoryRest(stored: Record<string, string>): SplunkdRest {
  return {
    readPassword: async (_realm, user) => stored[user],
    writePassword: async () => assert.fail("validation must not write secrets"),
    updateInput: async () => assert.fail("validation must not edit the input"),
  };
}

/** A GraphClient whose calls answer with the given statuses in turn (2xx = success), recording the URLs. */
function fakeGraph(statuses: number[], urls: string[], closed: string[]): GraphClient {
  const http = {
    origin: "https://graph.example.test",
    call: async (operation: string, _method: string, url: string) => {
      urls.push(url);
      const status = statuses.shift() ?? 200;
      if (status >= 300) throw parseGraphError(operation, status, '{"error":{"code":"Forbidden","message":"Missing role permissions"}}');
      return { status, text: '{"value":[]}' };
    },
  } as unknown as GraphHttp;
  return { http, close: async () => void closed.push("graph closed") };
}

describe("checkConnection", () => {
  const silent = createLogger(() => undefined);
  function def(params: Record<string, string>): ValidationDefinition {
    return { serverHost: "h", serverUri: "https://127.0.0.1:8089", sessionKey: "k", checkpointDir: "/tmp", item: { name: "contoso", params: { ...PARAMS, ...params } } };
  }

  it("passes when a token is issued and subscriptions list, using the stored secret for a masked value", async () => {
    const d = def({ client_secret: "********" });
    const seen: Secrets[] = [];
    const closed: string[] = [];
    const message = await checkConnection(d, parseConfig(d.item).config!, {
      rest: memoryRest({ contoso: "from-storage" }),
      logger: silent,
      createApi: (_c, secrets) => (seen.push(secrets), fakeApi(async () => [], closed)),
    });
    assert.equal(message, undefined);
    assert.deepEqual(seen, [{ clientSecret: "from-storage" }]);
    assert.deepEqual(closed, ["closed"]);
  });

  it("checks Graph only when graph_backfill = 1", async () => {
    const d = def({ client_secret: "typed" });
    const message = await checkConnection(d, parseConfig(d.item).config!, {
      rest: memoryRest({}),
      logger: silent,
      createApi: () => fakeApi(async () => [], []),
      createGraph: () => assert.fail("no Graph call without graph_backfill"),
    });
    assert.equal(message, undefined);
  });

  it("names Graph's missing permission and its consent step when graph_backfill = 1", async () => {
    const d = def({ client_secret: "typed", graph_backfill: "1" });
    const closed: string[] = [];
    const message = await checkConnection(d, parseConfig(d.item).config!, {
      rest: memoryRest({}),
      logger: silent,
      createApi: () => fakeApi(async () => [], closed),
      createGraph: () => fakeGraph([403], [], closed),
    });
    assert.match(message ?? "", /^Connection test failed \[graph_consent_missing\]: .*AuditLogsQuery\.Read\.All.*Grant admin consent/);
    assert.deepEqual(closed.sort(), ["closed", "graph closed"]);
  });

  it("passes the Graph check on beta when v1.0 answers 404", async () => {
    const d = def({ client_secret: "typed", graph_backfill: "1" });
    const urls: string[] = [];
    const message = await checkConnection(d, parseConfig(d.item).config!, {
      rest: memoryRest({}),
      logger: silent,
      createApi: () => fakeApi(async () => [], []),
      createGraph: () => fakeGraph([404, 200], urls, []),
    });
    assert.equal(message, undefined);
    assert.deepEqual(urls, ["https://graph.example.test/v1.0/security/auditLog/queries", "https://graph.example.test/beta/security/auditLog/queries"]);
  });

  it("names the AF code and consent when the permission is missing", async () => {
    const d = def({ client_secret: "typed" });
    const error = new ActivityApiError("Activity API subscriptions/list failed (HTTP 401 AF10001): the app lacks ActivityFeed.Read", 401, "AF10001");
    const message = await checkConnection(d, parseConfig(d.item).config!, {
      rest: memoryRest({}),
      logger: silent,
      createApi: () => fakeApi(() => Promise.reject(error), []),
    });
    assert.match(message ?? "", /^Connection test failed \[consent_missing\]: .*AF10001/);
  });

  it("keeps a token error's own cause", () => {
    const error = new TokenError("Token request failed (7000215): the client secret is wrong or expired: re-enter it", "auth_failed");
    assert.equal(describeConnectionError(error), "Connection test failed [auth_failed]: Token request failed (7000215): the client secret is wrong or expired: re-enter it");
  });

  it("recognises audit logging off", () => {
    const body = JSON.stringify({ error: { code: "ListSubscriptions failed. Exception: Microsoft.Office.Compliance.Audit.DataServiceException: Tenant 41 does not exist." } });
    assert.match(describeConnectionError(parseApiError("list subscriptions", 400, body)), /^Connection test failed \[audit_log_off\]: .*unified audit logging is off/);
  });

  it("says what to re-enter when the masked secret is not stored", async () => {
    const d = def({ client_secret: "********" });
    const message = await checkConnection(d, parseConfig(d.item).config!, {
      rest: memoryRest({}),
      logger: silent,
      createApi: () => assert.fail("no API call without a secret"),
    });
    assert.match(message ?? "", /client secret of input contoso is not in storage\/passwords: re-enter it/);
  });

  it("gives up with a clear message when the API does not answer", async () => {
    const d = def({ client_secret: "typed" });
    const closed: string[] = [];
    const message = await checkConnection(d, parseConfig(d.item).config!, {
      rest: memoryRest({}),
      logger: silent,
      timeoutMs: 20,
      createApi: () => fakeApi(() => new Promise(() => undefined), closed),
    });
    assert.match(
      message ?? "",
      /no answer within 0.02 s from login\.microsoftonline\.com or manage\.office\.com without a proxy: allow outbound HTTPS from this host to login\.microsoftonline\.com and manage\.office\.com, or set proxy_url/,
    );
    assert.deepEqual(closed, ["closed"]);
  });
});
