// The configuration page's pure logic: form <-> input arguments, the same checks as
// --validate-arguments (src/config/parse.ts), and run status from splunkd.log lines.
import { CLOUD_NAMES, type Cloud } from "../auth/clouds";
import { MASKED_SECRET as MASK } from "../config/constants";
import { DEFAULTS, parseConfig } from "../config/parse";
import type { SecretArg } from "../splunk/secretNames";

export type AuthMode = "secret" | "certificate";

export interface TenantForm {
  name: string;
  tenant_id: string;
  client_id: string;
  auth: AuthMode;
  /** Typed secrets: "" = keep what storage/passwords holds (or none). Never shown back. */
  client_secret: string;
  certificate_path: string;
  certificate_password: string;
  cloud: Cloud;
  content_types: string[];
  record_types: string;
  backfill_hours: string;
  max_concurrency: string;
  publisher_id: string;
  proxy_url: string;
  proxy_password: string;
  api_url: string;
  authority_url: string;
  auto_subscribe: boolean;
  graph_backfill: boolean;
  graph_url: string;
  index: string;
  interval: string;
}

/** Which secrets an existing input already has in storage/passwords. */
export type StoredSecrets = Partial<Record<SecretArg, boolean>>;

export interface InputRow {
  name: string;
  disabled: boolean;
  args: Record<string, string>;
}

const TEXT_ARGS = [
  "tenant_id",
  "client_id",
  "certificate_path",
  "record_types",
  "backfill_hours",
  "max_concurrency",
  "publisher_id",
  "proxy_url",
  "api_url",
  "authority_url",
  "graph_url",
  "index",
  "interval",
] as const;

export function emptyForm(): TenantForm {
  return {
    name: "",
    tenant_id: "",
    client_id: "",
    auth: "secret",
    client_secret: "",
    certificate_path: "",
    certificate_password: "",
    cloud: DEFAULTS.cloud,
    content_types: [...DEFAULTS.contentTypes],
    record_types: "",
    backfill_hours: String(DEFAULTS.backfillHours),
    max_concurrency: String(DEFAULTS.maxConcurrency),
    publisher_id: "",
    proxy_url: "",
    proxy_password: "",
    api_url: "",
    authority_url: "",
    auto_subscribe: true,
    graph_backfill: false,
    graph_url: "",
    index: "",
    interval: String(DEFAULTS.interval),
  };
}

/** An existing input's stanza as a form; secret fields stay empty ("keep"). */
export function formFromInput(row: InputRow): { form: TenantForm; stored: StoredSecrets } {
  const form = emptyForm();
  const a = row.args;
  form.name = row.name;
  for (const key of TEXT_ARGS) if (a[key] !== undefined) form[key] = a[key];
  form.auth = a.certificate_path ? "certificate" : "secret";
  if ((CLOUD_NAMES as readonly string[]).includes(a.cloud)) form.cloud = a.cloud as Cloud;
  if (a.content_types) form.content_types = a.content_types.split(",").map((s) => s.trim()).filter(Boolean);
  form.auto_subscribe = !/^(0|false|no|f|n)$/i.test(a.auto_subscribe ?? "1");
  form.graph_backfill = /^(1|true|yes|t|y)$/i.test(a.graph_backfill ?? "0");
  // The stanza shows only the client secret's mask; the page asks storage/passwords for the others.
  return { form, stored: { client_secret: a.client_secret === MASK } };
}

/** The secrets that will exist once saved: typed now, or kept from storage/passwords. */
export function effectiveSecrets(form: TenantForm, stored: StoredSecrets): Record<SecretArg, boolean> {
  const certificate = form.auth === "certificate";
  return {
    client_secret: !certificate && (form.client_secret !== "" || !!stored.client_secret),
    certificate_password: certificate && (form.certificate_password !== "" || !!stored.certificate_password),
    proxy_password: form.proxy_url !== "" && (form.proxy_password !== "" || !!stored.proxy_password),
  };
}

