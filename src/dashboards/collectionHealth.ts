// Collection health, from what the modular input logs to splunkd.log (docs/architecture.md:
// one `run_summary` line per input and content type per run; WARN/ERROR lines carry `cause=`)
// and from the events themselves (indexing lag).
import { DashboardSpec } from "./studio";
import { PROBLEMS, RUN_SUMMARY, STARTUP_PROBLEMS } from "./searches";

const EVENTS =
  "`defender_o365_index` (eventtype=defender_o365_email OR eventtype=defender_o365_urlclick OR eventtype=defender_o365_file " +
  "OR eventtype=defender_o365_air OR eventtype=defender_o365_alert OR eventtype=defender_o365_quarantine " +
  "OR eventtype=defender_o365_submission OR eventtype=defender_o365_attacksim)";

export const collectionHealth: DashboardSpec = {
  name: "collection_health",
  title: "Collection health",
  description: "Is collection from the Office 365 Management Activity API healthy: runs, records, lag, errors and warnings per input.",
  timeRange: "-24h@h,now",
  textInputs: [{ token: "input_name", title: "Input", defaultValue: "*" }],
  tabs: [
    {
      id: "runs",
      label: "Runs",
      rows: [
        [
          {
            id: "status_table",
            title: "Inputs and content types",
            description: "Minutes since the last run summary, lag of the oldest content still owed (committed end or pending blob), blobs pending at the last run, and totals over the time range. Click a row to filter by the input.",
            type: "splunk.table",
            query: `${RUN_SUMMARY} | stats latest(_time) as last_run, count as runs, sum(records) as records, sum(duplicates_dropped) as duplicates_dropped, sum(filtered) as filtered, sum(unparsed) as unparsed, latest(pending) as pending_blobs, sum(errors) as errors, latest(lag_seconds) as last_lag_seconds, max(lag_seconds) as max_lag_seconds by input content_type | eval minutes_since_run=round((now() - last_run) / 60), last_lag_minutes=round(last_lag_seconds / 60), max_lag_minutes=round(max_lag_seconds / 60) | table input content_type minutes_since_run runs records duplicates_dropped filtered unparsed pending_blobs errors last_lag_minutes max_lag_minutes`,
            drilldown: { kind: "setToken", token: "input_name", field: "input" },
            width: 1200,
            height: 260,
          },
        ],
        [
          {
            id: "records_over_time",
            title: "Records written per content type",
            type: "splunk.column",
            query: `${RUN_SUMMARY} | timechart sum(records) as records by content_type`,
            options: { stackMode: "stacked" },
            width: 600,
            height: 300,
          },
          {
            id: "lag_over_time",
            title: "Collection lag per input (minutes)",
            description: "How far behind now the newest listed content was at the end of each run.",
            type: "splunk.line",
            query: `${RUN_SUMMARY} | eval lag_minutes=lag_seconds / 60 | timechart max(lag_minutes) as lag_minutes by input`,
            width: 600,
            height: 300,
          },
        ],
        [
          {
            id: "runs_over_time",
            title: "Runs per input",
            type: "splunk.column",
            query: `${RUN_SUMMARY} | timechart count by input`,
            width: 600,
            height: 260,
          },
          {
            id: "index_lag",
            title: "Event delay: indexed minus created (minutes, 95th percentile)",
            description: "The API delivers records 60 to 90 minutes late, some much later; alerts search by index time for this reason.",
            type: "splunk.line",
            query: `${EVENTS} | eval delay_minutes=(_indextime - _time) / 60 | timechart perc95(delay_minutes) as delay_minutes by sourcetype`,
            width: 600,
            height: 260,
          },
        ],
      ],
    },
    {
      id: "problems",
      label: "Errors and warnings",
      rows: [
        [
          {
            id: "startup_problems",
            title: "Input cannot start (splunkd ModularInputs)",
            description: "splunkd runs the input with --scheme at start; when that fails (no Node.js: cause node_missing) no input of this app runs on the host.",
            type: "splunk.table",
            query: `${STARTUP_PROBLEMS} | stats count, latest(_time) as last_seen, latest(log_text) as latest_message, values(cause) as cause by host problem | eval last_seen=strftime(last_seen, "%Y-%m-%d %H:%M:%S") | sort - last_seen`,
            width: 1200,
            height: 200,
          },
        ],
        [
          {
            id: "problems_over_time",
            title: "Errors and warnings over time by cause",
            type: "splunk.column",
            query: `${PROBLEMS} | timechart count by cause`,
            options: { stackMode: "stacked" },
            width: 800,
            height: 300,
          },
          {
            id: "problems_by_cause",
            title: "By cause",
            type: "splunk.pie",
            query: `${PROBLEMS} | stats count by cause`,
            width: 400,
            height: 300,
          },
        ],
        [
          {
            id: "problem_list",
            title: "Errors and warnings by input and cause",
            description: "The latest message says what to fix.",
            type: "splunk.table",
            query: `${PROBLEMS} | stats count, latest(_time) as last_seen, latest(log_text) as latest_message by input level cause | eval last_seen=strftime(last_seen, "%Y-%m-%d %H:%M:%S") | sort - count`,
            width: 1200,
            height: 320,
          },
        ],
        [
          {
            id: "horizon",
            title: "7-day horizon and expired content (data lost)",
            description: "Content older than the API keeps, that expired before it was fetched, or a Graph backfill span given up. Backfill cannot recover it.",
            type: "splunk.table",
            query: `${PROBLEMS} | search cause="horizon_exceeded" OR cause="content_expired" OR cause="graph_span_lost" | table _time input level cause log_text | sort - _time`,
            width: 400,
            height: 300,
          },
          {
            id: "owed",
            title: "Pending blobs and unparsed records",
            description: "A blob that keeps failing is kept as pending (its window goes on) and retried first by every run until it expires; a record that is not a JSON object is written as received with sourcetype defender_o365:unparsed.",
            type: "splunk.table",
            query: `${PROBLEMS} | search cause="blob_pending" OR cause="record_unparsed" | stats count, latest(_time) as last_seen, latest(log_text) as latest_message by input cause | eval last_seen=strftime(last_seen, "%Y-%m-%d %H:%M:%S") | sort - last_seen`,
            width: 400,
            height: 300,
          },
          {
            id: "throttling",
            title: "Throttling (AF429, HTTP 429)",
            type: "splunk.line",
            query: `${PROBLEMS} | search cause="throttled" | timechart count by input`,
            width: 400,
            height: 300,
          },
        ],
      ],
    },
  ],
};
