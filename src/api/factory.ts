// Builds the ActivityApi of one input: endpoints for its cloud (and overrides), the shared
// HTTP dispatcher (proxy, timeouts), an MSAL token provider with its secret or certificate,
// the tenant's request limiter, and the client. Never throws: a setup fault (unreadable
// certificate, bad proxy_url, missing secret) is reported by the first call, with a `cause`
// code, like any other failure.
import { readFileSync } from "node:fs";
import { MASKED_SECRET } from "../config/constants";
import type { InputConfig } from "../config/inputConfig";
import type { Secrets } from "../splunk/secrets";
import type { Logger } from "../splunk/logger";
import { endpointsFor } from "../auth/clouds";
import { MsalTokenProvider, type Credential } from "../auth/tokenProvider";
import { TokenError } from "../auth/tokenErrors";
import type { ActivityApi } from "./activityApi";
import { ActivityApiError } from "./errors";
import { API_ERROR } from "../errors/table";
import { ActivityApiClient } from "./client";
import type { BackoffOptions } from "./backoff";
import { acquireDispatcher, type HttpOptions } from "./http";
import { proxyForMessages } from "../errors/networkFailure";
import { limiterForTenant } from "./limiter";

export interface ApiFactoryOptions {
  backoff?: Partial<BackoffOptions>;
  rateLimitPerMinute?: number;
  /** Timeouts and extra CAs (tests); proxy settings come from the config. */
  http?: Omit<HttpOptions, "proxyUrl" | "proxyPassword">;
  /** The run's stop signal: it cuts retry waits and requests short, as close() does. */
  stop?: AbortSignal;
}

/** storage/passwords hands back the mask only if the stanza was never unmasked. */
export function usable(value: string | undefined): string | undefined {
  return value && value !== MASKED_SECRET ? value : undefined;
}

export function credentialFor(config: InputConfig, secrets: Secrets): Credential {
  if (config.certificatePath) {
    let pem: string;
    try {
      pem = readFileSync(config.certificatePath, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
      throw new TokenError(`Cannot read certificate_path ${config.certificatePath} (${code}): check the path and its permissions`, "config_invalid");
    }
    return { kind: "certificate", pem, password: usable(secrets.certificatePassword) };
  }
  const secret = usable(secrets.clientSecret) ?? usable(config.clientSecret);
  if (!secret) throw new TokenError("No client secret is available for this input: re-enter it", "secret_missing");
  return { kind: "secret", secret };
}

/** An ActivityApi whose every call fails with the setup error. */
function failingApi(error: Error): ActivityApi {
  const fail = (): Promise<never> => Promise.reject(error);
  return {
    listSubscriptions: fail,
    startSubscription: fail,
    listContent: () => ({
      [Symbol.asyncIterator]: () => ({ next: fail }),
    }),
    fetchBlob: fail,
    clockSkewSeconds: () => 0,
    transferredBytes: () => ({ wire: 0, decoded: 0 }),
    close: () => Promise.resolve(),
  };
}

function setupError(err: unknown): TokenError {
  if (err instanceof TokenError) return err;
  return new TokenError(err instanceof Error ? err.message : String(err), "config_invalid");
}

export function createActivityApi(
  config: InputConfig,
  secrets: Secrets,
  logger: Logger,
  opts: ApiFactoryOptions = {},
): ActivityApi {
  let release: (() => Promise<void>) | undefined;
  try {
    const endpoints = endpointsFor(config);
    const credential = credentialFor(config, secrets);
    const shared = acquireDispatcher({ ...opts.http, proxyUrl: config.proxyUrl, proxyPassword: usable(secrets.proxyPassword) });
    release = shared.release;
    const lifetime = new AbortController();
    const signal = opts.stop ? AbortSignal.any([lifetime.signal, opts.stop]) : lifetime.signal;
    const proxy = proxyForMessages(config.proxyUrl);
    const tokens = new MsalTokenProvider({
      proxy,
      endpoints,
      clientId: config.clientId,
      credential,
      dispatcher: shared.dispatcher,
      logger,
      signal,
    });
    const client = new ActivityApiClient({
      apiRoot: endpoints.apiRoot,
      publisherId: config.publisherId || config.tenantId,
      tokens,
      dispatcher: shared.dispatcher,
      limiter: limiterForTenant(config.tenantId, opts.rateLimitPerMinute),
      logger,
      backoff: opts.backoff,
      signal,
      proxy,
      onClose: async () => {
        lifetime.abort(new ActivityApiError("Activity API client closed", 0, undefined, undefined, API_ERROR));
        await shared.release();
      },
    });
    return client;
  } catch (err) {
    void release?.();
    return failingApi(setupError(err));
  }
}
