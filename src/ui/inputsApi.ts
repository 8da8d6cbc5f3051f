// What the configuration page does in splunkd. Secrets go straight to storage/passwords
// (realm defender_o365, usernames as src/splunk/secrets.ts); inputs only ever hold `********`.
// The connection test creates a disabled probe input, because splunkd runs the scheme's
// --validate-arguments (whose connection test reads the probe's secret back) on create and
// returns its message; the probe and its secrets are removed again (docs/ui.md).
import { APP_ID, REALM, SCHEME } from "../config/constants";
import { passwordEntityName, SECRET_ARGS, secretUsername, type SecretArg } from "../splunk/secretNames";
import {
  effectiveSecrets,
  inputArgs,
  STATUS_SEARCH,
  typedSecrets,
  type InputRow,
  type StoredSecrets,
  type TenantForm,
} from "./model";
import { SplunkdRestError } from "../splunk/splunkdError";
import type { Call } from "./splunkd";

const INPUTS = `data/inputs/${SCHEME}`;
const APP_ENDPOINT = `/services/apps/local/${APP_ID}`;
function passwordPath(username: string): string {
  return `storage/passwords/${encodeURIComponent(passwordEntityName(REALM, username))}`;
}

function stringArgs(content: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(content)) {
    if (typeof v === "string" || typeof v === "number") out[k] = String(v);
  }
  return out;
}

export interface TestResult {
  ok: boolean;
  message: string;
}

export function createInputsApi(call: Call) {
  async function readSecret(username: string): Promise<string | undefined> {
    try {
      const res = await call("GET", passwordPath(username));
      const value = res.entry?.[0]?.content.clear_password;
      return typeof value === "string" ? value : undefined;
    } catch (error) {
      if (error instanceof SplunkdRestError && error.status === 404) return undefined;
      throw error;
    }
  }

  async function writeSecret(username: string, password: string): Promise<void> {
    try {
      await call("POST", "storage/passwords", { name: username, realm: REALM, password });
    } catch (error) {
      if (!(error instanceof SplunkdRestError) || error.status !== 409) throw error;
      await call("POST", passwordPath(username), { password });
    }
  }

  async function deleteSecret(username: string): Promise<void> {
    await call("DELETE", passwordPath(username)).catch((error: unknown) => {
      if (!(error instanceof SplunkdRestError) || error.status !== 404) throw error;
    });
  }

  /** Writes typed secrets for `input`; returns an undo that restores what was there before. */
  async function storeSecrets(input: string, secrets: Partial<Record<SecretArg, string>>): Promise<() => Promise<void>> {
    const undo: (() => Promise<void>)[] = [];
    for (const arg of SECRET_ARGS) {
      const value = secrets[arg];
      if (value === undefined) continue;
      const username = secretUsername(input, arg);
      const before = await readSecret(username);
      await writeSecret(username, value);
      undo.push(() => (before === undefined ? deleteSecret(username) : writeSecret(username, before)));
    }
    return async () => {
      for (const step of undo) await step();
    };
  }

  return {
    async listInputs(): Promise<InputRow[]> {
      const res = await call("GET", INPUTS, { count: "0" });
      return (res.entry ?? [])
        .filter((e) => !isProbe(e.name))
        .map((e) => ({ name: e.name, disabled: e.content.disabled === true || e.content.disabled === "1", args: stringArgs(e.content) }));
    },

    async listIndexes(): Promise<string[]> {
      const res = await call("GET", "/services/data/indexes", { count: "0" });
      return (res.entry ?? []).map((e) => e.name).filter((n) => !n.startsWith("_"));
    },

    /** splunkd.log lines of our input (newest first), for the status column. */
    async statusRows(): Promise<{ _time?: string; _raw?: string }[]> {
      const res = await call("POST", "/services/search/jobs", { search: STATUS_SEARCH, exec_mode: "oneshot", count: "0" });
      return res.results ?? [];
    },

    /** Which secrets of an input storage/passwords holds (for "leave empty to keep"). */
    async storedSecrets(name: string): Promise<StoredSecrets> {
      const stored: StoredSecrets = {};
      for (const arg of SECRET_ARGS) stored[arg] = (await readSecret(secretUsername(name, arg))) !== undefined;
      return stored;
    },

    /**
     * Secrets first (so validation can read them), then create or edit the input; secrets the
     * saved settings no longer use (e.g. the proxy password once the proxy is cleared) go.
     */
    async saveInput(form: TenantForm, stored: StoredSecrets, isNew: boolean): Promise<void> {
      const name = form.name.trim();
      const undo = await storeSecrets(name, typedSecrets(form));
      const args = inputArgs(form, stored);
      try {
        if (isNew) await call("POST", INPUTS, { name, ...args });
        else await call("POST", `${INPUTS}/${encodeURIComponent(name)}`, args);
      } catch (error) {
        await undo().catch(() => undefined);
        throw error;
      }
      const inUse = effectiveSecrets(form, stored);
      for (const arg of SECRET_ARGS) if (!inUse[arg] && stored[arg]) await deleteSecret(secretUsername(name, arg));
    },

    /**
     * Setup is done once an input is saved. Through the apps endpoint (not the conf file), so
     * splunkd updates the app's state at once and Splunk Web stops opening this page first
     * (docs/reference/splunk-setup.md). Only the first save writes.
     */
    async markConfigured(): Promise<void> {
      const app = await call("GET", APP_ENDPOINT);
      const configured = app.entry?.[0]?.content?.configured;
      if (configured === true || configured === "1" || configured === "true") return;
      await call("POST", APP_ENDPOINT, { configured: "1" });
    },

    async setDisabled(name: string, disabled: boolean): Promise<void> {
      await call("POST", `${INPUTS}/${encodeURIComponent(name)}/${disabled ? "disable" : "enable"}`);
    },

    async deleteInput(name: string): Promise<void> {
      await call("DELETE", `${INPUTS}/${encodeURIComponent(name)}`);
      for (const arg of SECRET_ARGS) await deleteSecret(secretUsername(name, arg));
    },

    /**
     * Connection test before saving: a disabled probe input with the form's settings and
     * secrets (typed, or copied from the input being edited); splunkd's validation message
     * is the result. Nothing of the probe remains afterwards.
     */
    async testConnection(form: TenantForm, stored: StoredSecrets, existing?: string): Promise<TestResult> {
      const probe = probeName();
      const secrets = typedSecrets(form);
      if (existing) {
        for (const arg of SECRET_ARGS) {
          if (secrets[arg] === undefined && stored[arg]) secrets[arg] = await readSecret(secretUsername(existing, arg));
        }
      }
      await storeSecrets(probe, secrets);
      let created = false;
      try {
        await call("POST", INPUTS, { name: probe, ...inputArgs(form, stored), disabled: "1" });
        created = true;
        return { ok: true, message: "Connection works: a token was issued and the subscriptions were listed." };
      } catch (error) {
        if (error instanceof SplunkdRestError && error.status === 400) return { ok: false, message: error.message };
        throw error;
      } finally {
        if (created) await call("DELETE", `${INPUTS}/${encodeURIComponent(probe)}`).catch(() => undefined);
        for (const arg of SECRET_ARGS) await deleteSecret(secretUsername(probe, arg)).catch(() => undefined);
      }
    },
  };
}

export type InputsApi = ReturnType<typeof createInputsApi>;

const PROBE_PREFIX = "_connection_test_";

function probeName(): string {
  return `${PROBE_PREFIX}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

export function isProbe(name: string): boolean {
  return name.startsWith(PROBE_PREFIX);
}
