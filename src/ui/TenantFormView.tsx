// Add or edit one tenant input: every design argument, the --validate-arguments checks as the
// admin types, "Test connection" (through splunkd's validation of a probe input) and Save.
import React, { useEffect, useMemo, useState } from "react";
import Button from "@splunk/react-ui/Button";
import ControlGroup from "@splunk/react-ui/ControlGroup";
import Heading from "@splunk/react-ui/Heading";
import Message from "@splunk/react-ui/Message";
import Multiselect from "@splunk/react-ui/Multiselect";
import RadioBar from "@splunk/react-ui/RadioBar";
import Select from "@splunk/react-ui/Select";
import Switch from "@splunk/react-ui/Switch";
import Text from "@splunk/react-ui/Text";
import WaitSpinner from "@splunk/react-ui/WaitSpinner";
import { CLOUD_NAMES } from "../auth/clouds";
import { CONTENT_TYPES } from "../config/inputConfig";
import type { InputsApi, TestResult } from "./inputsApi";
import {
  emptyForm,
  formFromInput,
  hasErrors,
  validateForm,
  type AuthMode,
  type FormField,
  type InputRow,
  type StoredSecrets,
  type TenantForm,
} from "./model";

const CLOUD_LABELS: Record<string, string> = {
  commercial: "Commercial (worldwide)",
  gcc: "GCC",
  gcc_high: "GCC High",
  dod: "DoD",
};

export interface TenantFormProps {
  api: InputsApi;
  /** The input being edited; undefined to add a tenant. */
  row?: InputRow;
  indexes: string[];
  onSaved(name: string): void;
  onCancel(): void;
}

type TextField = Exclude<FormField, "cloud" | "content_types" | "auto_subscribe" | "graph_backfill">;

