import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { confToMap, readConf } from "../../lib/conf";
import { checkConfFile } from "../../lib/confSpec";
import { analyseSpl, lintSpl, SplContext } from "../../lib/splLint";
import { APP_ROOT, loadContext } from "./appContext";

const SAVED = path.join(APP_ROOT, "default", "savedsearches.conf");
type Stanzas = Map<string, Map<string, string>>;

// Minutes between runs of an every-N-minutes or hourly cron schedule.
function cronPeriodMinutes(cron: string): number | undefined {
  const every = /^\*\/(\d+) \* \* \* \*$/.exec(cron);
  if (every) return Number(every[1]);
  return /^\d+ \* \* \* \*$/.test(cron) ? 60 : undefined;
}

/** Length in minutes of a `-Am@m` .. `-Bm@m` window. */
function windowMinutes(earliest: string, latest: string): number | undefined {
  const e = /^-(\d+)m@m$/.exec(earliest);
  const l = /^-(\d+)m@m$/.exec(latest);
  return e && l ? Number(e[1]) - Number(l[1]) : undefined;
}

describe("saved searches (alerts)", () => {
  let stanzas: Stanzas;
  let ctx: SplContext;
  before(() => {
    stanzas = confToMap(readConf(SAVED));
    stanzas.delete("");
    ctx = loadContext();
  });

  it("pass the savedsearches.conf.spec check the other conf files pass", () => {
    assert.deepEqual(checkConfFile(SAVED), []);
  });

  it("the spec check would catch a setting the spec does not document", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dfo-saved-"));
    const file = path.join(dir, "savedsearches.conf");
    fs.writeFileSync(file, "[Defender O365 - x]\nsearch = index=main\nalert.throttle = 1\nalert.severity = high\n");
    try {
      assert.equal(checkConfFile(file).length, 2);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it("cover the detections the app promises", () => {
    const names = [...stanzas.keys()];
    for (const needle of ["inbox and not remediated", "clicked through a Safe Links", "SharePoint, OneDrive or Teams",
      "pending approval", "released from quarantine", "Spike in detections", "Collection stopped or lagging", "7-day horizon"]) {
      assert.ok(names.some((n) => n.includes(needle)), needle);
    }
  });

  it("are named `Defender O365 - ...`, described, scheduled, tracked, with a severity", () => {
    for (const [name, s] of stanzas) {
      assert.match(name, /^Defender O365 - \S/, name);
      assert.ok((s.get("description") ?? "").length > 40, `${name}: description`);
      assert.equal(s.get("enableSched"), "1", `${name}: scheduled`);
      assert.ok(cronPeriodMinutes(s.get("cron_schedule") ?? ""), `${name}: cron_schedule`);
      assert.equal(s.get("alert.track"), "1", `${name}: alert.track`);
      assert.match(s.get("alert.severity") ?? "", /^[1-6]$/, `${name}: alert.severity`);
      assert.deepEqual([s.get("counttype"), s.get("relation"), s.get("quantity")], ["number of events", "greater than", "0"], name);
      assert.ok(s.get("dispatch.earliest_time") && s.get("dispatch.latest_time"), `${name}: time range`);
      assert.equal(s.get("request.ui_dispatch_app"), "defender_o365", name);
    }
  });

  it("run SPL that passes the SPL lint", () => {
    for (const [name, s] of stanzas) assert.deepEqual(lintSpl(s.get("search") ?? "", ctx), [], name);
  });

  it("throttle per result on fields the search returns", () => {
    for (const [name, s] of stanzas) {
      assert.equal(s.get("alert.digest_mode"), "0", `${name}: one alert per result`);
      assert.equal(s.get("alert.suppress"), "1", `${name}: throttled`);
      assert.match(s.get("alert.suppress.period") ?? "", /^\d+[mhd]$/, name);
      const fields = analyseSpl(s.get("search") ?? "", ctx).fields;
      assert.ok(fields, `${name}: result fields are knowable`);
      for (const f of (s.get("alert.suppress.fields") ?? "").split(",").map((x) => x.trim())) {
        assert.ok(f && fields.has(f), `${name}: suppress field ${f} is a result field`);
      }
    }
  });

  it("judge each late-arriving record once: index-time windows that tile the schedule, over the 7-day horizon", () => {
    let indexTimed = 0;
    for (const [name, s] of stanzas) {
      const search = s.get("search") ?? "";
      const indexEarliest = s.get("dispatch.index_earliest");
      // Either the dispatch window selects by index time, or the SPL compares _indextime itself.
      const inSpl = /_indextime/.test(search) ? /relative_time\(now\(\), "(-\d+m@m)"\).*relative_time\(now\(\), "(-\d+m@m)"\)/.exec(search) : null;
      const window = indexEarliest ? [indexEarliest, s.get("dispatch.index_latest") ?? ""] : inSpl ? [inSpl[1], inSpl[2]] : undefined;
      if (!window) continue;
      indexTimed++;
      assert.equal(windowMinutes(window[0], window[1]), cronPeriodMinutes(s.get("cron_schedule") ?? ""), `${name}: window = period`);
      assert.equal(s.get("realtime_schedule"), "0", `${name}: continuous scheduling never skips a window`);
      assert.equal(s.get("dispatch.earliest_time"), "-7d@h", `${name}: event times up to the API horizon`);
    }
    assert.ok(indexTimed >= 4, "detection alerts select by index time");
  });
});