/** Typed secrets to write to storage/passwords before the input is saved. */
export function typedSecrets(form: TenantForm): Partial<Record<SecretArg, string>> {
  const out: Partial<Record<SecretArg, string>> = {};
  if (form.auth === "secret" && form.client_secret) out.client_secret = form.client_secret;
  if (form.auth === "certificate" && form.certificate_password) out.certificate_password = form.certificate_password;
  if (form.proxy_url && form.proxy_password) out.proxy_password = form.proxy_password;
  return out;
}

/**
 * Arguments POSTed to data/inputs: every setting, the client secret only ever as MASK (secret
 * values go straight to storage/passwords), cleared settings as "" so an edit removes them.
 */
export function inputArgs(form: TenantForm, stored: StoredSecrets): Record<string, string> {
  const secrets = effectiveSecrets(form, stored);
  const args: Record<string, string> = {};
  for (const key of TEXT_ARGS) args[key] = form[key].trim();
  if (form.auth === "secret") args.certificate_path = "";
  args.cloud = form.cloud;
  args.content_types = form.content_types.join(",");
  args.auto_subscribe = form.auto_subscribe ? "1" : "0";
  args.graph_backfill = form.graph_backfill ? "1" : "0";
  // Only client_secret is a stanza argument (parseConfig needs a secret or a certificate); the
  // certificate and proxy passwords live in storage/passwords alone and the input finds them there.
  args.client_secret = secrets.client_secret ? MASK : "";
  if (!args.index) delete args.index; // splunkd's default index
  return args;
}

export const FORM_FIELDS = [
  "name",
  "tenant_id",
  "client_id",
  "client_secret",
  "certificate_path",
  "certificate_password",
  "cloud",
  "content_types",
  "record_types",
  "backfill_hours",
  "max_concurrency",
  "publisher_id",
  "proxy_url",
  "proxy_password",
  "api_url",
  "authority_url",
  "auto_subscribe",
  "graph_backfill",
  "graph_url",
  "index",
  "interval",
] as const;
export type FormField = (typeof FORM_FIELDS)[number];

export interface FormErrors {
  fields: Partial<Record<FormField, string>>;
  /** Messages that name no single field. */
  general: string[];
}

/**
 * The checks --validate-arguments runs (parseConfig), on the arguments the page would save.
 * The certificate file itself can only be checked on the collecting host: splunkd does that
 * when the input is tested or saved.
 */
export function validateForm(form: TenantForm, stored: StoredSecrets): FormErrors {
  const args = inputArgs(form, stored);
  const certificate = form.auth === "certificate";
  const params: Record<string, string> = { ...args };
  delete params.certificate_path;
  for (const key of Object.keys(params)) if (params[key] === "") delete params[key];
  const result = parseConfig({ name: form.name.trim(), params }, { requireSecret: !certificate });
  const errors: FormErrors = { fields: {}, general: [] };
  for (const message of result.errors) {
    const field = FORM_FIELDS.find((f) => message.startsWith(`${f} `)) ?? (message.startsWith("input name") ? "name" : undefined);
    if (field && !errors.fields[field]) errors.fields[field] = message;
    else if (!field) errors.general.push(message);
  }
  if (certificate && !form.certificate_path.trim()) {
    errors.fields.certificate_path = "certificate_path is required: give the path of the PEM file with the certificate and its private key on the collecting host";
  }
  if (!form.name.trim()) errors.fields.name = "Name is required: a short name for this tenant, e.g. contoso";
  if (form.content_types.length === 0) errors.fields.content_types = "Choose at least one content type (Audit.General holds the Defender detections)";
  return errors;
}

export function hasErrors(errors: FormErrors): boolean {
  return errors.general.length > 0 || Object.keys(errors.fields).length > 0;
}

// --- status from splunkd.log ------------------------------------------------------------

/** The search the page runs for status: the modular input's stderr lines splunkd logged. */
export const STATUS_SEARCH =
  'search index=_internal sourcetype=splunkd component=ExecProcessor "defender_o365_activity" (run_summary OR "cause=") earliest=-7d | head 1000 | table _time _raw';

export interface LogLine {
  time: string;
  level: string;
  message: string;
  fields: Record<string, string>;
}

