// Checks on a Dashboard Studio definition beyond what Splunk's own validator does: every
// visualization's data source exists, tokens come from inputs, drilldowns name real dashboards,
// tokens and result fields, and URLs are either https or a row's field.
import { createSchemaBasedOnDicts } from "@splunk/dashboard-definition";
import { DashboardValidator } from "@splunk/dashboard-validation";
import * as viz from "@splunk/visualization-schemas";

type Json = Record<string, unknown>;

export interface DataSource {
  type: string;
  options?: { query?: string; queryParameters?: Record<string, string> };
}

export interface Visualization {
  type: string;
  dataSources?: Record<string, string>;
  eventHandlers?: { type: string; options?: Json }[];
}

export interface Input {
  type: string;
  options?: { token?: string };
}

function section<T>(def: Json, key: string): Record<string, T> {
  return (def[key] ?? {}) as Record<string, T>;
}

/**
 * Splunk's dashboard schema (@splunk/dashboard-definition's default schema, narrowed the way
 * Splunk's editor narrows it: visualization types limited to the ones we use, each one's options
 * checked against its schema from @splunk/visualization-schemas).
 */
export const DASHBOARD_SCHEMA = createSchemaBasedOnDicts({
  visualizationDict: {
    "splunk.singlevalue": viz.singleValueOptionsSchema,
    "splunk.line": viz.lineOptionsSchema,
    "splunk.area": viz.areaOptionsSchema,
    "splunk.column": viz.columnOptionsSchema,
    "splunk.bar": viz.barOptionsSchema,
    "splunk.pie": viz.pieOptionsSchema,
    "splunk.table": viz.tableOptionsSchema,
    "splunk.markdown": viz.markdownOptionsSchema,
  } as Record<string, Record<string, unknown>>,
});

/** Splunk's schema and structural checks (@splunk/dashboard-validation's DashboardValidator, headless). */
export function schemaErrors(def: Json): string[] {
  const validator = new DashboardValidator();
  const setup = validator.setSchema(DASHBOARD_SCHEMA);
  if (setup) return [`schema: ${setup.message}`];
  const result = validator.validate(def) as { instancePath?: string; message?: string }[] | null;
  return (result ?? []).map((e) => `${e.instancePath ?? ""}: ${e.message ?? JSON.stringify(e)}`);
}

export function dataSourceErrors(def: Json): string[] {
  const errors: string[] = [];
  const dataSources = section<DataSource>(def, "dataSources");
  const used = new Set<string>();
  for (const [vizId, viz] of Object.entries(section<Visualization>(def, "visualizations"))) {
    for (const dsId of Object.values(viz.dataSources ?? {})) {
      used.add(dsId);
      if (!(dsId in dataSources)) errors.push(`${vizId}: data source ${dsId} does not exist`);
    }
    if (viz.type !== "splunk.markdown" && !viz.dataSources?.primary) errors.push(`${vizId}: no primary data source`);
  }
  for (const [dsId, ds] of Object.entries(dataSources)) {
    if (!used.has(dsId)) errors.push(`${dsId}: no visualization uses it`);
    if (ds.type !== "ds.search") errors.push(`${dsId}: type ${ds.type} (only ds.search is used)`);
    if (!ds.options?.query?.trim()) errors.push(`${dsId}: empty query`);
  }
  return errors;
}

/** Token name -> the input that sets it. */
export function inputTokens(def: Json): Map<string, string> {
  const out = new Map<string, string>();
  for (const input of Object.values(section<Input>(def, "inputs"))) if (input.options?.token) out.set(input.options.token, input.type);
  return out;
}

const TOKEN = /\$([^$\s]+)\$/g;

/** Queries may only use text-input tokens; the time range comes from the time picker's queryParameters. */
export function queryTokenErrors(def: Json): string[] {
  const errors: string[] = [];
  const inputs = inputTokens(def);
  const time = [...inputs].find(([, type]) => type === "input.timerange")?.[0];
  if (!time) errors.push("no time range input");
  const params = (section<Json>(def, "defaults").dataSources as Record<string, DataSource> | undefined)?.["ds.search"]?.options?.queryParameters;
  if (params?.earliest !== `$${time}.earliest$` || params?.latest !== `$${time}.latest$`) {
    errors.push("searches do not take their time range from the time picker");
  }
  for (const [dsId, ds] of Object.entries(section<DataSource>(def, "dataSources"))) {
    for (const m of (ds.options?.query ?? "").matchAll(TOKEN)) {
      const [name, filter] = m[1].split("|");
      if (inputs.get(name) !== "input.text") errors.push(`${dsId}: token $${m[1]}$ is set by no text input`);
      // |s quotes the value and escapes its quotes: user text cannot break the search.
      if (filter !== "s") errors.push(`${dsId}: token $${m[1]}$ goes into SPL without the |s filter`);
    }
  }
  return errors;
}

