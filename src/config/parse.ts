// Stanza params -> InputConfig. The same checks run for --validate-arguments (splunkd shows the
// first message to whoever saves the input), in run mode (a bad stanza is skipped with an
// ERROR) and on the configuration page. Every message names the setting, shows the value and
// says how to fix it. Pure: the certificate file is checked by the caller's checkCertificate,
// since only the collecting host can read it (the browser bundle imports this module too).
import { CLOUD_NAMES, type Cloud } from "../auth/clouds";
import { GRAPH_UNSUPPORTED_CLOUDS } from "../graph/endpoints";
import { recordTypeByName } from "../recordTypes";
import type { ParamValue, Stanza } from "../splunk/inputDefinition";
import { APP_ID, SCHEME } from "./constants";
import { CONTENT_TYPES, type ContentType, type InputConfig } from "./inputConfig";

export const DEFAULTS = {
  cloud: "commercial" as Cloud,
  contentTypes: ["Audit.General"] as ContentType[],
  backfillHours: 24,
  maxConcurrency: 8,
  interval: 300,
};
export const BACKFILL_RANGE = { min: 1, max: 167 };
/** With graph_backfill = 1 history comes from Graph's audit log search (180 days on standard licences). */
export const GRAPH_BACKFILL_RANGE = { min: 1, max: 4320 };
export const CONCURRENCY_RANGE = { min: 1, max: 32 };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const TENANT_HELP =
  "copy the Directory (tenant) ID GUID from the Microsoft Entra admin center (Identity > Overview), e.g. 0d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6";

export interface ParseOptions {
  /** Require exactly one of client_secret / certificate_path (default true). When false, neither is accepted too. */
  requireSecret?: boolean;
  /** Checks the certificate_path file and returns its problem; absent, the path is taken as given. */
  checkCertificate?: (path: string) => string | undefined;
}

export interface ParseResult {
  config?: InputConfig;
  errors: string[];
}

/** The input name: `x` for `defender_o365_activity://x`, the item name as is in validation mode. */
export function inputName(stanzaName: string): string {
  const prefix = `${SCHEME}://`;
  return stanzaName.startsWith(prefix) ? stanzaName.slice(prefix.length) : stanzaName;
}

/** Reads one param as a single string; undefined when absent or blank. */
function single(params: Record<string, ParamValue>, key: string, errors: string[]): string | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (value.length > 1) errors.push(`${key} has ${value.length} values; give it one value`);
    return value[0]?.trim() || undefined;
  }
  return value.trim() || undefined;
}

/** A comma list (or a param_list of comma lists) as trimmed, non-empty items. */
function list(params: Record<string, ParamValue>, key: string): string[] {
  const value = params[key];
  const parts = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return parts.flatMap((p) => p.split(",")).map((s) => s.trim()).filter((s) => s !== "");
}

function guid(value: string | undefined, key: string, what: string, errors: string[]): string | undefined {
  if (value === undefined) return undefined;
  if (GUID.test(value)) return value.toLowerCase();
  errors.push(`${key} "${value}" is not a GUID: ${what}`);
  return undefined;
}

function tenant(value: string | undefined, errors: string[]): string | undefined {
  if (value === undefined) {
    errors.push(`tenant_id is required: ${TENANT_HELP}`);
    return undefined;
  }
  if (!GUID.test(value) && DOMAIN.test(value)) {
    // The Activity API URL and PublisherIdentifier need the GUID, and resolving a domain needs
    // the internet (OpenID discovery), which a validation must not depend on.
    errors.push(`tenant_id "${value}" is a domain name, but the Management Activity API needs the tenant GUID: ${TENANT_HELP}`);
    return undefined;
  }
  return guid(value, "tenant_id", TENANT_HELP, errors);
}

function integer(value: string | undefined, key: string, range: { min: number; max: number }, fallback: number, errors: string[]): number {
  if (value === undefined) return fallback;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (Number.isInteger(n) && n >= range.min && n <= range.max) return n;
  errors.push(`${key} "${value}" must be a whole number from ${range.min} to ${range.max} (default ${fallback})`);
  return fallback;
}

function boolean(value: string | undefined, key: string, fallback: boolean, errors: string[]): boolean {
  if (value === undefined) return fallback;
  const v = value.toLowerCase();
  if (["1", "true", "t", "yes", "y"].includes(v)) return true;
  if (["0", "false", "f", "no", "n"].includes(v)) return false;
  errors.push(`${key} "${value}" must be 1 (on) or 0 (off)`);
  return fallback;
}

