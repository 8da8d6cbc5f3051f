// An in-memory ActivityApi for collector unit tests: blobs with contentCreated times, listing
// by window, and scripted failures. The real service's behaviour is copied by test/simulator.
import type { ActivityApi } from "../../../src/api/activityApi";
import { FaultError } from "../../../src/errors/faultError";
import { ActivityApiError } from "../../../src/api/errors";
import type { ContentItem, Subscription } from "../../../src/api/types";
import type { SplunkEvent } from "../../../src/splunk/event";
import type { EventSink } from "../../../src/splunk/eventSink";

export interface FakeBlob {
  contentType: string;
  contentId: string;
  created: Date;
  records: object[];
  /** Raw body to serve instead of the records (a broken blob). */
  body?: string;
  /** The next N fetches fail like this before the blob is served properly; an Error is thrown by the fetch itself. */
  failures?: ("reset" | "truncated" | "garbled" | "expired" | Error)[];
  /** Serve the body as exactly these chunks instead of 50-byte pieces. */
  chunks?: string[];
}

export class FakeApi implements ActivityApi {
  blobs: FakeBlob[] = [];
  subscriptions: Subscription[] = [];
  calls: string[] = [];
  skewSeconds = 0;
  listErrors: FaultError[] = [];
  /** The server clock a rejected listing reveals (its Date header), in seconds ahead. */
  skewAfterListError?: number;
  pageSize = 2;
  /** Awaited before each content page is answered (index from 0): a test can hold the listing. */
  beforePage?: (index: number) => Promise<void>;
  /** Called as each blob is requested. */
  onFetch?: (contentId: string) => void;

  async listSubscriptions(): Promise<Subscription[]> {
    this.calls.push("list");
    return this.subscriptions;
  }

  async startSubscription(contentType: string): Promise<void> {
    this.calls.push(`start ${contentType}`);
    this.subscriptions = this.subscriptions.filter((s) => s.contentType !== contentType);
    this.subscriptions.push({ contentType, status: "enabled", webhook: null });
  }

  async *listContent(contentType: string, start: Date, end: Date): AsyncIterable<ContentItem[]> {
    this.calls.push(`content ${contentType} ${start.toISOString()} ${end.toISOString()}`);
    const error = this.listErrors.shift();
    if (error) {
      this.skewSeconds = this.skewAfterListError ?? this.skewSeconds;
      throw error;
    }
    const items = this.blobs
      .filter((b) => b.contentType === contentType && b.created >= start && b.created < end)
      .map((b) => ({
        contentType,
        contentId: b.contentId,
        contentUri: `https://fake/audit/${b.contentId}`,
        contentCreated: b.created.toISOString(),
        contentExpiration: new Date(b.created.getTime() + 7 * 86_400_000).toISOString(),
      }));
    for (let i = 0; i < items.length; i += this.pageSize) {
      await this.beforePage?.(i / this.pageSize);
      yield items.slice(i, i + this.pageSize);
    }
    if (items.length === 0) yield [];
  }

  async fetchBlob(contentUri: string): Promise<AsyncIterable<Uint8Array>> {
    const id = contentUri.slice(contentUri.lastIndexOf("/") + 1);
    this.calls.push(`blob ${id}`);
    this.onFetch?.(id);
    const blob = this.blobs.find((b) => b.contentId === id);
    if (!blob) throw new ActivityApiError("no such content", 404, "AF20050");
    const failure = blob.failures?.shift();
    if (failure === "expired") throw new ActivityApiError("content expired", 400, "AF20051");
    if (failure instanceof Error) throw failure;
    const body = Buffer.from(blob.body ?? JSON.stringify(blob.records));
    const transferred = this.transferred;
    return (async function* () {
      if (failure === "reset") {
        yield body.subarray(0, Math.floor(body.length / 2));
        throw new Error("socket hang up");
      }
      if (failure === "truncated") {
        yield body.subarray(0, body.length - 3);
        return;
      }
      if (failure === "garbled") {
        // An HTML error page where the array's records belong, cut off: a broken body.
        yield Buffer.from("[<html>Service Unavailable</html>");
        return;
      }
      const chunks = blob.chunks?.map((c) => Buffer.from(c)) ?? Array.from({ length: Math.ceil(body.length / 50) }, (_, i) => body.subarray(i * 50, i * 50 + 50));
      for (const chunk of chunks) {
        // A fake server that never compresses: as many bytes on the wire as decoded.
        transferred.wire += chunk.length;
        transferred.decoded += chunk.length;
        yield chunk;
      }
    })();
  }

  clockSkewSeconds(): number {
    return this.skewSeconds;
  }

  readonly transferred = { wire: 0, decoded: 0 };
  transferredBytes(): { wire: number; decoded: number } {
    return { ...this.transferred };
  }

  async close(): Promise<void> {}
}

/** A sink that keeps what it was given; `onWrite` runs after each write (to abort or fail a run mid-way). */
export class MemorySink implements EventSink {
  events: SplunkEvent[] = [];
  onWrite?: (events: readonly SplunkEvent[]) => void;
  async write(events: readonly SplunkEvent[]): Promise<void> {
    this.events.push(...events);
    this.onWrite?.(events);
  }
  async close(): Promise<void> {}
}
