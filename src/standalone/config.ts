// The standalone collector's JSON config -> the same InputConfig the modular input builds, through
// the same parseConfig (src/config/parse.ts): each input's keys are the input's arguments by the
// same names, plus `name`, `interval`, `index`, `host`. Secrets come as `<secret>_file` or
// `<secret>_env` (src/standalone/secretSource.ts); a secret written into the file is refused.
// Every problem is one message naming the key and the fix; all of them are reported at once.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkCertificateFile } from "../auth/certificate";
import { SCHEME } from "../config/constants";
import type { InputConfig } from "../config/inputConfig";
import { parseConfig } from "../config/parse";
import type { ParamValue } from "../splunk/inputDefinition";
import { ARGUMENTS } from "../splunk/scheme";
import { SECRET_ARGS, type SecretArg } from "../splunk/secretNames";
import type { Secrets } from "../splunk/secrets";
import { readSecret, type SecretRef } from "./secretSource";

export interface HecConfig {
  /** https://host:port, no path. */
  url: string;
  token: string;
  index?: string;
  ack: boolean;
  /** PEM of hec.ca_file. */
  ca?: string;
}

export interface StandaloneInput {
  config: InputConfig;
  secrets: Secrets;
}

export interface StandaloneConfig {
  hec: HecConfig;
  stateDir: string;
  inputs: StandaloneInput[];
}

export interface LoadResult {
  config?: StandaloneConfig;
  errors: string[];
}

const SECRET_KEYS: Record<SecretArg, keyof Secrets> = {
  client_secret: "clientSecret",
  certificate_password: "certificatePassword",
  proxy_password: "proxyPassword",
};
/** Keys an input may have besides the secrets: the scheme's arguments and splunkd's own settings. */
const INPUT_KEYS = new Set([
  "name",
  "interval",
  "index",
  "host",
  ...ARGUMENTS.map((a) => a.name).filter((n) => !(SECRET_ARGS as readonly string[]).includes(n)),
]);
const HEC_KEYS = new Set(["url", "token_file", "token_env", "index", "ack", "ca_file"]);
const TOP_KEYS = new Set(["hec", "state_dir", "inputs"]);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

function unknownKeys(obj: Json, allowed: Set<string>, where: string, errors: string[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.has(key) && !/_(file|env)$/.test(key)) errors.push(`${where}${key} is not a setting of the collector: remove it or check its spelling (docs/standalone-collector.md)`);
  }
}

/** `x_file` / `x_env` of an object: a SecretRef, undefined when neither, an error when both or mistyped. */
function secretRef(obj: Json, base: string, where: string, errors: string[], dir: string): SecretRef | undefined {
  const file = obj[`${base}_file`];
  const env = obj[`${base}_env`];
  if (obj[base] !== undefined) {
    errors.push(`${where}${base}: secrets are never read from the config file; put it in a file named by ${base}_file, or an environment variable named by ${base}_env`);
  }
  if (file !== undefined && env !== undefined) {
    errors.push(`${where}${base}_file and ${base}_env are both given: keep one`);
    return undefined;
  }
  if (file !== undefined) {
    if (typeof file !== "string" || file === "") errors.push(`${where}${base}_file must be a file path`);
    else return { key: `${where}${base}_file`, file: path.resolve(dir, file) };
  }
  if (env !== undefined) {
    if (typeof env !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(env)) errors.push(`${where}${base}_env must be an environment variable name`);
    else return { key: `${where}${base}_env`, env };
  }
  return undefined;
}

/** A JSON value as a stanza param: numbers and booleans as splunkd would write them. */
function toParam(value: unknown): ParamValue | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "boolean") return value ? "1" : "0";
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
  return undefined;
}

