// Secrets of the standalone collector come from files or environment variables the config
// names, never from the config itself. A named file or variable that is missing or empty is a
// configuration fault whose message names it; no message ever holds a secret's value.
import * as fs from "node:fs";

export interface SecretRef {
  /** The config key that names it, e.g. `inputs[0].client_secret_file`, for messages. */
  key: string;
  file?: string;
  env?: string;
}

export type SecretResult = { value: string } | { error: string };

/** Reads one secret. A file's one trailing line break is not part of the secret (editors add it). */
export function readSecret(ref: SecretRef, env: NodeJS.ProcessEnv): SecretResult {
  if (ref.file !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(ref.file, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
      return { error: `${ref.key}: cannot read "${ref.file}" (${code}): create the file with the secret as its only content, readable by the user the collector runs as` };
    }
    const value = text.replace(/\r?\n$/, "");
    if (value.trim() === "") return { error: `${ref.key}: "${ref.file}" is empty: write the secret into it` };
    return { value };
  }
  const name = ref.env ?? "";
  const value = env[name];
  if (value === undefined) return { error: `${ref.key}: environment variable ${name} is not set: set it to the secret before starting the collector` };
  if (value.trim() === "") return { error: `${ref.key}: environment variable ${name} is empty: set it to the secret` };
  return { value };
}
