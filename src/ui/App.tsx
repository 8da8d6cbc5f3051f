// The configuration page: the tenant inputs with their status and last run, and the form to add,
// edit, enable/disable or delete one.
import React, { useCallback, useEffect, useState } from "react";
import Button from "@splunk/react-ui/Button";
import Heading from "@splunk/react-ui/Heading";
import Message from "@splunk/react-ui/Message";
import Paragraph from "@splunk/react-ui/Paragraph";
import Table from "@splunk/react-ui/Table";
import type { InputsApi } from "./inputsApi";
import { runSummaryText, statusByInput, type InputRow, type InputStatus } from "./model";
import { TenantFormView } from "./TenantFormView";

interface Notice {
  type: "success" | "error" | "info";
  text: string;
}

function StatusCell({ row, status }: { row: InputRow; status?: InputStatus }): React.JSX.Element {
  const problem = status?.problem;
  return (
    <div>
      <div>{row.disabled ? "Disabled" : "Enabled"}</div>
      {problem ? (
        <div style={{ color: problem.level === "ERROR" ? "#c0392b" : "#b7791f" }}>
          {problem.level} {problem.fields.cause}: {problem.message}
        </div>
      ) : null}
    </div>
  );
}

export function App({ api }: { api: InputsApi }): React.JSX.Element {
  const [rows, setRows] = useState<InputRow[] | undefined>();
  const [status, setStatus] = useState<Map<string, InputStatus>>(new Map());
  const [indexes, setIndexes] = useState<string[]>([]);
  const [editing, setEditing] = useState<{ row?: InputRow } | undefined>();
  const [notice, setNotice] = useState<Notice | undefined>();

  const reload = useCallback(async () => {
    try {
      setRows(await api.listInputs());
    } catch (error) {
      setNotice({ type: "error", text: `Could not list the inputs: ${(error as Error).message}` });
    }
    // Status and indexes are helpful, not essential: a role without search keeps the page usable.
    api.statusRows().then((r) => setStatus(statusByInput(r)), () => setStatus(new Map()));
    api.listIndexes().then(setIndexes, () => setIndexes([]));
  }, [api]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const act = async (what: string, work: () => Promise<void>): Promise<void> => {
    try {
      await work();
      setNotice({ type: "success", text: what });
    } catch (error) {
      setNotice({ type: "error", text: (error as Error).message });
    }
    await reload();
  };

  return (
    <div style={{ padding: "16px 24px" }} data-test="dfo365-configuration">
      <Heading level={1}>Defender for Office 365: configuration</Heading>
      <Paragraph>
        One input per Microsoft 365 tenant. Secrets go to Splunk&apos;s secret storage (storage/passwords) and never into
        inputs.conf. &quot;Test connection&quot; asks Microsoft Entra ID for a token and lists the Activity API
        subscriptions from the Splunk server, before anything is saved.
      </Paragraph>
      {notice ? (
        <div data-test="notice">
          <Message type={notice.type} onRequestRemove={() => setNotice(undefined)}>
            {notice.text}
          </Message>
        </div>
      ) : null}
      {editing ? (
        <TenantFormView
          key={editing.row?.name ?? "new"}
          api={api}
          row={editing.row}
          indexes={indexes}
          onCancel={() => setEditing(undefined)}
          onSaved={(name) => {
            setEditing(undefined);
            void act(`Saved tenant input ${name}.`, () =>
              api.markConfigured().catch((error: unknown) => {
                throw new Error(`Saved tenant input ${name}, but Splunk Web was not told that setup is done, so it may keep opening this page first: ${(error as Error).message}`);
              }),
            );
          }}
        />
      ) : (
        <>
          <div style={{ margin: "12px 0" }}>
            <Button data-test="add-tenant" appearance="primary" label="Add tenant" onClick={() => setEditing({})} />
          </div>
          {rows && rows.length === 0 ? <Paragraph>No tenant configured yet: add one to start collecting.</Paragraph> : null}
          <Table stripeRows data-test="inputs-table">
            <Table.Head>
              <Table.HeadCell>Name</Table.HeadCell>
              <Table.HeadCell>Tenant ID</Table.HeadCell>
              <Table.HeadCell>Cloud</Table.HeadCell>
              <Table.HeadCell>Content types</Table.HeadCell>
              <Table.HeadCell>Index</Table.HeadCell>
              <Table.HeadCell>Status</Table.HeadCell>
              <Table.HeadCell>Last run</Table.HeadCell>
              <Table.HeadCell>Actions</Table.HeadCell>
            </Table.Head>
            <Table.Body>
              {(rows ?? []).map((row) => (
                <Table.Row key={row.name} data-test-input={row.name}>
                  <Table.Cell>{row.name}</Table.Cell>
                  <Table.Cell>{row.args.tenant_id}</Table.Cell>
                  <Table.Cell>{row.args.cloud || "commercial"}</Table.Cell>
                  <Table.Cell>{row.args.content_types || "Audit.General"}</Table.Cell>
                  <Table.Cell>{row.args.index || "default"}</Table.Cell>
                  <Table.Cell>
                    <StatusCell row={row} status={status.get(row.name)} />
                  </Table.Cell>
                  <Table.Cell>{runSummaryText(status.get(row.name))}</Table.Cell>
                  <Table.Cell>
                    <div style={{ display: "flex", gap: 4 }}>
                      <Button appearance="secondary" label="Edit" onClick={() => setEditing({ row })} />
                      <Button
                        appearance="secondary"
                        label={row.disabled ? "Enable" : "Disable"}
                        onClick={() => void act(`${row.disabled ? "Enabled" : "Disabled"} ${row.name}.`, () => api.setDisabled(row.name, !row.disabled))}
                      />
                      <Button
                        appearance="destructive"
                        label="Delete"
                        onClick={() => {
                          if (window.confirm(`Delete the input ${row.name} and its stored secrets?`)) {
                            void act(`Deleted ${row.name}.`, () => api.deleteInput(row.name));
                          }
                        }}
                      />
                    </div>
                  </Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table>
        </>
      )}
    </div>
  );
}
