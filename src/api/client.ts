// The Office 365 Management Activity API on undici (docs/reference/activity-api.md sections 2-4):
// PublisherIdentifier on every request, UTC `YYYY-MM-DDTHH:MM:SS` windows, NextPageUri
// followed verbatim, bodies checked for shape, errors parsed by AF code, throttled and
// transient failures retried here with backoff, one token refresh on HTTP 401, and blobs
// streamed rather than buffered.
import type { Dispatcher } from "undici";
import { request } from "./undici";
import type { ActivityApi } from "./activityApi";
import { ActivityApiError, isAuditLogOff } from "./errors";
import { API_ERROR, AUDIT_LOG_OFF, NETWORK, TRANSIENT, ruleFor } from "../errors/table";
import type { ContentItem, Subscription } from "./types";
import { BACKOFF_DEFAULTS, RetryEpisodes, parseRetryAfter, retryDelayMs, type BackoffOptions } from "./backoff";
import type { TokenProvider } from "../auth/tokenProvider";
import type { Cause } from "../errors/causes";
import { FaultError } from "../errors/faultError";
import { describeNetworkFailure, networkFailureOf } from "../errors/networkFailure";
import { ACCEPT_ENCODING, decodeBody, decodedText, parseContentEncoding, type ByteCounts } from "./contentEncoding";
import type { Logger } from "../splunk/logger";

/** What the client needs from a limiter (src/api/limiter.ts SlidingWindowLimiter). */
export interface RequestLimiter {
  take(signal?: AbortSignal): Promise<void>;
  pause(ms: number): void;
}

export interface ClientOptions {
  /** `https://host/api/v1.0/<tenant>/activity/feed` (src/auth/clouds.ts endpointsFor). */
  apiRoot: string;
  publisherId: string;
  tokens: TokenProvider;
  dispatcher: Dispatcher;
  limiter: RequestLimiter;
  logger: Logger;
  backoff?: Partial<BackoffOptions>;
  /**
   * Aborted when the owner shuts down: pending waits and requests end at once with the
   * signal's reason instead of holding the process (SIGTERM must stop within seconds).
   */
  signal?: AbortSignal;
  /** Runs on close(), e.g. aborting the signal and releasing the shared dispatcher. */
  onClose?: () => Promise<void>;
  /** The proxy in use (origin, no credentials), named in network failures. */
  proxy?: string;
}

type Headers = Record<string, string | string[] | undefined>;

// ---- URLs and values (pure) ----

/** `YYYY-MM-DDTHH:MM:SS` in UTC, the documented startTime/endTime format. */
export function formatApiTime(time: Date): string {
  return time.toISOString().slice(0, 19);
}

/**
 * Adds `PublisherIdentifier=<id>` to a URL unless it already carries one. String surgery only,
 * so a server-given URL (NextPageUri, contentUri with `$` in it) is otherwise sent verbatim.
 */
export function withPublisher(url: string, publisherId: string): string {
  if (/[?&]PublisherIdentifier=/i.test(url)) return url;
  const separator = !url.includes("?") ? "?" : /[?&]$/.test(url) ? "" : "&";
  return `${url}${separator}PublisherIdentifier=${encodeURIComponent(publisherId)}`;
}

function query(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join("&");
}

export function listSubscriptionsUrl(root: string, publisherId: string): string {
  return `${root}/subscriptions/list?${query({ PublisherIdentifier: publisherId })}`;
}

export function startSubscriptionUrl(root: string, contentType: string, publisherId: string): string {
  return `${root}/subscriptions/start?${query({ contentType, PublisherIdentifier: publisherId })}`;
}

export function listContentUrl(root: string, contentType: string, start: Date, end: Date, publisherId: string): string {
  return `${root}/subscriptions/content?${query({
    contentType,
    startTime: formatApiTime(start),
    endTime: formatApiTime(end),
    PublisherIdentifier: publisherId,
  })}`;
}

function header(headers: Headers, ...names: string[]): string | undefined {
  const wanted = names.map((n) => n.toLowerCase());
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && wanted.includes(name.toLowerCase())) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/** The next page's URL: `NextPageUri` in any letter case (the FAQ's prose also says NextPageUrl). */
export function nextPageUri(headers: Headers): string | undefined {
  const value = header(headers, "NextPageUri", "NextPageUrl")?.trim();
  return value ? value : undefined;
}

// ---- Bodies and errors (pure) ----

