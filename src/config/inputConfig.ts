// The validated configuration of one input stanza. Built from the stanza's params by
// parse.ts (the same checks as --validate-arguments); everything after it works with these
// typed values only.
import type { Cloud } from "../auth/clouds";

export const CONTENT_TYPES = [
  "Audit.General",
  "Audit.Exchange",
  "Audit.SharePoint",
  "Audit.AzureActiveDirectory",
  "DLP.All",
] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

export interface InputConfig {
  /** The stanza name without the scheme, e.g. `contoso` for `defender_o365_activity://contoso`. */
  name: string;
  /** The full stanza name as splunkd sends it. */
  stanza: string;
  /** The app the stanza lives in (stanza `app` attribute), for REST calls. */
  app: string;
  tenantId: string;
  clientId: string;
  /** Clear-text secret when given in the stanza, `********` when masked, undefined when absent. */
  clientSecret?: string;
  certificatePath?: string;
  cloud: Cloud;
  contentTypes: ContentType[];
  /** Record type numbers to keep; empty = keep all. Names are resolved to numbers. */
  recordTypes: number[];
  backfillHours: number;
  maxConcurrency: number;
  publisherId: string;
  proxyUrl?: string;
  apiUrl?: string;
  authorityUrl?: string;
  autoSubscribe: boolean;
  /** Collect what is past the Activity API's 7-day horizon from Microsoft Graph's audit log query API. */
  graphBackfill: boolean;
  /** Override of the Graph origin (scheme://host[:port]), like apiUrl. */
  graphUrl?: string;
  index?: string;
  host?: string;
  /** Seconds between runs (Splunk's `interval`), used to size lag alerts. */
  interval: number;
}
