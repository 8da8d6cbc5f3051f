// Email threats (RecordType 28, TIMailData): verdicts, detection technologies, delivery, ZAP,
// sender authentication and attachments.
import { DashboardSpec } from "./studio";
import { ATTACHMENTS, EMAIL } from "./searches";

/** The email base search narrowed by the dashboard's recipient and sender-domain boxes. */
const MAIL = `${EMAIL} recipient=$recipient|s$ src_user_domain=$sender_domain|s$`;
const MAIL_ATTACHMENTS = ATTACHMENTS.replace(EMAIL, MAIL);

export const emailThreats: DashboardSpec = {
  name: "email_threats",
  title: "Email threats",
  description: "Messages Defender for Office 365 detected: verdicts, detection technologies, delivery and ZAP, sender authentication, attachments.",
  timeRange: "-24h@h,now",
  textInputs: [
    { token: "recipient", title: "Recipient", defaultValue: "*" },
    { token: "sender_domain", title: "Sender domain", defaultValue: "*" },
  ],
  tabs: [
    {
      id: "verdicts",
      label: "Verdicts and detection",
      rows: [
        [
          {
            id: "verdicts_over_time",
            title: "Detections over time by verdict",
            type: "splunk.column",
            query: `${MAIL} | timechart count by Verdict`,
            options: { stackMode: "stacked" },
            width: 800,
            height: 300,
          },
          {
            id: "detection_type",
            title: "When it was caught",
            description: "Inline = at delivery, Delayed = after delivery, ZAP = removed by zero-hour auto purge.",
            type: "splunk.pie",
            query: `${MAIL} | stats count by DetectionType`,
            width: 400,
            height: 300,
          },
        ],
        [
          {
            id: "technologies",
            title: "Threats and detection technologies",
            type: "splunk.table",
            query: `${MAIL} | eval threat_tech=signature_extra | mvexpand threat_tech | rex field=threat_tech "^(?<threat>[^:]+):\\s*\\[(?<technologies>[^\\]]*)\\]" | eval technology=split(technologies, ",") | mvexpand technology | eval technology=trim(technology) | stats count as detections, dc(NetworkMessageId) as messages by threat technology | sort - detections`,
            width: 600,
            height: 340,
          },
          {
            id: "policies",
            title: "Policy and configured action",
            type: "splunk.table",
            query: `${MAIL} | fillnull value="(none)" Policy PolicyAction | stats count as detections by Policy PolicyAction | sort - detections`,
            width: 600,
            height: 340,
          },
        ],
      ],
    },
    {
      id: "delivery",
      label: "Delivery and ZAP",
      rows: [
        [
          {
            id: "delivery_matrix",
            title: "Delivery action by latest location",
            type: "splunk.table",
            query: `${MAIL} | stats count as detections by DeliveryAction OriginalDeliveryLocation LatestDeliveryLocation | sort - detections`,
            width: 600,
            height: 300,
          },
          {
            id: "zap_outcomes",
            title: "ZAP outcomes",
            type: "splunk.bar",
            query: `${MAIL} | eval action_result=additional_actions | mvexpand action_result | rex field=action_result "^Zap:\\s*\\[(?<zap_result>[^\\]]*)\\]" | where isnotnull(zap_result) | stats count by zap_result | sort - count`,
            width: 600,
            height: 300,
          },
        ],
        [
          {
            id: "zap_over_time",
            title: "Messages removed after delivery (ZAP) over time",
            type: "splunk.line",
            query: `${MAIL} DetectionType="ZAP" | timechart dc(NetworkMessageId) as messages by Verdict`,
            width: 1200,
            height: 260,
          },
        ],
        [
          {
            id: "messages",
            title: "Detected messages",
            description: "Click a row to open the message in Defender's Threat Explorer.",
            type: "splunk.table",
            query: `${MAIL} | stats latest(_time) as _time, latest(Verdict) as Verdict, latest(DetectionType) as DetectionType, latest(DeliveryAction) as DeliveryAction, latest(LatestDeliveryLocation) as LatestDeliveryLocation, latest(Subject) as Subject, latest(P2Sender) as sender, latest(SenderIp) as SenderIp, values(recipient) as recipient, latest(EventDeepLink) as EventDeepLink by NetworkMessageId | sort - _time | head 200`,
            drilldown: { kind: "deepLink", field: "EventDeepLink" },
            width: 1200,
            height: 420,
          },
        ],
      ],
    },
    {
      id: "authentication",
      label: "Sender authentication",
      rows: [
        [
          {
            id: "auth_results",
            title: "SPF, DKIM, DMARC and composite authentication results",
            type: "splunk.table",
            query: `${MAIL} | \`defender_o365_email_auth\` | stats count as detections by auth_method auth_result | sort auth_method, -detections`,
            width: 600,
            height: 340,
          },
          {
            id: "dmarc_fail_domains",
            title: "Sender domains failing DMARC",
            description: "Click a domain to filter this dashboard by it.",
            type: "splunk.table",
            query: `${MAIL} | \`defender_o365_email_auth\` | where auth_method=="DMARC" AND lower(auth_result)=="fail" | stats dc(NetworkMessageId) as messages, values(Verdict) as verdicts by src_user_domain | sort - messages | head 20`,
            drilldown: { kind: "setToken", token: "sender_domain", field: "src_user_domain" },
            width: 600,
            height: 340,
          },
        ],
      ],
    },
    {
      id: "attachments",
      label: "Attachments",
      rows: [
        [
          {
            id: "attachment_families",
            title: "Malware families in attachments",
            type: "splunk.bar",
            query: `${MAIL_ATTACHMENTS} | where isnotnull(attachment_family) | stats dc(NetworkMessageId) as messages by attachment_family | sort - messages | head 15`,
            width: 500,
            height: 340,
          },
          {
            id: "attachment_types",
            title: "File types of malicious attachments",
            type: "splunk.pie",
            query: `${MAIL_ATTACHMENTS} | where attachment_verdict=="1" | stats count by attachment_type`,
            width: 700,
            height: 340,
          },
        ],
        [
          {
            id: "attachment_hashes",
            title: "Attachments and hashes",
            description: "FileVerdict 1 = malicious, 0 = clean; negative values = not scanned (error, timeout, pending).",
            type: "splunk.table",
            query: `${MAIL_ATTACHMENTS} | stats count as detections, dc(NetworkMessageId) as messages, values(attachment_name) as names, values(attachment_family) as family, values(attachment_verdict) as verdict, values(recipient) as recipients by attachment_sha256 | sort - messages`,
            width: 1200,
            height: 400,
          },
        ],
      ],
    },
  ],
};
