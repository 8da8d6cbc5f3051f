// Transaction "list a window": every NextPageUri page of /subscriptions/content for one
// window, with the one-time recoveries the API's errors call for: start a missing subscription
// (AF20022/AF20023), or re-plan a rejected window on the server's clock (AF20030/AF20055/AF20031).
import { ActivityApiError } from "../api/errors";
import type { ContentItem } from "../api/types";
import { recordLostSpan } from "./backfill";
import type { CollectorRun, TypeContext } from "./collectorRun";
import { startSubscription } from "./subscriptions";
import type { Window } from "./windows";

/**
 * Content the Activity API can no longer list: with graph_backfill = 1 a job for Microsoft
 * Graph (backfill.ts), otherwise one WARN naming the span and the way to recover it.
 */
export function reportHorizon(run: CollectorRun, ctx: TypeContext, span: Window): void {
  if (run.config.graphBackfill) {
    recordLostSpan(run, ctx, span);
    return;
  }
  ctx.log.warn(
    `Content from ${span.start.toISOString()} to ${span.end.toISOString()} is past the API's 7-day horizon and cannot be collected from it; graph_backfill = 1 would recover this span from Microsoft Graph's audit log. Run the input more often or check why it was stopped`,
    { cause: "horizon_exceeded", lost_start: span.start.toISOString(), lost_end: span.end.toISOString() },
  );
}

export interface Listing {
  /** The window as listed (its start clamped to the horizon if the API rejected it). */
  window: Window;
  items: ContentItem[];
}

/** Called with each page's items as it arrives, before the next page is asked for. */
export type OnPage = (items: readonly ContentItem[]) => void;

async function allPages(run: CollectorRun, contentType: string, window: Window, onPage: OnPage): Promise<ContentItem[]> {
  const items: ContentItem[] = [];
  for await (const page of run.api.listContent(contentType, window.start, window.end)) {
    run.checkHalted();
    items.push(...page);
    onPage(page);
  }
  return items;
}

export async function listWindow(run: CollectorRun, ctx: TypeContext, planned: Window, onPage: OnPage = () => undefined): Promise<Listing> {
  let window = planned;
  for (let attempt = 0; ; attempt++) {
    try {
      return { window, items: await allPages(run, ctx.contentType, window, onPage) };
    } catch (err) {
      if (!(err instanceof ActivityApiError) || attempt > 0) throw err;
      if (err.policy === "subscribe") {
        await startSubscription(run, ctx.contentType, err.code === "AF20023" ? "disabled" : "missing");
        continue;
      }
      if (err.policy !== "rewindow") throw err;
      // The client now knows the server's clock from this answer; clamp to its horizon.
      run.readClock();
      const horizon = run.serverNow().getTime() - run.settings.windows.horizonMs;
      if (window.start.getTime() < horizon) {
        reportHorizon(run, ctx, { start: window.start, end: new Date(horizon) });
        window = { start: new Date(horizon), end: window.end };
      }
      if (window.start >= window.end) return { window, items: [] };
      ctx.log.warn(`The API rejected the window (${err.code}); retrying it on the server's clock`, {
        cause: "window_rejected",
        skew_seconds: run.clockSkewSeconds,
      });
    }
  }
}
