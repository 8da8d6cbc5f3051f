// Builds Dashboard Studio definitions (the JSON inside `<dashboard version="2">`) from a compact
// description: tabs of rows of panels. Splunk's format (docs/reference/splunk-platform.md 6.2): the XML
// envelope carries <label>, <description> and the definition in CDATA; the definition has
// dataSources, visualizations, inputs, defaults and a tabbed layout
// ({ tabs: { items: [{ layoutId, label }] }, layoutDefinitions: { id: { type: "grid", structure } } }).

import { APP_ID } from "../config/constants";

export type ViewName = "overview" | "email_threats" | "safe_links_clicks" | "files" | "investigations" | "collection_health";

export type VizType =
  | "splunk.singlevalue"
  | "splunk.line"
  | "splunk.area"
  | "splunk.column"
  | "splunk.bar"
  | "splunk.pie"
  | "splunk.table"
  | "splunk.markdown";

/** What a click does. */
export type Drilldown =
  /** open the Defender portal page whose address is in a field of the clicked row */
  | { kind: "deepLink"; field: string }
  /** open another of the app's dashboards, passing row values as its input tokens */
  | { kind: "dashboard"; view: ViewName; tokens?: { token: string; field: string }[] }
  /** set a token of this dashboard from the clicked row (filters other panels) */
  | { kind: "setToken"; token: string; field: string };

export interface Panel {
  id: string;
  title: string;
  description?: string;
  type: VizType;
  /** SPL; `$token$` references are filled from inputs, tokens and the time picker */
  query?: string;
  /** markdown text for splunk.markdown panels */
  markdown?: string;
  options?: Record<string, unknown>;
  drilldown?: Drilldown;
  /** width in grid units of a 1200-wide canvas */
  width: number;
  height: number;
}

export interface Tab {
  id: string;
  label: string;
  rows: Panel[][];
}

export interface TextInput {
  token: string;
  title: string;
  /** the value that matches everything */
  defaultValue: string;
}

export interface DashboardSpec {
  name: ViewName;
  title: string;
  description: string;
  /** default of the time picker, `earliest,latest` */
  timeRange: string;
  textInputs?: TextInput[];
  tabs: Tab[];
}

export const TIME_TOKEN = "global_time";
const CANVAS_WIDTH = 1200;

type Json = Record<string, unknown>;

function eventHandlers(d: Drilldown): Json[] {
  switch (d.kind) {
    case "deepLink":
      return [{ type: "drilldown.customUrl", options: { url: `$row.${d.field}.value$`, newTab: true } }];
    case "dashboard":
      return [{
        type: "drilldown.linkToDashboard",
        options: {
          app: APP_ID,
          dashboard: d.view,
          newTab: false,
          tokens: [
            { token: TIME_TOKEN + ".earliest", value: `$${TIME_TOKEN}.earliest$` },
            { token: TIME_TOKEN + ".latest", value: `$${TIME_TOKEN}.latest$` },
            ...(d.tokens ?? []).map((t) => ({ token: t.token, value: `$row.${t.field}.value$` })),
          ],
        },
      }];
    case "setToken":
      return [{ type: "drilldown.setToken", options: { tokens: [{ token: d.token, key: `row.${d.field}.value` }] } }];
  }
}

function visualization(panel: Panel): Json {
  const viz: Json = { type: panel.type, title: panel.title };
  if (panel.description) viz.description = panel.description;
  if (panel.type === "splunk.markdown") viz.options = { markdown: panel.markdown ?? "", ...panel.options };
  else {
    viz.dataSources = { primary: `ds_${panel.id}` };
    if (panel.options) viz.options = panel.options;
  }
  if (panel.drilldown) viz.eventHandlers = eventHandlers(panel.drilldown);
  return viz;
}

/** The Dashboard Studio definition for one dashboard. */
export function definition(spec: DashboardSpec): Json {
  const dataSources: Json = {};
  const visualizations: Json = {};
  const layoutDefinitions: Json = {};
  for (const tab of spec.tabs) {
    const structure: Json[] = [];
    let y = 0;
    for (const row of tab.rows) {
      const used = row.reduce((sum, p) => sum + p.width, 0);
      // A grid layout's rows span the canvas exactly; a gap or an overflow would be re-flowed by Splunk.
      if (used !== CANVAS_WIDTH) throw new Error(`${spec.name}/${tab.id}: a row is ${used} wide, not ${CANVAS_WIDTH}`);
      let x = 0;
      for (const panel of row) {
        const vizId = `viz_${panel.id}`;
        if (vizId in visualizations) throw new Error(`${spec.name}: panel id ${panel.id} used twice`);
        visualizations[vizId] = visualization(panel);
        if (panel.query) dataSources[`ds_${panel.id}`] = { type: "ds.search", name: panel.title, options: { query: panel.query } };
        structure.push({ item: vizId, type: "block", position: { x, y, w: panel.width, h: panel.height } });
        x += panel.width;
      }
      y += Math.max(...row.map((p) => p.height));
    }
    layoutDefinitions[`layout_${tab.id}`] = { type: "grid", structure, options: { width: CANVAS_WIDTH, height: y } };
  }
  const [earliest, latest] = spec.timeRange.split(",");
  const inputs: Json = {
    input_time: { type: "input.timerange", title: "Time range", options: { token: TIME_TOKEN, defaultValue: `${earliest},${latest}` } },
  };
  for (const input of spec.textInputs ?? []) {
    inputs[`input_${input.token}`] = { type: "input.text", title: input.title, options: { token: input.token, defaultValue: input.defaultValue } };
  }
  return {
    title: spec.title,
    description: spec.description,
    inputs,
    defaults: {
      dataSources: {
        "ds.search": { options: { queryParameters: { earliest: `$${TIME_TOKEN}.earliest$`, latest: `$${TIME_TOKEN}.latest$` } } },
      },
    },
    dataSources,
    visualizations,
    layout: {
      globalInputs: Object.keys(inputs),
      tabs: { items: spec.tabs.map((t) => ({ layoutId: `layout_${t.id}`, label: t.label })) },
      layoutDefinitions,
    },
  };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The view file Splunk loads from default/data/ui/views/<name>.xml. */
export function renderXml(spec: DashboardSpec): string {
  // `]]>` cannot appear inside CDATA; JSON lets us write `>` as \u003e instead.
  const json = JSON.stringify(definition(spec), null, 2).replace(/]]>/g, "]]\\u003e");
  return [
    '<dashboard version="2" theme="light">',
    `  <label>${escapeXml(spec.title)}</label>`,
    `  <description>${escapeXml(spec.description)}</description>`,
    `  <definition><![CDATA[${json}]]></definition>`,
    '  <meta type="hiddenElements"><![CDATA[{"hideEdit":false,"hideOpenInSearch":false,"hideExport":false}]]></meta>',
    "</dashboard>",
    "",
  ].join("\n");
}