/** Fills `$token$` references so the SPL can be linted: `$x|s$` becomes a quoted string. */
export function withTokensFilled(query: string): string {
  return query.replace(TOKEN, (_all, token: string) => (token.endsWith("|s") ? '"*"' : "*"));
}

export interface DrilldownContext {
  app: string;
  /** every dashboard of the app -> its input tokens */
  views: Map<string, Map<string, string>>;
  /** fields of a data source's results; null when unknowable */
  resultFields: (dsId: string) => Set<string> | null;
}

function rowField(value: unknown, pattern: RegExp): string | undefined {
  return typeof value === "string" ? pattern.exec(value)?.[1] : undefined;
}

const ROW_TOKEN = /^\$row\.(.+)\.value\$$/;
const ROW_KEY = /^row\.(.+)\.value$/;

export function drilldownErrors(def: Json, ctx: DrilldownContext): string[] {
  const errors: string[] = [];
  const own = inputTokens(def);
  for (const [vizId, viz] of Object.entries(section<Visualization>(def, "visualizations"))) {
    const dsId = viz.dataSources?.primary ?? "";
    const fields = ctx.resultFields(dsId);
    const needField = (field: string | undefined, what: string) => {
      if (!field) errors.push(`${vizId}: ${what} is not a $row.<field>.value$ token`);
      else if (!fields) errors.push(`${vizId}: ${what} reads row field ${field} but ${dsId}'s result fields are unknowable`);
      else if (!fields.has(field)) errors.push(`${vizId}: ${what} reads row field ${field}, which ${dsId} does not return`);
    };
    for (const handler of viz.eventHandlers ?? []) {
      const o = handler.options ?? {};
      switch (handler.type) {
        case "drilldown.customUrl": {
          const url = o.url;
          if (typeof url === "string" && /^https:\/\/[^\s$]+$/.test(url)) break;
          needField(rowField(url, ROW_TOKEN), `url ${String(url)}`);
          if (o.newTab !== true) errors.push(`${vizId}: links out of Splunk should open in a new tab`);
          break;
        }
        case "drilldown.linkToDashboard": {
          const target = ctx.views.get(String(o.dashboard));
          if (o.app !== ctx.app) errors.push(`${vizId}: links to app ${String(o.app)}`);
          if (!target) {
            errors.push(`${vizId}: links to dashboard ${String(o.dashboard)}, which the app does not have`);
            break;
          }
          for (const t of (o.tokens ?? []) as { token: string; value: string }[]) {
            const [name, part] = t.token.split(/\.(?=earliest$|latest$)/);
            const type = target.get(name);
            if (!type || (part && type !== "input.timerange")) errors.push(`${vizId}: ${String(o.dashboard)} has no input token ${t.token}`);
            const passed = /^\$([^$]+)\$$/.exec(t.value)?.[1] ?? "";
            const [ownName, ownPart] = passed.split(/\.(?=earliest$|latest$)/);
            if (ownPart) {
              if (own.get(ownName) !== "input.timerange") errors.push(`${vizId}: passes ${t.value}, not a time input of this dashboard`);
            } else needField(rowField(t.value, ROW_TOKEN), `token ${t.token}`);
          }
          break;
        }
        case "drilldown.setToken":
          for (const t of (o.tokens ?? []) as { token: string; key?: string }[]) {
            if (own.get(t.token) !== "input.text") errors.push(`${vizId}: sets token ${t.token}, which no text input of this dashboard shows`);
            needField(rowField(t.key, ROW_KEY), `key ${String(t.key)}`);
          }
          break;
        default:
          errors.push(`${vizId}: unexpected event handler ${handler.type}`);
      }
    }
  }
  return errors;
}
