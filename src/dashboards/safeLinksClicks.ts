// Safe Links time-of-click records (RecordType 41, TIUrlClickData). Only blocked or warned clicks
// are logged. url_click_action, url, user, src and app come from the app's knowledge objects.
import { DashboardSpec } from "./studio";
import { URLCLICK } from "./searches";

const CLICKS = `${URLCLICK} user=$user|s$ | fillnull value="Not reported" url_click_action | \`defender_o365_clicked_through\``;

export const safeLinksClicks: DashboardSpec = {
  name: "safe_links_clicks",
  title: "Safe Links clicks",
  description: "Clicks Safe Links blocked or warned about, who clicked through a warning, which URLs and apps.",
  timeRange: "-7d@d,now",
  textInputs: [{ token: "user", title: "User", defaultValue: "*" }],
  tabs: [
    {
      id: "clicks",
      label: "Clicks",
      rows: [
        [
          {
            id: "clicks_over_time",
            title: "Clicks over time by action",
            type: "splunk.column",
            query: `${CLICKS} | timechart count by url_click_action`,
            options: { stackMode: "stacked" },
            width: 800,
            height: 300,
          },
          {
            id: "clicks_by_action",
            title: "Clicks by action",
            type: "splunk.pie",
            query: `${CLICKS} | stats count by url_click_action`,
            width: 400,
            height: 300,
          },
        ],
        [
          {
            id: "clicks_by_app",
            title: "Where the click happened",
            type: "splunk.bar",
            query: `${CLICKS} | stats count as clicks, sum(clicked_through) as clicked_through by app | sort - clicks`,
            width: 600,
            height: 300,
          },
          {
            id: "top_clickers",
            title: "Users with the most warned or blocked clicks",
            description: "Click a user to filter this dashboard by them.",
            type: "splunk.table",
            query: `${CLICKS} | stats count as clicks, sum(clicked_through) as clicked_through, dc(url) as urls by user | sort - clicked_through, -clicks | head 20`,
            drilldown: { kind: "setToken", token: "user", field: "user" },
            width: 600,
            height: 300,
          },
        ],
      ],
    },
    {
      id: "click_throughs",
      label: "Clicked through a warning",
      rows: [
        [
          {
            id: "click_through_list",
            title: "Users who clicked through a block or pending-scan page",
            description: "Click a row to open the click in Defender's Threat Explorer.",
            type: "splunk.table",
            query: `${CLICKS} | where clicked_through==1 | eval click_time=coalesce(TimeOfClick, strftime(_time, "%Y-%m-%dT%H:%M:%S")) | table click_time user url_click_action url app src SourceId EventDeepLink | sort - click_time`,
            drilldown: { kind: "deepLink", field: "EventDeepLink" },
            width: 1200,
            height: 420,
          },
        ],
      ],
    },
    {
      id: "urls",
      label: "URLs",
      rows: [
        [
          {
            id: "top_domains",
            title: "Top clicked domains",
            type: "splunk.bar",
            query: `${CLICKS} | stats count as clicks by url_domain | sort - clicks | head 15`,
            width: 500,
            height: 380,
          },
          {
            id: "top_urls",
            title: "Clicked URLs",
            type: "splunk.table",
            query: `${CLICKS} | stats count as clicks, sum(clicked_through) as clicked_through, dc(user) as users, values(url_click_action) as actions, max(_time) as last_click by url | eval last_click=strftime(last_click, "%Y-%m-%d %H:%M:%S") | sort - clicks | head 100`,
            width: 700,
            height: 380,
          },
        ],
      ],
    },
  ],
};
