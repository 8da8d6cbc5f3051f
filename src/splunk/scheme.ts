// The --scheme answer (docs/reference/splunk-platform.md 1.3): introspection XML naming every
// argument of docs/configuration.md, with every element written explicitly (splunkd's own
// defaults are not documented) and no XML declaration, as both Splunk SDKs do.
import { CLOUD_NAMES } from "../auth/clouds";
import { CONTENT_TYPES } from "../config/inputConfig";
import { BACKFILL_RANGE, CONCURRENCY_RANGE, DEFAULTS, GRAPH_BACKFILL_RANGE } from "../config/parse";
import { element, escapeAttribute } from "./xml";

export interface SchemeArgument {
  name: string;
  title: string;
  description: string;
  dataType: "string" | "number" | "boolean";
  requiredOnCreate: boolean;
  requiredOnEdit: boolean;
  /** A Splunk validation expression (restmap.conf.spec `validate(<eval>, "message")`). */
  validation?: string;
}

const GUID_RE = "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$";

// Rules pass when the field is absent (an edit that leaves it unchanged); presence is what
// required_on_create asks for. Eval strings are double-quoted, field names single-quoted.
const guidRule = (name: string, optional: boolean): string =>
  `validate(isnull('${name}') OR match('${name}', "${optional ? `^$|${GUID_RE}` : GUID_RE}"), "${name} must be a GUID such as 0d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6")`;

const rangeRule = (name: string, r: { min: number; max: number }): string =>
  `validate(isnull('${name}') OR (match('${name}', "^[0-9]+$") AND tonumber('${name}') >= ${r.min} AND tonumber('${name}') <= ${r.max}), "${name} must be a whole number from ${r.min} to ${r.max}")`;

export const SCHEME_TITLE = "Defender for Office 365";
export const SCHEME_DESCRIPTION =
  "Collects Microsoft Defender for Office 365 detections (email, Safe Links clicks, files, AIR, alerts, quarantine, submissions, attack simulation) and other audit records from the Office 365 Management Activity API.";

