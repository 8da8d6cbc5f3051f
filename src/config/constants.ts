// The names the app is known by in Splunk. splunkd, the configuration page, the dashboards and
// the build all use these exact strings, so they live here once.

/** The app folder under $SPLUNK_HOME/etc/apps and the namespace of every REST call. */
export const APP_ID = "defender_o365";
/** The modular input scheme: stanzas are `defender_o365_activity://<name>`. */
export const SCHEME = "defender_o365_activity";
/** The storage/passwords realm of every secret of every input; the app id, so admins recognise it. */
export const REALM = APP_ID;
/** What inputs.conf holds once a secret moved to storage/passwords. */
export const MASKED_SECRET = "********";
