// Transaction "subscriptions": list them (every run: the answer's Date header is also the API's
// clock for planning) and start the missing or disabled ones, at most once per 15 minutes per
// content type (docs/collector.md, "Subscriptions").
import { contentTypeState } from "./checkpoint";
import type { CollectorRun } from "./collectorRun";
import { START_INTERVAL_MS } from "./defaults";

export async function ensureSubscriptions(run: CollectorRun): Promise<void> {
  const subs = await run.api.listSubscriptions();
  run.readClock();
  for (const ct of run.config.contentTypes) {
    const sub = subs.find((s) => s.contentType.toLowerCase() === ct.toLowerCase());
    if (sub && sub.status.toLowerCase() === "enabled") continue;
    await startSubscription(run, ct, sub ? "disabled" : "missing");
  }
}

/** Starts a subscription unless auto_subscribe is off or a start was made in the last 15 minutes. */
export async function startSubscription(run: CollectorRun, ct: string, why: string): Promise<void> {
  const cts = contentTypeState(run.state, ct);
  if (!run.config.autoSubscribe) {
    run.logger.error(`The ${ct} subscription is ${why} and auto_subscribe is 0: start it, or set auto_subscribe = 1`, {
      cause: "subscription_disabled",
      content_type: ct,
    });
    return;
  }
  const last = cts.lastStartAttempt ? Date.parse(cts.lastStartAttempt) : 0;
  if (run.now().getTime() - last < START_INTERVAL_MS) {
    run.logger.warn(`The ${ct} subscription is ${why}; the last start was under 15 minutes ago, so the next run will try again`, {
      cause: "subscription_disabled",
      content_type: ct,
    });
    return;
  }
  cts.lastStartAttempt = run.now().toISOString();
  await run.api.startSubscription(ct);
  run.logger.info(`Started the ${ct} subscription (it was ${why}); new subscriptions can take up to 12 hours to deliver content`, {
    content_type: ct,
  });
}
