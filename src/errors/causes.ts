// Every `cause=<code>` the app writes to splunkd.log. Dashboards, alerts, macros and docs
// search on these words, so they are one closed list: a new cause is added here, with what it
// tells the admin (test/unit/errors/causes.test.ts checks every searched cause is listed).

export const CAUSES = {
  // configuration: fix the input or the app registration
  config_invalid: "a setting of the input is missing or wrong",
  invalid_arguments: "splunkd ran the script with arguments it does not know",
  auth_failed: "Entra ID refused the credential (wrong or expired secret, unregistered certificate)",
  consent_missing: "the app registration lacks ActivityFeed.Read or its admin consent",
  tenant_not_found: "Entra ID does not know the tenant (tenant_id or cloud)",
  tenant_invalid: "the Activity API rejected the tenant (AF20010-AF20013)",
  audit_log_off: "the tenant's unified audit log is off",
  subscription_disabled: "a content type's subscription is off and auto_subscribe is 0",
  api_error: "the Activity API refused the request for another reason",
  // secrets in storage/passwords
  secret_missing: "a secret the input needs is neither in the stanza nor in storage/passwords",
  secret_unreadable: "a stored secret could not be read; the run goes on without it",
  secret_not_stored: "a clear secret could not be moved to storage/passwords (retried next run)",
  secret_not_masked: "the stanza's clear secret could not be replaced by the mask (retried next run)",
  splunkd_unavailable: "splunkd's REST API did not answer (5xx, refused, reset, timed out) while a secret was read; the next run retries",
  // the service: retried, reported once per episode
  throttled: "Microsoft's per-tenant quota: waiting before retrying",
  transient: "a 5xx, timeout or reset: retrying with backoff",
  network: "a login or API host cannot be reached; the line names the host, the OS error code, the proxy and the rule that fixes it",
  window_rejected: "the API rejected a time window; it is re-planned on the server's clock",
  clock_skew: "this host's clock differs from the API's",
  blob_broken: "a content blob broke off or did not parse; it is fetched again",
  blob_pending: "a blob still failed after its attempts: its window is committed, the blob is kept in the checkpoint and every later run tries it first",
  // data lost for good (alerts)
  horizon_exceeded: "content older than the API's 7-day horizon can no longer be listed",
  content_expired: "a listed or pending blob expired before it was fetched; the line names its span",
  graph_span_lost: "a Graph backfill span failed in too many runs without progress and was given up: the records of it not yet written are lost; the line names the span and the query",
  // records and state
  bad_record_time: "a record's time could not be read; Splunk picks its time",
  checkpoint_reset: "the checkpoint was unreadable, had a field of the wrong type or range, or was for another tenant; collecting again from backfill_hours",
  record_unparsed: "a record is not a JSON object: written once as received with sourcetype defender_o365:unparsed; the rest of its blob goes on",
  checkpoint_unreadable: "the input's checkpoint exists but could not be read (permissions, a folder in its place): the run stopped before collecting; the line names the path and the OS error",
  checkpoint_unwritable: "the input's state (checkpoint, Id store, lock) could not be written in full (disk full, read-only, short write): the run stopped at once; the line names the path and the OS error",
  already_running: "another run of this input holds its lock in checkpoint_dir: this run did nothing",
  // the Microsoft Graph backfill (graph_backfill = 1, src/graph/)
  graph_consent_missing: "the app registration lacks Microsoft Graph's AuditLogsQuery.Read.All or its admin consent",
  graph_throttled: "Microsoft Graph answered 429: waiting Retry-After before retrying",
  graph_transient: "a Graph 5xx, timeout or reset: retrying; the backfill resumes next run",
  graph_not_found: "Graph's v1.0 has no audit log query API for the tenant; beta is used",
  graph_query_failed: "Graph's audit log search failed or was cancelled; the next run searches the span again",
  graph_error: "Graph refused a backfill request for another reason; the next run retries",
  graph_page_unreadable: "a page of a Graph query's records is not the JSON Graph documents (a bad escape, cut short, another shape): the line names the query and the fault; the next run reads the page again",
  // the standalone collector's HTTP Event Collector (src/hec/)
  hec_token_invalid: "HEC refused the token (missing, disabled or unknown)",
  hec_rejected: "HEC refused the events (index not allowed, wrong URL, a channel required)",
  hec_ack_disabled: "indexer acknowledgement is off for the HEC token",
  hec_busy: "HEC is busy (503 or 429): retrying",
  hec_unreachable: "HEC cannot be reached: retrying",
  hec_ack_timeout: "HEC did not acknowledge a batch in time; it is sent again",
  // the process
  collector_error: "an unexpected fault stopped one content type; the next run resumes",
  internal_error: "an unexpected fault ended the process",
  stop_timeout: "the collector did not stop within the grace period after a stop signal",
  stdout_closed: "splunkd closed the event stream",
  node_warning: "Node.js printed a warning",
  node_missing: "the launcher found no suitable Node.js",
} as const;

export type Cause = keyof typeof CAUSES;

export function isCause(value: string): value is Cause {
  return Object.prototype.hasOwnProperty.call(CAUSES, value);
}
