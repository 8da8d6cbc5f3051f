import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { DASHBOARDS, viewPath } from "../../../src/dashboards/index";
import { APP_ID as APP } from "../../../src/config/constants";
import { definition, renderXml } from "../../../src/dashboards/studio";
import { analyseSpl, SplContext } from "../../lib/splLint";
import { APP_ROOT, loadContext } from "./appContext";
import {
  DataSource,
  dataSourceErrors,
  drilldownErrors,
  inputTokens,
  queryTokenErrors,
  schemaErrors,
  withTokensFilled,
} from "./dashboardChecks";
import { navViews, readView, ViewFile } from "./viewFile";

const VIEWS_DIR = path.join(APP_ROOT, "default", "data", "ui", "views");
const EXPECTED_VIEWS = ["overview", "email_threats", "safe_links_clicks", "files", "investigations", "collection_health"];

function loadViews(): Map<string, ViewFile> {
  return new Map(EXPECTED_VIEWS.map((name) => [name, readView(fs.readFileSync(path.join(VIEWS_DIR, `${name}.xml`), "utf8"))]));
}

function dataSources(def: Record<string, unknown>): [string, DataSource][] {
  return Object.entries((def.dataSources ?? {}) as Record<string, DataSource>);
}

describe("dashboards", () => {
  let views: Map<string, ViewFile>;
  let ctx: SplContext;
  before(() => {
    views = loadViews();
    ctx = loadContext();
  });

  it("ships the six views, each the output of src/dashboards (run `npx tsx scripts/generate-dashboards.ts`)", () => {
    assert.deepEqual(DASHBOARDS.map((d) => d.name), EXPECTED_VIEWS);
    for (const spec of DASHBOARDS) {
      assert.equal(fs.readFileSync(viewPath(APP_ROOT, spec), "utf8"), renderXml(spec), `${spec.name}.xml is stale`);
    }
  });

  it("are Dashboard Studio files: version 2, label, description, tabbed layout", () => {
    for (const [name, view] of views) {
      assert.equal(view.version, "2", name);
      assert.ok(view.label && view.description, `${name}: label and description`);
      const layout = view.definition.layout as { tabs?: { items: unknown[] } };
      assert.ok(layout.tabs && layout.tabs.items.length >= 1, `${name}: tabs`);
    }
  });

  it("pass Splunk's dashboard schema and structural checks", () => {
    for (const [name, view] of views) assert.deepEqual(schemaErrors(view.definition), [], name);
  });

  it("give every visualization an existing data source, and every data source a visualization", () => {
    for (const [name, view] of views) assert.deepEqual(dataSourceErrors(view.definition), [], name);
  });

  it("take the time range from a time picker and other tokens from inputs", () => {
    for (const [name, view] of views) assert.deepEqual(queryTokenErrors(view.definition), [], name);
  });

  it("run SPL that passes the SPL lint (commands, quotes, macros, lookups, fields)", () => {
    for (const [name, view] of views) {
      for (const [dsId, ds] of dataSources(view.definition)) {
        assert.deepEqual(analyseSpl(withTokensFilled(ds.options?.query ?? ""), ctx).errors, [], `${name}/${dsId}`);
      }
    }
  });

  it("start every search from the defender_o365_index macro or the collection log macros", () => {
    for (const [name, view] of views) {
      for (const [dsId, ds] of dataSources(view.definition)) {
        assert.match(ds.options?.query ?? "", /^`defender_o365_(index|run_summary|collection_problems|startup_problems)`/, `${name}/${dsId}`);
      }
    }
  });

  it("drill down to real dashboards, input tokens, result fields and Defender portal links", () => {
    const inputs = new Map([...views].map(([name, v]) => [name, inputTokens(v.definition)]));
    let deepLinks = 0;
    for (const [name, view] of views) {
      const queries = new Map(dataSources(view.definition).map(([id, ds]) => [id, ds.options?.query ?? ""]));
      const resultFields = (dsId: string) => analyseSpl(withTokensFilled(queries.get(dsId) ?? ""), ctx).fields;
      assert.deepEqual(drilldownErrors(view.definition, { app: APP, views: inputs, resultFields }), [], name);
      deepLinks += (JSON.stringify(view.definition).match(/drilldown\.customUrl/g) ?? []).length;
    }
    assert.ok(deepLinks >= 6, "tables link to the Defender portal");
  });

  it("have a nav with the overview as default, every dashboard and the configuration page", () => {
    const nav = navViews(fs.readFileSync(path.join(APP_ROOT, "default", "data", "ui", "nav", "default.xml"), "utf8"));
    assert.deepEqual(nav.filter((v) => v.isDefault).map((v) => v.name), ["overview"]);
    const names = nav.map((v) => v.name);
    for (const view of [...EXPECTED_VIEWS, "configuration"]) assert.ok(names.includes(view), `nav lists ${view}`);
    // Views Splunk's search app shares with every app; the rest must be files of ours.
    const builtIn = new Set(["search", "datasets", "reports", "alerts", "dashboards"]);
    for (const view of names.filter((n) => !builtIn.has(n))) {
      assert.ok(fs.existsSync(path.join(VIEWS_DIR, `${view}.xml`)), `nav view ${view} has a file`);
    }
  });
});

