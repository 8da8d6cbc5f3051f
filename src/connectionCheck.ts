// Connection test run by --validate-arguments once the static checks pass: splunkd shows its
// message to whoever created or edited the input (Settings > Data inputs, or the app's
// Configuration page, whose "Test connection" creates a disabled probe input; docs/ui.md).
// Test = the secrets (clear as typed, or masked and read from storage/passwords with the session
// key splunkd passes) -> a token -> GET /subscriptions/list; with graph_backfill = 1 also a
// Graph token -> GET /security/auditLog/queries, which names a missing AuditLogsQuery.Read.All
// permission and its consent step (src/graph/checkAccess.ts).
import { setTimeout as delay } from "node:timers/promises";
import type { InputConfig } from "./config/inputConfig";
import { createActivityApi, type ApiFactoryOptions } from "./api/factory";
import { proxyForMessages } from "./errors/networkFailure";
import { endpointsFor } from "./auth/clouds";
import type { Cause } from "./errors/causes";
import { FaultError } from "./errors/faultError";
import type { ActivityApi } from "./api/activityApi";
import { checkGraphAccess } from "./graph/checkAccess";
import { createGraphClient, type GraphClient } from "./graph/factory";
import type { ValidationDefinition } from "./splunk/inputDefinition";
import { createLogger, type Logger } from "./splunk/logger";
import { lookupSecrets, type Secrets } from "./splunk/secrets";
import type { SplunkdRest } from "./splunk/splunkdRest";

/** splunkd waits for the validation script; keep well inside its patience. */
export const CHECK_TIMEOUT_MS = 25_000;

/**
 * The test reports the first transport failure rather than retrying it, and undici's own
 * timeouts end a silent connection inside CHECK_TIMEOUT_MS, so the answer names the host and
 * the error code instead of a bare timeout.
 */
export const CHECK_API_OPTIONS: ApiFactoryOptions = { backoff: { maxAttempts: 1 }, http: { connectTimeoutMs: 10_000, headersTimeoutMs: 10_000 } };

export interface CheckDeps {
  createApi?: (config: InputConfig, secrets: Secrets, logger: Logger) => ActivityApi;
  createGraph?: (config: InputConfig, secrets: Secrets, logger: Logger) => GraphClient;
  rest?: SplunkdRest;
  logger?: Logger;
  timeoutMs?: number;
}

/** The cause code an admin acts on, which API and token errors carry (src/errors/table.ts). */
function causeOf(error: Error): Cause | undefined {
  return error instanceof FaultError ? error.cause : undefined;
}

/**
 * One line for Splunk Web: the cause code, then the failure as the API client words it (its AF
 * code, Microsoft's text and the fix; src/api/client.ts, src/auth/tokenErrors.ts).
 */
export function describeConnectionError(failure: unknown): string {
  const error = failure instanceof Error ? failure : new Error(String(failure));
  const cause = causeOf(error);
  return `Connection test failed${cause ? ` [${cause}]` : ""}: ${error.message}`;
}

/** The hosts an input talks to, for a timeout that could be either. */
function noAnswer(config: InputConfig, ms: number): Error {
  const endpoints = endpointsFor(config);
  const hosts = [endpoints.knownAuthorityHost, new URL(endpoints.apiRoot).host];
  const proxy = proxyForMessages(config.proxyUrl);
  const via = proxy ? `through the proxy ${proxy}` : "without a proxy";
  const fix = proxy ? `let the proxy ${proxy} CONNECT to ${hosts.join(" and ")}` : `allow outbound HTTPS from this host to ${hosts.join(" and ")}, or set proxy_url`;
  return new Error(`no answer within ${ms / 1000} s from ${hosts.join(" or ")} ${via}: ${fix}`);
}

async function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  const timer = new AbortController();
  const timeout = delay(ms, undefined, { signal: timer.signal }).then(() => {
    throw onTimeout();
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    timer.abort();
  }
}

/** Returns an error message for Splunk Web, or undefined when the connection works. */
export async function checkConnection(
  def: ValidationDefinition,
  config: InputConfig,
  deps: CheckDeps = {},
): Promise<string | undefined> {
  let secrets: Secrets;
  try {
    secrets = await lookupSecrets(def, config, deps.rest);
  } catch (error) {
    if (error instanceof FaultError) return describeConnectionError(error);
    throw error;
  }
  return testConnection(config, secrets, deps);
}

/** A token, then GET /subscriptions/list: an error message naming the cause, or undefined when both work. */
export async function testConnection(config: InputConfig, secrets: Secrets, deps: CheckDeps = {}): Promise<string | undefined> {
  const logger = (deps.logger ?? createLogger()).child({ input: config.name });
  const api = (deps.createApi ?? ((c, s, l) => createActivityApi(c, s, l, CHECK_API_OPTIONS)))(config, secrets, logger);
  let graph: GraphClient | undefined;
  const work = async (): Promise<void> => {
    await api.listSubscriptions();
    if (!config.graphBackfill) return;
    graph = (deps.createGraph ?? createGraphClient)(config, secrets, logger);
    await checkGraphAccess(graph.http);
  };
  const timeoutMs = deps.timeoutMs ?? CHECK_TIMEOUT_MS;
  try {
    await withTimeout(work(), timeoutMs, () => noAnswer(config, timeoutMs));
    return undefined;
  } catch (error) {
    return describeConnectionError(error);
  } finally {
    await api.close().catch(() => undefined);
    await graph?.close().catch(() => undefined);
  }
}
