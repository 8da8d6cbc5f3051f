// One Graph call: a bearer token for Graph, JSON in and out, retries of 429 (Retry-After,
// docs/reference/graph-audit-query.md 3.1), 5xx and network faults with the project's backoff
// (src/api/backoff.ts), one token refresh on 401, and never a token sent outside Graph's origin
// (an @odata.nextLink is followed only when it points back to Graph).
import type { Dispatcher } from "undici";
import { request } from "../api/undici";
import { BACKOFF_DEFAULTS, RetryEpisodes, parseRetryAfter, retryDelayMs, type BackoffOptions } from "../api/backoff";
import type { TokenProvider } from "../auth/tokenProvider";
import type { Logger } from "../splunk/logger";
import { GraphError, parseGraphError } from "./errors";

export interface GraphHttpOptions {
  /** scheme://host[:port] of Graph (src/graph/endpoints.ts). */
  origin: string;
  tokens: TokenProvider;
  dispatcher: Dispatcher;
  logger: Logger;
  backoff?: Partial<BackoffOptions>;
  /** Aborted when the owner shuts down: waits and requests end at once. */
  signal?: AbortSignal;
}

export interface GraphResponse {
  status: number;
  text: string;
}

function isTokenFailure(err: unknown): err is Error & { cause: string } {
  return err instanceof Error && err.name === "TokenError";
}

export class GraphHttp {
  private readonly backoff: BackoffOptions;
  private readonly episodes = new RetryEpisodes();

  constructor(private readonly options: GraphHttpOptions) {
    this.backoff = { ...BACKOFF_DEFAULTS, ...options.backoff };
  }

  get origin(): string {
    return this.options.origin;
  }

  /** A 2xx answer's body; anything else after retries throws a GraphError. */
  async call(operation: string, method: "GET" | "POST", url: string, body?: unknown): Promise<GraphResponse> {
    if (!url.startsWith(`${this.options.origin}/`)) {
      throw new GraphError(`Graph ${operation}: refusing a URL outside ${this.options.origin}: ${url.slice(0, 300)}`, "fatal", 0);
    }
    let refreshed = false;
    for (let retry = 0; ; retry++) {
      let err: GraphError;
      try {
        const answer = await this.attempt(operation, method, url, body);
        for (const cause of this.episodes.succeed()) this.options.logger.info("Microsoft Graph recovered", { cause });
        return answer;
      } catch (thrown) {
        if (this.options.signal?.aborted) throw this.options.signal.reason;
        if (isTokenFailure(thrown) || !(thrown instanceof GraphError)) throw thrown;
        err = thrown;
      }
      if (err.status === 401 && !refreshed) {
        refreshed = true;
        this.options.tokens.invalidate();
        retry--;
        continue;
      }
      if (err.policy !== "throttled" && err.policy !== "transient") throw err;
      const wait = retryDelayMs(retry, err.retryAfterSeconds, this.backoff);
      if (wait === undefined) throw err;
      const fields = { cause: err.cause, operation, status: err.status, wait_seconds: Math.round(wait / 100) / 10, attempt: retry + 1 };
      const message = err.policy === "throttled" ? "Microsoft Graph throttled: waiting before retrying" : "Microsoft Graph call failed: retrying";
      if (this.episodes.begin(err.cause)) this.options.logger.warn(message, fields);
      else this.options.logger.debug(message, { ...fields, detail: err.message });
      await this.backoff.sleep(wait, this.options.signal);
    }
  }

  private async attempt(operation: string, method: "GET" | "POST", url: string, body: unknown): Promise<GraphResponse> {
    const token = await this.options.tokens.getToken();
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, {
        dispatcher: this.options.dispatcher,
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: "application/json",
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: this.options.signal,
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException)?.code;
      const text = err instanceof Error ? err.message : String(err);
      throw new GraphError(`Graph ${operation}: no response from ${this.options.origin} (${code ? `${code}: ` : ""}${text}): check the network and proxy_url`, "transient", 0);
    }
    let text = "";
    try {
      text = await response.body.text();
    } catch (err) {
      throw new GraphError(`Graph ${operation}: the answer broke off (${err instanceof Error ? err.message : String(err)})`, "transient", 0);
    }
    if (response.statusCode >= 200 && response.statusCode < 300) return { status: response.statusCode, text };
    const header = response.headers["retry-after"];
    const retryAfter = parseRetryAfter(Array.isArray(header) ? header[0] : header, this.backoff.now());
    throw parseGraphError(operation, response.statusCode, text, retryAfter);
  }
}
