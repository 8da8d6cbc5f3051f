// What the collector needs from the Activity API. src/api/client.ts implements it on undici;
// tests may pass a fake. Every method throws ActivityApiError (src/api/errors.ts) once the
// client's own retries (throttling, transient faults, one token refresh on 401) are spent.
import type { ContentItem, Subscription } from "./types";

export interface ActivityApi {
  /** GET /subscriptions/list */
  listSubscriptions(): Promise<Subscription[]>;
  /** POST /subscriptions/start?contentType=…; AF20024 (already enabled) counts as success. */
  startSubscription(contentType: string): Promise<void>;
  /**
   * GET /subscriptions/content for startTime <= contentCreated < endTime, one yield per
   * page, following NextPageUri (any case) verbatim until a response has none.
   */
  listContent(contentType: string, start: Date, end: Date): AsyncIterable<ContentItem[]>;
  /**
   * GET contentUri (+PublisherIdentifier): the blob body as a stream of byte chunks, so a
   * large blob never sits whole in memory. A stream that ends early or breaks throws.
   */
  fetchBlob(contentUri: string): Promise<AsyncIterable<Uint8Array>>;
  /**
   * Server clock minus local clock in seconds, read from the latest response's `Date` header
   * (0 before any response). Windows are planned on the server's clock: AF20030 is often skew.
   */
  clockSkewSeconds(): number;
  /**
   * Body bytes received so far by this client: as sent (`wire`, compressed when the server
   * compressed) and after decoding (`decoded`). Both only grow.
   */
  transferredBytes(): { wire: number; decoded: number };
  /** Releases connection pools. */
  close(): Promise<void>;
}