export function TenantFormView({ api, row, indexes, onSaved, onCancel }: TenantFormProps): React.JSX.Element {
  const initial = useMemo(() => (row ? formFromInput(row) : { form: emptyForm(), stored: {} }), [row]);
  const [form, setForm] = useState<TenantForm>(initial.form);
  const [stored, setStored] = useState<StoredSecrets>(initial.stored);
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState<"" | "test" | "save">("");
  const [result, setResult] = useState<TestResult | undefined>();
  useEffect(() => {
    // The certificate and proxy passwords show in no stanza: ask storage/passwords.
    if (row) api.storedSecrets(row.name).then((s) => setStored((prev) => ({ ...prev, ...s })), () => undefined);
  }, [api, row]);
  const errors = useMemo(() => validateForm(form, stored), [form, stored]);
  const shown = touched ? errors : { fields: {}, general: [] };

  const update = <K extends keyof TenantForm>(key: K, value: TenantForm[K]): void => {
    setForm((f) => ({ ...f, [key]: value }));
    setResult(undefined);
  };

  const run = async (kind: "test" | "save"): Promise<void> => {
    setTouched(true);
    if (hasErrors(errors)) return;
    setBusy(kind);
    setResult(undefined);
    try {
      if (kind === "test") setResult(await api.testConnection(form, stored, row?.name));
      else {
        await api.saveInput(form, stored, !row);
        onSaved(form.name.trim());
      }
    } catch (error) {
      setResult({ ok: false, message: (error as Error).message });
    } finally {
      setBusy("");
    }
  };

  const text = (field: TextField, label: string, help: string, opts: { password?: boolean; required?: boolean; placeholder?: string } = {}) => (
    <ControlGroup label={label} help={help} error={shown.fields[field]} required={opts.required} data-test-field={field}>
      <Text
        inputId={`dfo-${field}`}
        type={opts.password ? "password" : "text"}
        autoComplete={opts.password ? "new-password" : "off"}
        value={form[field as keyof TenantForm] as string}
        placeholder={opts.placeholder}
        disabled={field === "name" && !!row}
        onChange={(_e, { value }) => update(field as keyof TenantForm, value as never)}
      />
    </ControlGroup>
  );
  const keep = (arg: "client_secret" | "certificate_password" | "proxy_password", what: string): string =>
    stored[arg] ? `A ${what} is stored in Splunk's secret storage; leave empty to keep it.` : "";

  return (
    <div data-test="tenant-form" style={{ maxWidth: 760 }}>
      <Heading level={2}>{row ? `Edit tenant ${row.name}` : "Add a tenant"}</Heading>
      {text("name", "Name", "A short name for this input, e.g. contoso. It names the input and its secrets.", { required: true })}
      {text("tenant_id", "Tenant ID", "Directory (tenant) ID GUID: Microsoft Entra admin center > Identity > Overview.", { required: true })}
      {text("client_id", "Client ID", "Application (client) ID GUID of the app registration granted ActivityFeed.Read with admin consent.", { required: true })}
      <ControlGroup label="Authentication" help="A client secret, or a certificate whose PEM file (certificate and private key) is on the collecting host.">
        <RadioBar value={form.auth} onChange={(_e, { value }) => update("auth", value as AuthMode)}>
          <RadioBar.Option value="secret" label="Client secret" />
          <RadioBar.Option value="certificate" label="Certificate" />
        </RadioBar>
      </ControlGroup>
      {form.auth === "secret"
        ? text("client_secret", "Client secret", `The secret's Value (not its ID). Saved in Splunk's secret storage (storage/passwords), never in inputs.conf. ${keep("client_secret", "secret")}`, { password: true })
        : [
            <React.Fragment key="cert">{text("certificate_path", "Certificate path", "Path of the PEM file with the certificate and its private key on the collecting host.")}</React.Fragment>,
            <React.Fragment key="certpw">{text("certificate_password", "Certificate password", `Only if the private key is encrypted. Saved in storage/passwords. ${keep("certificate_password", "password")}`, { password: true })}</React.Fragment>,
          ]}
      <ControlGroup label="Cloud" help="Sets the Management API host, login host and token scope." data-test-field="cloud">
        <Select value={form.cloud} onChange={(_e, { value }) => update("cloud", value as TenantForm["cloud"])}>
          {CLOUD_NAMES.map((c) => (
            <Select.Option key={c} label={CLOUD_LABELS[c] ?? c} value={c} />
          ))}
        </Select>
      </ControlGroup>
      <ControlGroup label="Content types" help="Defender for Office 365 detections arrive in Audit.General." error={shown.fields.content_types} data-test-field="content_types">
        <Multiselect values={form.content_types} onChange={(_e, { values }) => update("content_types", values.map(String))}>
          {CONTENT_TYPES.map((c) => (
            <Multiselect.Option key={c} label={c} value={c} />
          ))}
        </Multiselect>
      </ControlGroup>
      <ControlGroup label="Index" help="Where events go. Remember to point the defender_o365_index macro at it." data-test-field="index">
        <Select value={form.index} onChange={(_e, { value }) => update("index", String(value))}>
          <Select.Option label="Default index" value="" />
          {indexes.map((i) => (
            <Select.Option key={i} label={i} value={i} />
          ))}
        </Select>
      </ControlGroup>
      {text("interval", "Interval (seconds)", "Seconds between runs; each run catches up to now.")}
      {text("backfill_hours", "Backfill hours", "History collected on the first run, 1 to 167; up to 4320 with Backfill from Microsoft Graph.")}
      {text("record_types", "Record types", "Optional comma list of record type numbers or names to keep, e.g. 28,41,47. Empty keeps all.")}
      {text("max_concurrency", "Maximum concurrency", "Content blobs downloaded in parallel, 1 to 32.")}
      {text("publisher_id", "Publisher ID", "GUID sent as PublisherIdentifier (default: the tenant ID).")}
      {text("proxy_url", "Proxy URL", "Optional http(s)://[user@]host:port.")}
      {form.proxy_url ? text("proxy_password", "Proxy password", `Saved in storage/passwords. ${keep("proxy_password", "password")}`, { password: true }) : null}
      {text("api_url", "API URL override", "Advanced: https://host[:port] replacing the cloud's Management API host.")}
      {text("authority_url", "Authority URL override", "Advanced: https://host[:port] replacing the cloud's login host.")}
      <ControlGroup
        label="Backfill from Microsoft Graph"
        help="Collect what is older than the Activity API's 7 days (a long first backfill, an input stopped for over a week) from Microsoft Graph's audit log search. Needs the Microsoft Graph application permission AuditLogsQuery.Read.All with admin consent on the same app registration; not offered for GCC High or DoD."
        error={shown.fields.graph_backfill}
        data-test-field="graph_backfill"
      >
        <Switch appearance="toggle" selected={form.graph_backfill} onClick={() => update("graph_backfill", !form.graph_backfill)} />
      </ControlGroup>
      {form.graph_backfill ? text("graph_url", "Graph URL override", "Advanced: https://host[:port] replacing https://graph.microsoft.com.") : null}
      <ControlGroup label="Start subscriptions" help="Start missing or disabled Activity API subscriptions for the chosen content types.">
        <Switch appearance="toggle" selected={form.auto_subscribe} onClick={() => update("auto_subscribe", !form.auto_subscribe)} />
      </ControlGroup>
      {shown.general.map((m) => (
        <Message key={m} type="error">
          {m}
        </Message>
      ))}
      {result ? (
        <div data-test="test-result" data-ok={String(result.ok)}>
          <Message type={result.ok ? "success" : "error"}>{result.message}</Message>
        </div>
      ) : null}
      <div style={{ display: "flex", gap: 8, marginTop: 16, alignItems: "center" }}>
        <Button data-test="test-connection" label="Test connection" disabled={!!busy} onClick={() => void run("test")} />
        <Button data-test="save" appearance="primary" label="Save" disabled={!!busy} onClick={() => void run("save")} />
        <Button appearance="secondary" label="Cancel" disabled={!!busy} onClick={onCancel} />
        {busy ? <WaitSpinner size="medium" /> : null}
      </div>
    </div>
  );
}