describe("dashboard builder (src/dashboards/studio.ts)", () => {
  const panel = (id: string, width: number) => ({ id, title: id, type: "splunk.table" as const, query: "x", width, height: 100 });
  const spec = (rows: ReturnType<typeof panel>[][]) => ({
    name: "files" as const, title: "t", description: "d", timeRange: "-24h,now", tabs: [{ id: "a", label: "A", rows }],
  });

  it("lays rows out left to right, top to bottom", () => {
    const def = definition(spec([[panel("a", 400), panel("b", 800)], [panel("c", 1200)]])) as { layout: { layoutDefinitions: Record<string, { structure: unknown[] }> } };
    assert.deepEqual(def.layout.layoutDefinitions.layout_a.structure, [
      { item: "viz_a", type: "block", position: { x: 0, y: 0, w: 400, h: 100 } },
      { item: "viz_b", type: "block", position: { x: 400, y: 0, w: 800, h: 100 } },
      { item: "viz_c", type: "block", position: { x: 0, y: 100, w: 1200, h: 100 } },
    ]);
  });

  it("refuses rows that do not span the canvas and panel ids used twice", () => {
    assert.throws(() => definition(spec([[panel("a", 600)]])), /a row is 600 wide/);
    assert.throws(() => definition(spec([[panel("a", 600), panel("a", 600)]])), /panel id a used twice/);
  });

  it("keeps `]]>` out of the CDATA section", () => {
    const s = spec([[panel("a", 1200)]]);
    s.tabs[0].rows[0][0].query = 'search x="]]>"';
    const xml = renderXml(s);
    assert.equal(xml.split("]]>").length - 1, 2, "only the ends of the two CDATA sections");
    assert.equal((readView(xml).definition.dataSources as Record<string, DataSource>).ds_a.options?.query, 'search x="]]>"');
  });
});

describe("dashboard checks catch broken definitions", () => {
  const base = () => definition(DASHBOARDS[0]) as Record<string, unknown>;

  it("a visualization whose data source is missing", () => {
    const def = base();
    const vizs = def.visualizations as Record<string, { dataSources: Record<string, string> }>;
    Object.values(vizs)[0].dataSources.primary = "ds_nope";
    assert.match(dataSourceErrors(def).join("\n"), /data source ds_nope does not exist/);
  });

  it("a visualization left out of the layout (Splunk's validator)", () => {
    const def = base();
    (def.visualizations as Record<string, unknown>).viz_orphan = { type: "splunk.table", dataSources: { primary: "ds_detected_messages" } };
    assert.match(schemaErrors(def).join("\n"), /viz_orphan/);
  });

  it("an unknown visualization type or a bad option value (visualization schemas)", () => {
    const def = base();
    const vizs = def.visualizations as Record<string, { type: string; options?: Record<string, unknown> }>;
    vizs.viz_verdict_share.type = "splunk.piechart";
    vizs.viz_detections_by_verdict.options = { stackMode: "piled" };
    const errors = schemaErrors(def).join("\n");
    assert.match(errors, /viz_verdict_share\/type/);
    assert.match(errors, /viz_detections_by_verdict\/options\/stackMode/);
  });

  it("a query token no input sets", () => {
    const def = base();
    const ds = Object.values(def.dataSources as Record<string, DataSource>)[0];
    ds.options = { query: `${ds.options?.query} $nobody$` };
    assert.match(queryTokenErrors(def).join("\n"), /\$nobody\$ is set by no text input/);
    assert.match(queryTokenErrors(def).join("\n"), /\$nobody\$ goes into SPL without the \|s filter/);
  });

  it("drilldowns to unknown dashboards, tokens or fields, and non-https links", () => {
    const def = base();
    const viz = (def.visualizations as Record<string, { dataSources: Record<string, string>; eventHandlers: unknown[] }>).viz_top_recipients;
    viz.eventHandlers = [
      { type: "drilldown.linkToDashboard", options: { app: APP, dashboard: "nowhere" } },
      { type: "drilldown.linkToDashboard", options: { app: APP, dashboard: "email_threats", tokens: [{ token: "nope", value: "$row.recipient.value$" }] } },
      { type: "drilldown.customUrl", options: { url: "$row.missing.value$", newTab: true } },
      { type: "drilldown.customUrl", options: { url: "http://example.com/", newTab: true } },
      { type: "drilldown.setToken", options: { tokens: [{ token: "recipient", key: "row.recipient.value" }] } },
    ];
    const views = new Map([["email_threats", new Map([["recipient", "input.text"]])]]);
    const errors = drilldownErrors(def, { app: APP, views, resultFields: () => new Set(["recipient"]) }).join("\n");
    assert.match(errors, /dashboard nowhere, which the app does not have/);
    assert.match(errors, /email_threats has no input token nope/);
    assert.match(errors, /row field missing/);
    assert.match(errors, /url http:\/\/example.com\/ is not/);
    assert.match(errors, /sets token recipient, which no text input of this dashboard shows/);
  });
});