export interface InputStatus {
  /** Latest run_summary per content type. */
  runs: LogLine[];
  /** Latest WARN/ERROR (a line with cause=), if newer than the latest run. */
  problem?: LogLine;
}

// A splunkd.log line holding a script's stderr (docs/reference/splunkd-log.md):
//   <date> <time> <zone> <LEVEL> ExecProcessor [<thread>] - message from "<script>" <text>
// splunkd takes a leading level word off the stderr line and logs the line at that level, so the
// level is the header's; <text> may still start with one. On Windows <script> is quoted twice
// (""C:\...\defender_o365_activity.cmd""). A bare stderr line (`LEVEL text`) parses too.
const LEVEL = "(DEBUG|INFO|WARN|WARNING|ERROR|FATAL)";
const SPLUNKD_LINE = new RegExp(`^\\S+ \\S+ [+-]\\d{4}\\s+${LEVEL}\\s+ExecProcessor\\b.*? - message from "(?:"[^"]*"(?:\\s+"[^"]*")*|[^"]*)"\\s+(.*)$`);
const STDERR_LINE = new RegExp(`^${LEVEL}\\s+(.*)$`);
const IN_TEXT_LEVEL = new RegExp(`^${LEVEL}\\s+`);

function levelAndText(raw: string): { level: string; text: string } | undefined {
  const header = SPLUNKD_LINE.exec(raw);
  if (header) return { level: header[1], text: header[2].replace(IN_TEXT_LEVEL, "").trim() };
  const bare = STDERR_LINE.exec(raw.trim());
  return bare ? { level: bare[1], text: bare[2] } : undefined;
}

/** `LEVEL message key=value key="quoted value"` (src/splunk/logger.ts) from a splunkd.log line. */
export function parseLogLine(raw: string, time: string): LogLine | undefined {
  const line = levelAndText(raw);
  if (!line) return undefined;
  // The logger writes the message, then its key=value pairs: the fields are the trailing run of
  // pairs only, so a message that itself holds "a=b" text stays whole.
  let fields: Record<string, string> = {};
  const pair = /(\w+)=("((?:[^"\\]|\\.)*)"|\S*)/g;
  let first: number | undefined;
  let end = 0;
  for (let p = pair.exec(line.text); p; p = pair.exec(line.text)) {
    if (first === undefined || line.text.slice(end, p.index).trim() !== "") {
      first = p.index;
      fields = {};
    }
    end = p.index + p[0].length;
    fields[p[1]] = p[3] !== undefined ? p[3].replace(/\\(.)/g, "$1") : p[2];
  }
  if (line.text.slice(end).trim() !== "") {
    first = undefined;
    fields = {};
  }
  const level = line.level === "WARNING" ? "WARN" : line.level;
  return { time, level, message: line.text.slice(0, first ?? line.text.length).trim(), fields };
}

/** Search rows (newest first, `_time` and `_raw`) -> status per input name. */
export function statusByInput(rows: { _time?: string; _raw?: string }[]): Map<string, InputStatus> {
  const out = new Map<string, InputStatus>();
  for (const row of rows) {
    const line = parseLogLine(row._raw ?? "", row._time ?? "");
    const input = line?.fields.input;
    if (!line || !input) continue;
    const status = out.get(input) ?? { runs: [] };
    out.set(input, status);
    if (line.message.startsWith("run_summary")) {
      if (!status.runs.some((r) => r.fields.content_type === line.fields.content_type)) status.runs.push(line);
    } else if (line.fields.cause && !status.problem && status.runs.length === 0) {
      status.problem = line;
    }
  }
  return out;
}

/** One line for the table: records and lag of the last run. */
export function runSummaryText(status: InputStatus | undefined): string {
  if (!status || status.runs.length === 0) return "No run yet";
  const sum = (key: string): number => status.runs.reduce((n, r) => n + (Number(r.fields[key]) || 0), 0);
  const lag = Math.max(...status.runs.map((r) => Number(r.fields.lag_seconds) || 0));
  const errors = sum("errors");
  return `${status.runs[0].time}: ${sum("records")} records, lag ${lag} s${errors ? `, ${errors} errors` : ""}`;
}
