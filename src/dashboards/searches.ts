// SPL shared by the dashboards: the base search of each record family and the few pipelines more
// than one panel uses. Every search starts from the `defender_o365_index` macro and an eventtype.

const base = (eventtype: string) => "`defender_o365_index` eventtype=" + eventtype;

/** Email detections: eventtype defender_o365_email_malware holds those with a malicious attachment (CIM Malware). */
export const EMAIL = "`defender_o365_index` (eventtype=defender_o365_email OR eventtype=defender_o365_email_malware)";
export const URLCLICK = base("defender_o365_urlclick");
export const FILE = base("defender_o365_file");
export const AIR = base("defender_o365_air");
export const ALERT = base("defender_o365_alert");

/** Phish or malware whose latest record still places it in a mailbox's inbox (no ZAP, no admin action). */
export const DELIVERED_MALICIOUS =
  `${EMAIL} Verdict IN ("Phish", "Malware") ` +
  "| stats latest(LatestDeliveryLocation) as location, latest(Verdict) as Verdict, latest(Subject) as Subject, " +
  "latest(P2Sender) as sender, values(recipient) as recipient, latest(EventDeepLink) as EventDeepLink, latest(_time) as _time " +
  "by NetworkMessageId " +
  '| where location=="Inbox"';

/** Latest state of every AIR investigation seen in the time range. */
export const AIR_LATEST =
  `${AIR} | \`defender_o365_air_fields\` ` +
  "| stats latest(Status) as Status, latest(InvestigationType) as InvestigationType, latest(InvestigationName) as InvestigationName, " +
  "min(started) as started, max(running_seconds) as running_seconds, latest(air_link) as air_link by InvestigationId " +
  '| eval started=strftime(started, "%Y-%m-%d %H:%M:%S")';

/** Open = still running or waiting (not remediated, not finished, not terminated). */
export const OPEN_STATUS = 'match(Status, "(?i)^(running|pending|investigation started|threats found)")';

/** One row per attachment of a TIMailData record: each attachment's JSON object from props (not spath on _raw, bound by auto-KV's 5,000 bytes). */
export const ATTACHMENTS =
  `${EMAIL} file_name=* ` +
  "| eval attachment=attachments | mvexpand attachment " +
  "| spath input=attachment path=FileName output=attachment_name " +
  "| spath input=attachment path=SHA256 output=attachment_sha256 " +
  "| spath input=attachment path=FileType output=attachment_type " +
  "| spath input=attachment path=FileVerdict output=attachment_verdict " +
  "| spath input=attachment path=MalwareFamily output=attachment_family";

/** The run summaries the modular input logs at the end of each run, filtered by the input text box. */
export const RUN_SUMMARY = '`defender_o365_run_summary` | search input=$input_name|s$';
/** splunkd's own WARN and ERROR lines (component ModularInputs) about starting this scheme. */
export const STARTUP_PROBLEMS = "`defender_o365_startup_problems`";
/** WARN and ERROR lines of the modular input, with their `cause`. */
export const PROBLEMS = '`defender_o365_collection_problems` | search input=$input_name|s$';