function hecConfig(raw: unknown, env: NodeJS.ProcessEnv, dir: string, errors: string[]): HecConfig | undefined {
  if (!isObject(raw)) {
    errors.push('hec is required: { "url": "https://<splunk>:8088", "token_file": "<path>" }');
    return undefined;
  }
  unknownKeys(raw, HEC_KEYS, "hec.", errors);
  let url: string | undefined;
  try {
    const u = new URL(String(raw.url ?? ""));
    if (u.protocol === "https:" && !u.username && !u.password && (u.pathname === "/" || u.pathname === "") && !u.search && !u.hash) url = u.origin;
  } catch {
    url = undefined;
  }
  if (!url) errors.push(`hec.url ${JSON.stringify(raw.url ?? null)} must be https://host[:port] of the HTTP Event Collector, with no path (e.g. https://http-inputs-acme.splunkcloud.com:443 or https://splunk.example.com:8088)`);
  const ref = secretRef(raw, "token", "hec.", errors, dir);
  let token: string | undefined;
  if (!ref) errors.push("hec.token_file or hec.token_env is required: the HEC token, in a file or an environment variable");
  else {
    const read = readSecret(ref, env);
    if ("error" in read) errors.push(read.error);
    else token = read.value.trim();
  }
  if (raw.ack !== undefined && typeof raw.ack !== "boolean") errors.push("hec.ack must be true or false (default true: indexer acknowledgement)");
  if (raw.index !== undefined && (typeof raw.index !== "string" || raw.index === "")) errors.push("hec.index must be an index name");
  let ca: string | undefined;
  if (raw.ca_file !== undefined) {
    const file = path.resolve(dir, String(raw.ca_file));
    try {
      ca = fs.readFileSync(file, "utf8");
      if (!ca.includes("-----BEGIN CERTIFICATE-----")) errors.push(`hec.ca_file "${file}" holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    } catch (err) {
      errors.push(`hec.ca_file: cannot read "${file}" (${(err as NodeJS.ErrnoException).code ?? "unreadable"}): give the PEM file of the CA that signed the HEC certificate`);
    }
  }
  if (!url || token === undefined) return undefined;
  return { url, token, ack: raw.ack !== false, ...(typeof raw.index === "string" && raw.index ? { index: raw.index } : {}), ...(ca ? { ca } : {}) };
}

function inputConfig(raw: unknown, i: number, env: NodeJS.ProcessEnv, dir: string, errors: string[]): StandaloneInput | undefined {
  const label = isObject(raw) && typeof raw.name === "string" ? ` (${raw.name})` : "";
  const where = `inputs[${i}]${label}.`;
  if (!isObject(raw)) {
    errors.push(`inputs[${i}] must be an object with name, tenant_id, client_id and client_secret_file (or certificate_path)`);
    return undefined;
  }
  unknownKeys(raw, INPUT_KEYS, where, errors);
  if (typeof raw.name !== "string" || raw.name.trim() === "") errors.push(`${where}name is required: a short name for the input (it names its state files and every log line)`);
  const params: Record<string, ParamValue> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === "name" || /_(file|env)$/.test(key) || !INPUT_KEYS.has(key)) continue;
    const param = toParam(value);
    if (param === undefined) errors.push(`${where}${key} must be a string, number, true/false or a list of strings`);
    else params[key] = param;
  }
  params.host ??= os.hostname();
  const secrets: Secrets = {};
  const before = errors.length;
  for (const arg of SECRET_ARGS) {
    const ref = secretRef(raw, arg, where, errors, dir);
    if (!ref) continue;
    const read = readSecret(ref, env);
    if ("error" in read) errors.push(read.error);
    else secrets[SECRET_KEYS[arg]] = read.value;
  }
  // parseConfig checks "client_secret or certificate_path" on the stanza, so the secret rides along.
  if (secrets.clientSecret !== undefined) params.client_secret = secrets.clientSecret;
  // A secret that could not be read is reported above; a stand-in value spares a second message.
  else if (errors.length > before && raw.certificate_path === undefined) params.client_secret = "unread";
  const name = typeof raw.name === "string" ? raw.name.trim() : "";
  const parsed = parseConfig({ name: `${SCHEME}://${name}`, params }, { checkCertificate: checkCertificateFile });
  for (const e of parsed.errors) errors.push(`${where.slice(0, -1)}: ${e.replace(/client_secret or certificate_path is required/, "client_secret_file, client_secret_env or certificate_path is required")}`);
  return parsed.config ? { config: parsed.config, secrets } : undefined;
}

/** Parses the config text; `file` places relative paths and names the file in messages. */
export function parseStandaloneConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): LoadResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { errors: [`${file} is not valid JSON (${(err as Error).message}): fix the syntax`] };
  }
  if (!isObject(raw)) return { errors: [`${file} must hold one JSON object with hec, state_dir and inputs`] };
  const dir = path.dirname(path.resolve(file));
  const errors: string[] = [];
  unknownKeys(raw, TOP_KEYS, "", errors);
  const hec = hecConfig(raw.hec, env, dir, errors);
  if (typeof raw.state_dir !== "string" || raw.state_dir === "") errors.push("state_dir is required: a folder only this collector writes (checkpoints, remembered Ids, the lock)");
  if (!Array.isArray(raw.inputs) || raw.inputs.length === 0) errors.push("inputs must list at least one input");
  const inputs = (Array.isArray(raw.inputs) ? raw.inputs : []).map((input, i) => inputConfig(input, i, env, dir, errors));
  const names = inputs.filter((x): x is StandaloneInput => x !== undefined).map((x) => x.config.name);
  for (const dup of new Set(names.filter((n, i) => names.indexOf(n) !== i))) errors.push(`inputs: the name "${dup}" is used twice: each input needs its own name (it names its state files)`);
  if (errors.length > 0 || !hec) return { errors };
  return {
    config: { hec, stateDir: path.resolve(dir, raw.state_dir as string), inputs: inputs as StandaloneInput[] },
    errors,
  };
}

/** Reads and parses the config file. */
export function loadStandaloneConfig(file: string, env: NodeJS.ProcessEnv = process.env): LoadResult {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    return { errors: [`cannot read the config file "${file}" (${(err as NodeJS.ErrnoException).code ?? "unreadable"}): give --config <path of the JSON file>`] };
  }
  return parseStandaloneConfig(text, file, env);
}
