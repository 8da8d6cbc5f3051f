// Secrets of one input, kept in splunkd's storage/passwords (docs/configuration.md;
// docs/reference/splunk-platform.md 3.2, the mask-on-first-run pattern):
//   realm `defender_o365`, username `<input>`                       -> client_secret
//   realm `defender_o365`, username `<input>#certificate_password`  -> certificate_password
//   realm `defender_o365`, username `<input>#proxy_password`        -> proxy_password
// A clear value found in the stanza is stored, then the stanza's value is rewritten to
// `********` through data/inputs; later runs read the stored value back.
import type { InputConfig } from "../config/inputConfig";
import type { InputDefinition, Stanza, ValidationDefinition } from "./inputDefinition";
import type { Logger } from "./logger";
import type { Cause } from "../errors/causes";
import { FaultError } from "../errors/faultError";
import { MASKED_SECRET as MASK, REALM } from "../config/constants";
import { secretUsername, type SecretArg } from "./secretNames";
import { SplunkdRestError } from "./splunkdError";
import { createSplunkdRest, isSplunkdUnavailable, type SplunkdRest } from "./splunkdRest";

export interface Secrets {
  clientSecret?: string;
  certificatePassword?: string;
  proxyPassword?: string;
}

interface SecretSpec {
  arg: SecretArg;
  key: keyof Secrets;
  /** What the admin re-enters, for messages. */
  label: string;
  /**
   * When the stanza does not name the secret, whether one may still be stored for it (the
   * configuration page stores these without a stanza argument): then it is read if present.
   */
  mayBeStored?: (config: InputConfig) => boolean;
}

export const SECRET_SPECS: readonly SecretSpec[] = [
  { arg: "client_secret", key: "clientSecret", label: "client secret" },
  { arg: "certificate_password", key: "certificatePassword", label: "certificate password", mayBeStored: (c) => !!c.certificatePath },
  { arg: "proxy_password", key: "proxyPassword", label: "proxy password", mayBeStored: (c) => !!c.proxyUrl },
];

/**
 * A secret the run needs could not be had. `secret_missing`: storage/passwords has no entry (or
 * refused to give it): the admin re-enters it. `splunkd_unavailable`: splunkd did not serve the
 * call (5xx, refused, reset, timed out): nothing to re-enter, the next run retries (transient).
 */
export class SecretError extends FaultError {
  constructor(message: string, cause: Extract<Cause, "secret_missing" | "splunkd_unavailable">) {
    super(message, { policy: cause === "splunkd_unavailable" ? "transient" : "fatal", cause });
    this.name = "SecretError";
  }
}