function cloud(value: string | undefined, errors: string[]): Cloud {
  if (value === undefined) return DEFAULTS.cloud;
  const found = CLOUD_NAMES.find((c) => c === value.toLowerCase());
  if (found) return found;
  errors.push(`cloud "${value}" is not one of ${CLOUD_NAMES.join(", ")}: pick the Microsoft 365 cloud your tenant lives in (default commercial)`);
  return DEFAULTS.cloud;
}

function contentTypes(items: string[], errors: string[]): ContentType[] {
  if (items.length === 0) return [...DEFAULTS.contentTypes];
  const out: ContentType[] = [];
  for (const item of items) {
    const found = CONTENT_TYPES.find((c) => c.toLowerCase() === item.toLowerCase());
    if (!found) errors.push(`content_types has "${item}", which is not one of ${CONTENT_TYPES.join(", ")}`);
    else if (!out.includes(found)) out.push(found);
  }
  return out;
}

function recordTypes(items: string[], errors: string[]): number[] {
  const out = new Set<number>();
  for (const item of items) {
    // Numbers unknown to our table stay valid: Microsoft adds record types often.
    const n = /^\d+$/.test(item) ? Number(item) : recordTypeByName(item);
    if (n === undefined || !Number.isSafeInteger(n) || n <= 0) {
      errors.push(`record_types has "${item}", which is neither a record type number nor a known AuditLogRecordType name (e.g. 28 or ThreatIntelligence)`);
    } else out.add(n);
  }
  return [...out];
}

/** `scheme://host[:port]` with nothing after it but an optional `/`. */
function baseUrl(value: string | undefined, key: string, example: string, errors: string[]): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== "https:" || url.username || url.password || url.pathname !== "/" || url.search || url.hash) {
    errors.push(`${key} "${value}" must be https://host[:port] with no path, query or credentials (TLS is always verified), e.g. ${example}`);
    return undefined;
  }
  return url.origin;
}

function proxy(value: string | undefined, errors: string[]): string | undefined {
  if (value === undefined) return undefined;
  const m = /^(https?):\/\/(?:([^:@/\s]+)@)?([^:@/\s]+|\[[0-9a-fA-F:.]+\]):(\d{1,5})\/?$/.exec(value);
  if (m && Number(m[4]) >= 1 && Number(m[4]) <= 65535) return value.replace(/\/$/, "");
  if (/^https?:\/\/[^/@\s]*:[^/@\s]*@/.test(value)) {
    errors.push(`proxy_url must not hold a password: give http(s)://user@host:port and store the password in Splunk's storage/passwords as proxy_password (realm ${APP_ID})`);
  } else {
    errors.push(`proxy_url "${value}" must be http(s)://[user@]host:port, e.g. http://proxy.example.com:3128`);
  }
  return undefined;
}

function credentials(
  secret: string | undefined,
  certPath: string | undefined,
  opts: ParseOptions,
  errors: string[],
): { clientSecret?: string; certificatePath?: string } {
  if (secret !== undefined && certPath !== undefined) {
    errors.push("give either client_secret or certificate_path, not both: clear the one the application does not use");
    return {};
  }
  if (secret === undefined && certPath === undefined) {
    if (opts.requireSecret ?? true) errors.push("client_secret or certificate_path is required: give the application's client secret value, or the path of its PEM certificate and key");
    return {};
  }
  if (certPath !== undefined) {
    const problem = opts.checkCertificate?.(certPath);
    if (problem) errors.push(problem);
    return { certificatePath: certPath };
  }
  return { clientSecret: secret };
}

/**
 * splunkd passes `index = default` when the stanza names no index; that word means "the default
 * index" only in inputs.conf, so it is not written on events (no <index> keeps the stanza's).
 */
function eventIndex(value: string | undefined): string | undefined {
  return value === "default" ? undefined : value;
}

function interval(value: string | undefined): number {
  // splunkd validates `interval` itself (seconds or a cron schedule); a cron keeps the default for lag sizing.
  const n = value === undefined ? NaN : Number(value);
  return Number.isFinite(n) && n > 0 ? n : DEFAULTS.interval;
}

