// What splunkd does when an input of a scheme with `use_external_validation` is created or
// edited through REST (reference/splunk-platform.md 1.4, "Set up external validation"): it runs
// `<launcher> --validate-arguments`, writes one `<items>` document on stdin and, when the program
// exits non-zero, refuses the change and returns the `<error><message>` text to the caller.
import { spawn } from "node:child_process";
import { escapeAttribute, escapeText } from "../../src/splunk/xml";

export interface ValidationRequest {
  /** Input name (the `<item name>`), without the scheme. */
  name: string;
  params: Record<string, string>;
  serverUri: string;
  /** The caller's session key: splunkd hands the validating program the requester's key. */
  sessionKey: string;
  checkpointDir: string;
}

/** Resolves to splunkd's error text, or undefined when the program accepted the item. */
export type Validator = (request: ValidationRequest) => Promise<string | undefined>;

export function itemsXml(r: ValidationRequest): string {
  const params = Object.entries(r.params)
    .map(([k, v]) => `<param name="${escapeAttribute(k)}">${escapeText(v)}</param>`)
    .join("");
  return (
    `<items><server_host>test-splunkd</server_host><server_uri>${escapeText(r.serverUri)}</server_uri>` +
    `<session_key>${escapeText(r.sessionKey)}</session_key><checkpoint_dir>${escapeText(r.checkpointDir)}</checkpoint_dir>` +
    `<item name="${escapeAttribute(r.name)}">${params}</item></items>`
  );
}

/** `<error><message>…</message></error>` -> the message text (entities decoded). */
export function errorMessage(stdout: string): string | undefined {
  const m = /<message>([\s\S]*?)<\/message>/.exec(stdout);
  if (!m) return undefined;
  return m[1]
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, "&");
}

/** Runs the packaged launcher the way splunkd does (environment: SPLUNK_HOME and the caller's extras). */
export function launcherValidator(launcher: string, env: NodeJS.ProcessEnv, timeoutMs = 30_000): Validator {
  return (request) =>
    new Promise((resolve, reject) => {
      const child = spawn(launcher, ["--validate-arguments"], { env, stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
      child.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        if (code === 0) return resolve(undefined);
        resolve(
          errorMessage(stdout) ??
            `Validation for scheme failed: the script exited with ${signal ?? `code ${code}`} (${stderr.trim().slice(-300)})`,
        );
      });
      child.stdin.end(itemsXml(request));
    });
}