function param(stanza: Stanza | undefined, name: string): string | undefined {
  const value = stanza?.params[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === "" ? undefined : text;
}

/** The secret arguments of a stanza as given (clear, MASK or absent). */
export function givenSecrets(config: InputConfig, stanza: Stanza | undefined): Partial<Record<SecretArg, string>> {
  return {
    client_secret: config.clientSecret || param(stanza, "client_secret"),
    certificate_password: param(stanza, "certificate_password"),
    proxy_password: param(stanza, "proxy_password"),
  };
}

function missingMessage(spec: SecretSpec, input: string, reason: string): string {
  return (
    `The ${spec.label} of input ${input} ${reason}: re-enter it on the app's Configuration page ` +
    `or in Settings > Data inputs > Defender for Office 365`
  );
}

function unavailable(spec: SecretSpec, input: string, error: SplunkdRestError): SecretError {
  const what = error.status > 0 ? `HTTP ${error.status}` : (error.code ?? "no answer");
  return new SecretError(
    `splunkd's REST API did not serve the ${spec.label} of input ${input} (${what}: ${error.message}); ` +
      "splunkd is down, restarting or overloaded: the next run retries",
    "splunkd_unavailable",
  );
}

async function readStored(rest: SplunkdRest, input: string, spec: SecretSpec): Promise<string> {
  let value: string | undefined;
  try {
    value = await rest.readPassword(REALM, secretUsername(input, spec.arg));
  } catch (error) {
    if (isSplunkdUnavailable(error)) throw unavailable(spec, input, error as SplunkdRestError);
    throw new SecretError(
      missingMessage(spec, input, `could not be read from storage/passwords (${(error as Error).message})`),
      "secret_missing",
    );
  }
  if (value === undefined) throw new SecretError(missingMessage(spec, input, "is not in storage/passwords"), "secret_missing");
  return value;
}

/**
 * An optional secret (no stanza argument): its stored value, or undefined when there is none.
 * splunkd being unavailable throws (going on without the secret would fail for the wrong reason).
 */
async function readOptional(rest: SplunkdRest, input: string, spec: SecretSpec, onError: (e: Error) => void): Promise<string | undefined> {
  try {
    return await rest.readPassword(REALM, secretUsername(input, spec.arg));
  } catch (error) {
    if (isSplunkdUnavailable(error)) throw unavailable(spec, input, error as SplunkdRestError);
    onError(error as Error);
    return undefined;
  }
}

/**
 * Secrets for a connection test (--validate-arguments): clear values as typed, masked ones read
 * from storage/passwords. Nothing is written: the stanza does not exist yet, or is being edited.
 * Throws SecretError (not logged) when a masked value has no stored secret or splunkd is unavailable.
 */
export async function lookupSecrets(
  def: ValidationDefinition,
  config: InputConfig,
  rest: SplunkdRest = createSplunkdRest({ serverUri: def.serverUri, sessionKey: def.sessionKey, app: config.app }),
): Promise<Secrets> {
  const given = givenSecrets(config, def.item);
  const secrets: Secrets = {};
  for (const spec of SECRET_SPECS) {
    const value = given[spec.arg];
    if (value !== undefined) secrets[spec.key] = value === MASK ? await readStored(rest, config.name, spec) : value;
    else if (spec.mayBeStored?.(config)) {
      // Unreadable: the test then fails on the certificate or proxy itself, which names the problem.
      const stored = await readOptional(rest, config.name, spec, () => undefined);
      if (stored !== undefined) secrets[spec.key] = stored;
    }
  }
  return secrets;
}

/**
 * Run mode: store clear secrets and mask them in the stanza, read masked ones back. A secret that
 * cannot be had logs one ERROR (cause=secret_missing or splunkd_unavailable) and throws SecretError.
 */
export async function resolveSecrets(
  def: InputDefinition,
  config: InputConfig,
  logger: Logger,
  rest: SplunkdRest = createSplunkdRest({ serverUri: def.serverUri, sessionKey: def.sessionKey, app: config.app }),
): Promise<Secrets> {
  const input = config.name;
  const given = givenSecrets(config, def.stanzas.find((s) => s.name === config.stanza));
  const secrets: Secrets = {};
  const toMask: Record<string, string> = {};
  try {
    for (const spec of SECRET_SPECS) await resolveOne(spec);
  } catch (error) {
    if (error instanceof SecretError) logger.error(error.message, { input, cause: error.cause });
    throw error;
  }
  if (Object.keys(toMask).length > 0) await mask();
  return secrets;

  async function resolveOne(spec: SecretSpec): Promise<void> {
    const value = given[spec.arg];
    if (value === undefined) {
      if (!spec.mayBeStored?.(config)) return;
      const stored = await readOptional(rest, input, spec, (error) =>
        logger.warn(`Could not read a stored ${spec.label}; going on without one`, { input, cause: "secret_unreadable", error: error.message }),
      );
      if (stored !== undefined) secrets[spec.key] = stored;
      return;
    }
    if (value === MASK) {
      secrets[spec.key] = await readStored(rest, input, spec);
      return;
    }
    secrets[spec.key] = value;
    try {
      await rest.writePassword(REALM, secretUsername(input, spec.arg), value);
      toMask[spec.arg] = MASK;
    } catch (error) {
      // Still usable for this run; the stanza keeps the clear value until a run can store it.
      logger.warn(`Could not store the ${spec.label} in storage/passwords; it stays in inputs.conf until stored`, {
        input,
        cause: "secret_not_stored",
        error: (error as Error).message,
      });
    }
  }

  async function mask(): Promise<void> {
    try {
      await rest.updateInput(input, toMask);
      logger.info("Stored secrets in storage/passwords and masked them in the input", {
        input,
        masked: Object.keys(toMask).join(","),
      });
    } catch (error) {
      logger.warn("Stored secrets but could not mask them in inputs.conf; the next run retries", {
        input,
        cause: "secret_not_masked",
        error: (error as Error).message,
      });
    }
  }
}
