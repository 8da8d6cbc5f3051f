// Builds the Graph side of one input: its origin (cloud or graph_url), a token for
// `<origin>/.default` from the same app registration and credential as the Activity API's, the
// shared HTTP dispatcher (proxy, timeouts) and the GraphHttp caller.
import type { InputConfig } from "../config/inputConfig";
import { endpointsFor } from "../auth/clouds";
import { MsalTokenProvider } from "../auth/tokenProvider";
import { credentialFor, usable } from "../api/factory";
import type { BackoffOptions } from "../api/backoff";
import { acquireDispatcher } from "../api/http";
import type { Secrets } from "../splunk/secrets";
import type { Logger } from "../splunk/logger";
import { graphOrigin, graphScope } from "./endpoints";
import { GraphError } from "./errors";
import { GraphHttp } from "./http";

export interface GraphClient {
  http: GraphHttp;
  close(): Promise<void>;
}

/** Throws a TokenError (unreadable certificate, missing secret) or GraphError (cloud without the API). */
export function createGraphClient(
  config: InputConfig,
  secrets: Secrets,
  logger: Logger,
  opts: { backoff?: Partial<BackoffOptions>; /** The run's stop signal: requests and waits in flight end at once. */ signal?: AbortSignal } = {},
): GraphClient {
  const origin = graphOrigin(config);
  if (!origin) throw new GraphError(`Microsoft Graph's audit log query API is not offered for cloud ${config.cloud}: set graph_backfill = 0`, "fatal", 0);
  const credential = credentialFor(config, secrets);
  const shared = acquireDispatcher({ proxyUrl: config.proxyUrl, proxyPassword: usable(secrets.proxyPassword) });
  const lifetime = new AbortController();
  const signal = opts.signal ? AbortSignal.any([lifetime.signal, opts.signal]) : lifetime.signal;
  const tokens = new MsalTokenProvider({
    endpoints: endpointsFor(config),
    scope: graphScope(origin),
    clientId: config.clientId,
    credential,
    dispatcher: shared.dispatcher,
    logger,
    signal,
  });
  const http = new GraphHttp({ origin, tokens, dispatcher: shared.dispatcher, logger, backoff: opts.backoff, signal });
  return {
    http,
    async close() {
      lifetime.abort(new GraphError("Graph client closed", "fatal", 0));
      await shared.release();
    },
  };
}