function snippet(text: string, max = 200): string {
  return text.replace(/\s+/g, " ").trim().slice(0, max);
}

/** Turns a failed response into an ActivityApiError keyed on its AF code. */
export function parseApiError(operation: string, status: number, body: string, retryAfterSeconds?: number): ActivityApiError {
  let code: string | undefined;
  let serverMessage = body;
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    const rawCode = typeof parsed?.error?.code === "string" ? parsed.error.code : undefined;
    const rawMessage = typeof parsed?.error?.message === "string" ? parsed.error.message : undefined;
    // The audit-off fault puts its exception text where the code should be.
    if (rawCode && /^AF\d+$/i.test(rawCode)) code = rawCode.toUpperCase();
    serverMessage = [rawCode && !code ? rawCode : "", rawMessage ?? ""].filter(Boolean).join(" ") || body;
  } catch {
    // not JSON: keep the raw text
  }
  const where = `Activity API ${operation} failed (HTTP ${status}${code ? ` ${code}` : ""})`;
  if (!code && isAuditLogOff(serverMessage)) {
    return new ActivityApiError(`${where}: ${AUDIT_LOG_OFF.fix}`, status, undefined, retryAfterSeconds, AUDIT_LOG_OFF);
  }
  const rule = ruleFor(code, status);
  const text = snippet(serverMessage, 300);
  return new ActivityApiError(
    `${where}${rule.fix ? `: ${rule.fix}` : ""}${text ? ` [server: ${text}]` : ""}`,
    status,
    code,
    retryAfterSeconds,
    rule,
  );
}