export const ARGUMENTS: readonly SchemeArgument[] = [
  {
    name: "tenant_id",
    title: "Tenant ID",
    description: "Microsoft Entra Directory (tenant) ID, a GUID (Entra admin center > Identity > Overview).",
    dataType: "string",
    requiredOnCreate: true,
    requiredOnEdit: false,
    validation: guidRule("tenant_id", false),
  },
  {
    name: "client_id",
    title: "Client ID",
    description: "Application (client) ID GUID of the app registration granted ActivityFeed.Read and ActivityFeed.ReadDlp.",
    dataType: "string",
    requiredOnCreate: true,
    requiredOnEdit: false,
    validation: guidRule("client_id", false),
  },
  {
    name: "client_secret",
    title: "Client secret",
    description: "Client secret value. Stored in Splunk's storage/passwords on the first run and replaced here by ********. Give this or certificate_path.",
    dataType: "string",
    requiredOnCreate: false,
    requiredOnEdit: false,
  },
  {
    name: "certificate_path",
    title: "Certificate path",
    description: "Path of a PEM file on the collecting host holding the application's certificate and private key. Give this or client_secret.",
    dataType: "string",
    requiredOnCreate: false,
    requiredOnEdit: false,
  },
  {
    name: "certificate_password",
    title: "Certificate key password",
    description: "Password of an encrypted private key in certificate_path, if any. Stored in Splunk's storage/passwords on the first run and replaced here by ********.",
    dataType: "string",
    requiredOnCreate: false,
    requiredOnEdit: false,
  },
  {
    name: "cloud",
    title: "Cloud",
    description: `Microsoft 365 cloud: ${CLOUD_NAMES.join(", ")} (default ${DEFAULTS.cloud}).`,
    dataType: "string",
    requiredOnCreate: false,
    requiredOnEdit: false,
    validation: `validate(isnull('cloud') OR match('cloud', "^(${CLOUD_NAMES.join("|")})$"), "cloud must be one of ${CLOUD_NAMES.join(", ")}")`,
  },
  {
    name: "content_types",
    title: "Content types",
    description: `Comma-separated content types to collect: ${CONTENT_TYPES.join(", ")} (default ${DEFAULTS.contentTypes.join(",")}, where Defender detections are).`,
    dataType: "string",
    requiredOnCreate: false,
    requiredOnEdit: false,
  },
  {
    name: "record_types",
    title: "Record types",
    description: "Optional comma-separated record type numbers or names to keep (e.g. 28,41,ThreatIntelligenceAtpContent). Empty keeps all.",
    dataType: "string",
    requiredOnCreate: false,
    requiredOnEdit: false,
  },
  {
    name: "backfill_hours",
    title: "Backfill hours",
    description: `Hours of history to collect on the first run, ${BACKFILL_RANGE.min} to ${BACKFILL_RANGE.max} (default ${DEFAULTS.backfillHours}); up to ${GRAPH_BACKFILL_RANGE.max} with graph_backfill = 1.`,
    dataType: "number",
    requiredOnCreate: false,
    requiredOnEdit: false,
    // The 167-hour limit without graph_backfill is checked by --validate-arguments, which sees both.
    validation: rangeRule("backfill_hours", GRAPH_BACKFILL_RANGE),
  },
  {
    name: "max_concurrency",
    title: "Maximum concurrency",
    description: `Content blobs downloaded in parallel, ${CONCURRENCY_RANGE.min} to ${CONCURRENCY_RANGE.max} (default ${DEFAULTS.maxConcurrency}).`,
    dataType: "number",
    requiredOnCreate: false,
    requiredOnEdit: false,
    validation: rangeRule("max_concurrency", CONCURRENCY_RANGE),
  },
  {
    name: "publisher_id",
    title: "Publisher ID",
    description: "GUID sent as PublisherIdentifier on every request, which sets the throttling quota (default: the tenant ID).",
    dataType: "string",
    requiredOnCreate: false,
    requiredOnEdit: false,
    validation: guidRule("publisher_id", true),
  },
  {
    name: "proxy_url",
    title: "Proxy URL",
    description: "Optional proxy as http(s)://[user@]host:port. Its password goes in proxy_password, never in the URL.",
    dataType: "string",
    requiredOnCreate: false,
    requiredOnEdit: false,
  },
  {
    name: "proxy_password",
    title: "Proxy password",
    description: "Password of the proxy user named in proxy_url, if any. Stored in Splunk's storage/passwords on the first run and replaced here by ********.",
    dataType: "string",
    requiredOnCreate: false,
    requiredOnEdit: false,
  },
  {
    name: "api_url",
    title: "API URL override",
    description: "Advanced: https://host[:port] replacing the cloud's Management API host (private endpoints, test doubles).",
    dataType: "string",
    requiredOnCreate: false,
    requiredOnEdit: false,
  },
  {
    name: "authority_url",
    title: "Authority URL override",
    description: "Advanced: https://host[:port] replacing the cloud's Microsoft Entra login host; the authority is <authority_url>/<tenant_id>.",
    dataType: "string",
    requiredOnCreate: false,
    requiredOnEdit: false,
  },
  {
    name: "auto_subscribe",
    title: "Start subscriptions",
    description: "1 (default): start missing or disabled Activity API subscriptions for the content types; 0: only report them.",
    dataType: "boolean",
    requiredOnCreate: false,
    requiredOnEdit: false,
  },
  {
    name: "graph_backfill",
    title: "Backfill from Microsoft Graph",
    description:
      "1: what the Activity API no longer serves (older than 7 days) is collected from Microsoft Graph's audit log query API; needs the Graph application permission AuditLogsQuery.Read.All with admin consent. Not offered for gcc_high and dod. 0 (default): off.",
    dataType: "boolean",
    requiredOnCreate: false,
    requiredOnEdit: false,
  },
  {
    name: "graph_url",
    title: "Graph URL override",
    description: "Advanced: https://host[:port] replacing https://graph.microsoft.com (private endpoints, test doubles).",
    dataType: "string",
    requiredOnCreate: false,
    requiredOnEdit: false,
  },
];

function argumentXml(a: SchemeArgument): string {
  return [
    `<arg name="${escapeAttribute(a.name)}">`,
    element("title", a.title),
    element("description", a.description),
    ...(a.validation ? [element("validation", a.validation)] : []),
    element("data_type", a.dataType),
    element("required_on_edit", String(a.requiredOnEdit)),
    element("required_on_create", String(a.requiredOnCreate)),
    "</arg>",
  ].join("\n");
}

/** The complete --scheme document. */
export function schemeXml(): string {
  return [
    "<scheme>",
    element("title", SCHEME_TITLE),
    element("description", SCHEME_DESCRIPTION),
    element("use_external_validation", "true"),
    element("use_single_instance", "false"),
    element("streaming_mode", "xml"),
    "<endpoint>",
    "<args>",
    ...ARGUMENTS.map(argumentXml),
    "</args>",
    "</endpoint>",
    "</scheme>",
    "",
  ].join("\n");
}