/** backfill_hours: up to 167 from the Activity API alone, up to 4320 with graph_backfill = 1. */
function backfillHours(value: string | undefined, graphBackfill: boolean, errors: string[]): number {
  const limit = graphBackfill ? GRAPH_BACKFILL_RANGE : BACKFILL_RANGE;
  const inner: string[] = [];
  const hours = integer(value, "backfill_hours", GRAPH_BACKFILL_RANGE, DEFAULTS.backfillHours, inner);
  if (inner.length === 0 && hours <= limit.max) return hours;
  errors.push(
    graphBackfill
      ? `backfill_hours "${value}" must be a whole number from ${limit.min} to ${limit.max} (default ${DEFAULTS.backfillHours})`
      : `backfill_hours "${value}" must be a whole number from ${limit.min} to ${limit.max} (default ${DEFAULTS.backfillHours}): the Activity API keeps 7 days; set graph_backfill = 1 to collect up to ${GRAPH_BACKFILL_RANGE.max} hours from Microsoft Graph`,
  );
  return DEFAULTS.backfillHours;
}

function graphBackfill(value: string | undefined, cloudName: Cloud, errors: string[]): boolean {
  const on = boolean(value, "graph_backfill", false, errors);
  // docs/reference/graph-audit-query.md 2.3: the global service only; GCC tenants use it.
  if (on && GRAPH_UNSUPPORTED_CLOUDS.includes(cloudName)) {
    errors.push(
      `graph_backfill = 1 is not available with cloud ${cloudName}: Microsoft Graph's audit log query API is offered in the global service only (GCC uses it; GCC High and DoD do not). Set graph_backfill = 0`,
    );
    return false;
  }
  return on;
}

export function parseConfig(stanza: Stanza, opts: ParseOptions = {}): ParseResult {
  const errors: string[] = [];
  const p = stanza.params;
  const name = inputName(stanza.name);
  if (!/^[^\s/\\][^/\\]*$/.test(name)) errors.push(`input name "${name}" must not be empty or hold / or \\: rename the input`);
  const tenantId = tenant(single(p, "tenant_id", errors), errors);
  const clientIdRaw = single(p, "client_id", errors);
  if (clientIdRaw === undefined) errors.push("client_id is required: copy the Application (client) ID GUID from the app registration's Overview page");
  const clientId = guid(clientIdRaw, "client_id", "copy the Application (client) ID GUID from the app registration's Overview page", errors);
  // The secret is not trimmed: it is compared and sent exactly as typed.
  const rawSecret = p.client_secret;
  const secret = typeof rawSecret === "string" && rawSecret.trim() !== "" ? rawSecret : undefined;
  if (Array.isArray(rawSecret)) errors.push("client_secret has several values; give it one value");
  const creds = credentials(secret, single(p, "certificate_path", errors), opts, errors);
  const cloudName = cloud(single(p, "cloud", errors), errors);
  const graph = graphBackfill(single(p, "graph_backfill", errors), cloudName, errors);
  const publisherId = guid(single(p, "publisher_id", errors), "publisher_id", "leave it empty to use the tenant GUID, or give your publisher GUID", errors);
  const config: InputConfig = {
    name,
    stanza: stanza.name,
    app: stanza.app ?? APP_ID,
    tenantId: tenantId ?? "",
    clientId: clientId ?? "",
    ...creds,
    cloud: cloudName,
    contentTypes: contentTypes(list(p, "content_types"), errors),
    recordTypes: recordTypes(list(p, "record_types"), errors),
    backfillHours: backfillHours(single(p, "backfill_hours", errors), graph, errors),
    maxConcurrency: integer(single(p, "max_concurrency", errors), "max_concurrency", CONCURRENCY_RANGE, DEFAULTS.maxConcurrency, errors),
    publisherId: publisherId ?? tenantId ?? "",
    proxyUrl: proxy(single(p, "proxy_url", errors), errors),
    apiUrl: baseUrl(single(p, "api_url", errors), "api_url", "https://manage.office.com", errors),
    authorityUrl: baseUrl(single(p, "authority_url", errors), "authority_url", "https://login.microsoftonline.com", errors),
    autoSubscribe: boolean(single(p, "auto_subscribe", errors), "auto_subscribe", true, errors),
    graphBackfill: graph,
    graphUrl: baseUrl(single(p, "graph_url", errors), "graph_url", "https://graph.microsoft.com", errors),
    index: eventIndex(single(p, "index", errors)),
    host: single(p, "host", errors),
    interval: interval(single(p, "interval", errors)),
  };
  // Optional keys stay absent rather than undefined-valued, so configs compare cleanly.
  for (const key of Object.keys(config) as (keyof InputConfig)[]) if (config[key] === undefined) delete config[key];
  return errors.length > 0 ? { errors } : { config, errors };
}