/** A 200 body that must be a JSON array; anything else is an error quoting its start. */
export function parseJsonArray(operation: string, body: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed)) return parsed;
  // An error object where the array belongs (seen for over-long windows) is still an error.
  if (isObject(parsed) && parsed.error !== undefined) throw parseApiError(operation, 200, body);
  throw new ActivityApiError(
    `Activity API ${operation}: expected a JSON array, got: ${snippet(body) || "(empty body)"}`,
    200,
    undefined,
    undefined,
    TRANSIENT,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function parseContentItems(body: string): ContentItem[] {
  const items = parseJsonArray("list content", body);
  for (const item of items) {
    if (!isObject(item) || typeof item.contentUri !== "string" || typeof item.contentId !== "string") {
      throw new ActivityApiError(
        `Activity API list content: an item lacks contentId/contentUri: ${snippet(JSON.stringify(item))}`,
        200,
        undefined,
        undefined,
        TRANSIENT,
      );
    }
  }
  return items as ContentItem[];
}

export function parseSubscriptions(body: string): Subscription[] {
  const items = parseJsonArray("list subscriptions", body);
  for (const item of items) {
    if (!isObject(item) || typeof item.contentType !== "string" || typeof item.status !== "string") {
      throw new ActivityApiError(
        `Activity API list subscriptions: unexpected item: ${snippet(JSON.stringify(item))}`,
        200,
        undefined,
        undefined,
        TRANSIENT,
      );
    }
  }
  return items as Subscription[];
}

// ---- The client ----

/** A response with its body decoded (Content-Encoding undone) as it streams. */
interface Answer {
  statusCode: number;
  headers: Headers;
  body: AsyncIterable<Uint8Array>;
  /** This response's bytes so far: on the wire and decoded. */
  counts: ByteCounts;
}

interface Call<T> {
  operation: string;
  method: "GET" | "POST";
  url: string;
  /** Reads a 2xx response. Must consume or hand on the body. */
  onSuccess: (response: Answer) => Promise<T>;
}

function networkError(operation: string, err: unknown, url: string, proxy: string | undefined): ActivityApiError {
  const failure = networkFailureOf(err, url, proxy);
  return new ActivityApiError(`Activity API ${operation}: ${describeNetworkFailure(failure)}`, 0, undefined, undefined, NETWORK, failure);
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

export class ActivityApiClient implements ActivityApi {
  private readonly backoff: BackoffOptions;
  private readonly episodes = new RetryEpisodes();
  private readonly apiOrigin: string;
  private skewSeconds = 0;
  private readonly transferred: ByteCounts = { wire: 0, decoded: 0 };

  constructor(private readonly options: ClientOptions) {
    this.backoff = { ...BACKOFF_DEFAULTS, ...options.backoff };
    this.apiOrigin = new URL(options.apiRoot).origin;
  }

  clockSkewSeconds(): number {
    return this.skewSeconds;
  }

  transferredBytes(): ByteCounts {
    return { ...this.transferred };
  }

  async listSubscriptions(): Promise<Subscription[]> {
    return this.call({
      operation: "list subscriptions",
      method: "GET",
      url: listSubscriptionsUrl(this.options.apiRoot, this.options.publisherId),
      onSuccess: async (res) => parseSubscriptions(await decodedText(res.body)),
    });
  }

  async startSubscription(contentType: string): Promise<void> {
    try {
      await this.call({
        operation: `start subscription ${contentType}`,
        method: "POST",
        url: startSubscriptionUrl(this.options.apiRoot, contentType, this.options.publisherId),
        onSuccess: async (res) => void (await decodedText(res.body)),
      });
    } catch (err) {
      // AF20024: "already enabled, no property change" is the state we asked for.
      if (err instanceof ActivityApiError && err.policy === "already_enabled") return;
      throw err;
    }
  }

  async *listContent(contentType: string, start: Date, end: Date): AsyncIterable<ContentItem[]> {
    const { apiRoot, publisherId } = this.options;
    let url: string | undefined = listContentUrl(apiRoot, contentType, start, end, publisherId);
    const seen = new Set<string>();
    while (url) {
      if (seen.has(url)) {
        throw new ActivityApiError(
          `Activity API list content ${contentType}: NextPageUri points back to a page already read (${snippet(url, 300)}); the window will be listed again later`,
          200,
          undefined,
          undefined,
          TRANSIENT,
        );
      }
      seen.add(url);
      const page: { items: ContentItem[]; next?: string } = await this.call({
        operation: `list content ${contentType}`,
        method: "GET",
        url,
        onSuccess: async (res) => ({ items: parseContentItems(await decodedText(res.body)), next: nextPageUri(res.headers) }),
      });
      yield page.items;
      url = page.next === undefined ? undefined : withPublisher(page.next, publisherId);
    }
  }

  async fetchBlob(contentUri: string): Promise<AsyncIterable<Uint8Array>> {
    const operation = "fetch blob";
    return this.call({
      operation,
      method: "GET",
      url: withPublisher(contentUri, this.options.publisherId),
      onSuccess: async (res) => {
        const type = header(res.headers, "content-type") ?? "";
        if (!/json/i.test(type)) {
          const body = await decodedText(res.body);
          throw new ActivityApiError(
            `Activity API ${operation}: expected JSON, got Content-Type '${type}': ${snippet(body) || "(empty body)"}`,
            res.statusCode,
            undefined,
            undefined,
            TRANSIENT,
          );
        }
        // Content-Length counts the bytes as sent, compressed or not.
        const length = header(res.headers, "content-length");
        return streamBody(res.body, res.counts, length === undefined ? undefined : Number(length), contentUri);
      },
    });
  }

  async close(): Promise<void> {
    await this.options.onClose?.();
  }

  /** One API call with the limiter, a bearer token, retries and one refresh on 401. */
  private async call<T>(call: Call<T>): Promise<T> {
    if (originOf(call.url) !== this.apiOrigin) {
      // Never hand the bearer token to another host, whatever a server-given URL says.
      throw new ActivityApiError(
        `Activity API ${call.operation}: refusing a URL outside ${this.apiOrigin}: ${snippet(call.url, 300)}`,
        0,
        undefined,
        undefined,
        API_ERROR,
      );
    }
    let refreshed = false;
    for (let retry = 0; ; retry++) {
      try {
        const result = await this.attempt(call);
        for (const cause of this.episodes.succeed()) this.options.logger.info("Activity API recovered", { cause });
        return result;
      } catch (thrown) {
        if (this.options.signal?.aborted) throw this.options.signal.reason;
        // Token errors (src/auth/tokenErrors.ts) arrive classified too; anything else had no answer.
        const err = thrown instanceof FaultError ? thrown : networkError(call.operation, thrown, call.url, this.options.proxy);
        if (err instanceof ActivityApiError && err.status === 401 && err.policy !== "fatal") {
          if (!refreshed) {
            refreshed = true;
            this.options.tokens.invalidate();
            retry--;
            continue;
          }
          throw new ActivityApiError(
            `${err.message}: the API refused a fresh token; check the app's ActivityFeed.Read permission, tenant_id and the cloud`,
            401,
            err.code,
            undefined,
            API_ERROR,
          );
        }
        if (err.policy !== "throttled" && err.policy !== "transient") throw err;
        const wait = retryDelayMs(retry, err instanceof ActivityApiError ? err.retryAfterSeconds : undefined, this.backoff);
        if (wait === undefined) throw err;
        this.noteRetry(call.operation, err, wait, retry + 1);
        await this.backoff.sleep(wait, this.options.signal);
      }
    }
  }

  private noteRetry(operation: string, err: FaultError, waitMs: number, attempt: number): void {
    const cause: Cause = err.policy === "throttled" ? "throttled" : "transient";
    // The tenant's quota is shared: hold every caller back, not just this one.
    if (cause === "throttled") this.options.limiter.pause(waitMs);
    const fields = {
      cause,
      operation,
      // A token error that may pass (the login host did not answer) has no HTTP status: 0.
      status: err instanceof ActivityApiError ? err.status : 0,
      code: err.code,
      wait_seconds: Math.round(waitMs / 100) / 10,
      attempt,
      // No HTTP answer: where it went, why, and what fixes it (the message names the fix).
      ...(err.network ? { host: err.network.host, error_code: err.network.code, proxy: err.network.proxy ?? "none", detail: err.message } : {}),
    };
    const message = cause === "throttled" ? "Activity API throttled: waiting before retrying" : "Activity API call failed: retrying";
    if (this.episodes.begin(cause)) this.options.logger.warn(message, fields);
    else this.options.logger.debug(message, { ...fields, detail: err.message });
  }

  private async attempt<T>(call: Call<T>): Promise<T> {
    await this.options.limiter.take(this.options.signal);
    const token = await this.options.tokens.getToken();
    let response: Dispatcher.ResponseData;
    try {
      response = await request(call.url, {
        dispatcher: this.options.dispatcher,
        method: call.method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: "application/json",
          "accept-encoding": ACCEPT_ENCODING,
          ...(call.method === "POST" ? { "content-type": "application/json" } : {}),
        },
        body: call.method === "POST" ? "" : undefined,
        signal: this.options.signal,
      });
    } catch (err) {
      throw networkError(call.operation, err, call.url, this.options.proxy);
    }
    this.noteServerDate(header(response.headers, "date"));
    const answer = await this.decoded(call.operation, response);
    if (answer.statusCode >= 200 && answer.statusCode < 300) return call.onSuccess(answer);
    const retryAfter = parseRetryAfter(header(response.headers, "retry-after"), this.backoff.now());
    let body = "";
    try {
      body = await decodedText(answer.body);
    } catch {
      // the error status says enough
    }
    throw parseApiError(call.operation, response.statusCode, body, retryAfter);
  }

  /** The response with its body decoding as it streams; an unknown coding is a (transient) error. */
  private async decoded(operation: string, response: Dispatcher.ResponseData): Promise<Answer> {
    let codings;
    try {
      codings = parseContentEncoding(header(response.headers, "content-encoding"));
    } catch (err) {
      await response.body.dump().catch(() => undefined);
      throw new ActivityApiError(`Activity API ${operation}: ${(err as Error).message}`, response.statusCode, undefined, undefined, TRANSIENT);
    }
    const counts: ByteCounts = { wire: 0, decoded: 0 };
    return { statusCode: response.statusCode, headers: response.headers, body: decodeBody(response.body, codings, counts, this.transferred), counts };
  }

  private noteServerDate(value: string | undefined): void {
    const server = value ? Date.parse(value) : NaN;
    if (!Number.isNaN(server)) this.skewSeconds = Math.round((server - this.backoff.now()) / 1000) + 0; // + 0 turns -0 into 0
  }
}

/**
 * The (decoded) blob body as chunks. A body that stops before its Content-Length (bytes as
 * sent), whose connection breaks or whose compressed stream is corrupt, throws an
 * ActivityApiError (transient) for the caller to retry the whole blob.
 */
async function* streamBody(
  body: AsyncIterable<Uint8Array>,
  counts: ByteCounts,
  expectedBytes: number | undefined,
  contentUri: string,
): AsyncIterable<Uint8Array> {
  const broken = (why: string): ActivityApiError =>
    new ActivityApiError(
      `Activity API fetch blob: the body broke after ${counts.wire} bytes (${why}): ${snippet(contentUri, 300)}`,
      0,
      undefined,
    );
  try {
    yield* body;
  } catch (err) {
    throw broken(err instanceof Error ? err.message : String(err));
  }
  if (expectedBytes !== undefined && Number.isFinite(expectedBytes) && counts.wire < expectedBytes) {
    throw broken(`Content-Length was ${expectedBytes}`);
  }
}
