// Malicious files Safe Attachments for SharePoint, OneDrive and Teams found
// (RecordType 47, AtpDetection). app is the workload; site comes from the `defender_o365_file_site` macro.
import { DashboardSpec } from "./studio";
import { FILE } from "./searches";

const FILES = `${FILE} | \`defender_o365_file_site\``;

export const files: DashboardSpec = {
  name: "files",
  title: "Malicious files",
  description: "Malicious files found in SharePoint, OneDrive and Teams: by app, malware family, site and who last modified them.",
  timeRange: "-7d@d,now",
  tabs: [
    {
      id: "detections",
      label: "Detections",
      rows: [
        [
          {
            id: "files_over_time",
            title: "Detections over time by app",
            type: "splunk.column",
            query: `${FILES} | timechart dc(file_hash) as files by app`,
            options: { stackMode: "stacked" },
            width: 800,
            height: 300,
          },
          {
            id: "files_by_workload",
            title: "Files by app",
            type: "splunk.pie",
            query: `${FILES} | stats dc(file_hash) as files by app`,
            width: 400,
            height: 300,
          },
        ],
        [
          {
            id: "families",
            title: "Malware families",
            type: "splunk.bar",
            query: `${FILES} | fillnull value="(not named)" malware_family | stats dc(file_hash) as files by malware_family | sort - files | head 15`,
            width: 500,
            height: 340,
          },
          {
            id: "detection_methods",
            title: "Detection methods",
            type: "splunk.table",
            query: `${FILES} | stats count as detections, dc(file_hash) as files by DetectionMethod app | sort - detections`,
            width: 700,
            height: 340,
          },
        ],
      ],
    },
    {
      id: "locations",
      label: "Sites and files",
      rows: [
        [
          {
            id: "sites",
            title: "Sites, libraries and OneDrives with malicious files",
            type: "splunk.table",
            query: `${FILES} | stats dc(file_hash) as files, count as detections, values(malware_family) as families, max(_time) as last_detection by site app | eval last_detection=strftime(last_detection, "%Y-%m-%d %H:%M:%S") | sort - files`,
            width: 1200,
            height: 320,
          },
        ],
        [
          {
            id: "file_list",
            title: "Malicious files",
            description: "Click a row to open the detection in Defender.",
            type: "splunk.table",
            query: `${FILES} | stats latest(_time) as _time, latest(file_name) as file_name, latest(file_path) as file_path, latest(malware_family) as family, latest(app) as workload, latest(LastModifiedBy) as last_modified_by, latest(EventDeepLink) as EventDeepLink by file_hash document_id | sort - _time | head 200`,
            drilldown: { kind: "deepLink", field: "EventDeepLink" },
            width: 1200,
            height: 420,
          },
        ],
      ],
    },
    {
      id: "people",
      label: "People",
      rows: [
        [
          {
            id: "modifiers",
            title: "Who last modified malicious files",
            description: "Often the uploader; a user here may have a compromised device or account.",
            type: "splunk.table",
            query: `${FILES} | stats dc(file_hash) as files, values(file_name) as file_names, values(app) as workloads, max(_time) as last_detection by LastModifiedBy | eval last_detection=strftime(last_detection, "%Y-%m-%d %H:%M:%S") | sort - files | head 50`,
            width: 1200,
            height: 420,
          },
        ],
      ],
    },
  ],
};
