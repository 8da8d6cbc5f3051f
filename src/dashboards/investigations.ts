// Automated investigation and response (RecordTypes 64, 86, 89) and Security & Compliance alerts
// (RecordType 40): status, pending actions, entities, durations.
import { DashboardSpec } from "./studio";
import { AIR, AIR_LATEST, ALERT, OPEN_STATUS } from "./searches";

/** One row per remediation action of an investigation record. */
const ACTIONS =
  `${AIR} | \`defender_o365_air_fields\` ` +
  "| spath path=Actions{} output=air_action | mvexpand air_action " +
  "| spath input=air_action path=ActionId output=action_id " +
  "| spath input=air_action path=ActionType output=action_type " +
  "| spath input=air_action path=ActionStatus output=action_status " +
  "| spath input=air_action path=PendingType output=pending_type";

/** One row per entity of the alert JSON an investigation carries in `Data`. */
const ENTITIES =
  `${AIR} ` +
  "| spath input=Data path=Entities{} output=entity | mvexpand entity " +
  "| spath input=entity path=Type output=entity_type " +
  "| spath input=entity path=Upn output=entity_upn " +
  "| spath input=entity path=Url output=entity_url " +
  "| spath input=entity path=Address output=entity_address " +
  "| spath input=entity path=Subject output=entity_subject " +
  "| spath input=entity path=Name output=entity_name " +
  "| eval entity_value=coalesce(entity_upn, entity_url, entity_address, entity_subject, entity_name)";

export const investigations: DashboardSpec = {
  name: "investigations",
  title: "Investigations and alerts",
  description: "Automated investigations (AIR) and Security & Compliance alerts: status, pending actions, entities, durations.",
  timeRange: "-7d@d,now",
  tabs: [
    {
      id: "investigations",
      label: "Investigations",
      rows: [
        [
          {
            id: "status",
            title: "Investigations by latest status",
            type: "splunk.pie",
            query: `${AIR_LATEST} | stats count by Status`,
            width: 400,
            height: 300,
          },
          {
            id: "types",
            title: "Investigations by type and status",
            type: "splunk.table",
            query: `${AIR_LATEST} | stats count as investigations by InvestigationType Status | sort - investigations`,
            width: 400,
            height: 300,
          },
          {
            id: "durations",
            title: "Running time by type (minutes)",
            type: "splunk.table",
            query: `${AIR_LATEST} | eval minutes=round(running_seconds / 60, 1) | stats count as investigations, median(minutes) as median_minutes, perc90(minutes) as p90_minutes, max(minutes) as max_minutes by InvestigationType`,
            width: 400,
            height: 300,
          },
        ],
        [
          {
            id: "open_list",
            title: "Open investigations",
            description: "Click a row to open the investigation in Defender.",
            type: "splunk.table",
            query: `${AIR_LATEST} | where ${OPEN_STATUS} | table started InvestigationName InvestigationType Status running_seconds air_link | sort - started`,
            drilldown: { kind: "deepLink", field: "air_link" },
            width: 1200,
            height: 360,
          },
        ],
      ],
    },
    {
      id: "actions",
      label: "Pending actions and entities",
      rows: [
        [
          {
            id: "pending_actions",
            title: "Remediation actions waiting for approval",
            description: "Latest state of each action. Click a row to approve or reject it in Defender.",
            type: "splunk.table",
            query: `${ACTIONS} | stats latest(action_status) as action_status, latest(action_type) as action_type, latest(pending_type) as pending_type, latest(InvestigationName) as InvestigationName, min(_time) as first_seen, latest(air_link) as air_link by action_id | where action_status=="Pending" | eval waiting_hours=round((now() - first_seen) / 3600, 1) | table InvestigationName action_type pending_type waiting_hours air_link | sort - waiting_hours`,
            drilldown: { kind: "deepLink", field: "air_link" },
            width: 1200,
            height: 320,
          },
        ],
        [
          {
            id: "action_outcomes",
            title: "Action outcomes by type",
            type: "splunk.table",
            query: `${ACTIONS} | stats latest(action_status) as action_status, latest(action_type) as action_type by action_id | stats count as actions by action_type action_status | sort - actions`,
            width: 500,
            height: 340,
          },
          {
            id: "entities",
            title: "Entities in investigations",
            type: "splunk.table",
            query: `${ENTITIES} | where isnotnull(entity_value) | stats dc(InvestigationId) as investigations by entity_type entity_value | sort - investigations | head 50`,
            width: 700,
            height: 340,
          },
        ],
      ],
    },
    {
      id: "alerts",
      label: "Alerts",
      rows: [
        [
          {
            id: "alerts_over_time",
            title: "Alerts over time by severity",
            type: "splunk.column",
            query: `${ALERT} | stats earliest(_time) as _time, latest(severity) as severity by id | timechart count by severity`,
            options: { stackMode: "stacked" },
            width: 800,
            height: 300,
          },
          {
            id: "alert_status",
            title: "Alerts by latest status",
            type: "splunk.pie",
            query: `${ALERT} | stats latest(Status) as Status by id | stats count by Status`,
            width: 400,
            height: 300,
          },
        ],
        [
          {
            id: "alert_list",
            title: "Alerts",
            type: "splunk.table",
            query: `${ALERT} | stats earliest(_time) as _time, latest(signature) as signature, latest(severity) as severity, latest(Status) as Status, latest(Category) as Category, values(AlertEntityId) as entities by id | sort - _time | head 200`,
            width: 1200,
            height: 420,
          },
        ],
      ],
    },
  ],
};
