// The packaged input's secret handling end to end: an admin creates the input through splunkd
// REST with a clear client secret (as the native Data Inputs form does), splunkd validates it
// (connection test against the simulator), the first run stores the secret and masks it, and the
// second run authenticates with the stored secret. Afterwards no secret is in inputs.conf, the
// checkpoints, the log lines or the process arguments.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import https from "node:https";
import path from "node:path";
import { build } from "../../scripts/build";
import { archivePath, packageApp } from "../../scripts/package";
import { ARGUMENTS } from "../../src/splunk/scheme";
import { defaultTenant, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID, startSimulator, type Simulator } from "../simulator";
import { installApp, type Splunkd } from "../harness/splunkd";
import { startRestDouble, type RestDouble } from "../rest-double/restDouble";
import { harnessValidator } from "../rest-double/validator";
import { refusedPort } from "../lib/loopback";

/** Every file under a folder, as text. */
function filesUnder(dir: string): { file: string; text: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [{ file, text: readFileSync(file, "utf8") }];
  });
}

async function post(splunkd: RestDouble, pathname: string, form: Record<string, string>): Promise<{ status: number; body: { messages?: { text: string }[] } }> {
  // As an admin's REST client would: the session key, the double's CA trusted.
  const body = new URLSearchParams({ ...form, output_mode: "json" }).toString();
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${splunkd.url}${pathname}`,
      {
        method: "POST",
        ca: readFileSync(splunkd.caFile),
        headers: { Authorization: `Splunk ${splunkd.sessionKey}`, "Content-Type": "application/x-www-form-urlencoded" },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { messages?: { text: string }[] } }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("secrets in storage/passwords, end to end (packaged app, splunkd REST double, simulator)", function () {
  this.timeout(120_000);
  let sim: Simulator;
  let splunkd: Splunkd;
  let rest: RestDouble;
  const env = (): Record<string, string> => ({ NODE_EXTRA_CA_CERTS: sim.caFile, DEFENDER_O365_RETRY_SCALE: "0" });

  before(async () => {
    if (!existsSync(archivePath())) {
      await build();
      packageApp();
    }
    sim = await startSimulator({ tenants: [defaultTenant()] });
    splunkd = await installApp();
    rest = await startRestDouble({
      splunkHome: splunkd.splunkHome,
      validator: harnessValidator(splunkd, env()),
      schemeArgs: ARGUMENTS.map((a) => a.name),
    });
  });
  after(async () => {
    await rest?.close();
    await sim?.close();
    splunkd?.cleanup();
  });

  const stanzaParams = (): Record<string, string> => ({ ...rest.state.inputs.get("contoso")! });
  const runOnce = (onPid?: (pid: number) => void, serverUri = rest.url) => {
    const handle = splunkd.startInput({
      stanzas: [{ name: "contoso", params: stanzaParams() }],
      serverUri,
      sessionKey: rest.sessionKey,
      checkpointDir: path.join(splunkd.splunkHome, "var", "lib", "splunk", "modinputs", "defender_o365_activity"),
      env: env(),
      onLog: () => onPid?.(handle.pid),
    });
    return handle;
  };

  it("refuses to create an input whose secret the simulator rejects, with the cause", async () => {
    const res = await post(rest, "/servicesNS/nobody/defender_o365/data/inputs/defender_o365_activity", {
      name: "wrong",
      tenant_id: DEFAULT_TENANT_ID,
      client_id: DEFAULT_CLIENT_ID,
      client_secret: "not-the-secret",
      api_url: sim.url,
      authority_url: sim.url,
    });
    assert.equal(res.status, 400);
    assert.match(res.body.messages?.[0]?.text ?? "", /^Connection test failed \[auth_failed\]/);
    assert.equal(rest.state.inputs.has("wrong"), false);
  });

  it("stores and masks the secret on the first run, and authenticates with it on the second", async () => {
    const created = await post(rest, "/servicesNS/nobody/defender_o365/data/inputs/defender_o365_activity", {
      name: "contoso",
      tenant_id: DEFAULT_TENANT_ID,
      client_id: DEFAULT_CLIENT_ID,
      client_secret: DEFAULT_CLIENT_SECRET,
      api_url: sim.url,
      authority_url: sim.url,
      backfill_hours: "2",
      interval: "300",
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));

    const cmdlines: string[] = [];
    const first = runOnce((pid) => {
      if (cmdlines.length === 0 && existsSync(`/proc/${pid}/cmdline`)) cmdlines.push(readFileSync(`/proc/${pid}/cmdline`, "utf8"));
    });
    const exit1 = await first.exited;
    assert.equal(exit1.code, 0, first.logs.map((l) => l.raw).join("\n"));
    assert.equal(rest.state.inputs.get("contoso")?.client_secret, "********");
    assert.equal(rest.state.passwords.get("defender_o365:contoso:")?.password, DEFAULT_CLIENT_SECRET);

    const firstRunRequests = sim.requestLog.length;
    const second = runOnce();
    const exit2 = await second.exited;
    assert.equal(exit2.code, 0, second.logs.map((l) => l.raw).join("\n"));
    assert.ok(second.logs.some((l) => /run_complete/.test(l.raw)), "the second run completed");
    assert.ok(!second.logs.some((l) => /cause=(secret_missing|auth_failed)/.test(l.raw)));
    const tokenIssued = (r: { kind: string; status: number }): boolean => r.kind === "token" && r.status === 200;
    assert.ok(sim.requestLog.slice(0, firstRunRequests).some(tokenIssued), "the first run obtained a token");
    assert.ok(sim.requestLog.slice(firstRunRequests).some(tokenIssued), "the second run obtained a token with the stored secret");

    const leaks = [
      ...filesUnder(path.join(splunkd.appDir, "local")).filter((f) => !f.file.endsWith("passwords.conf")),
      ...filesUnder(path.join(splunkd.splunkHome, "var", "lib", "splunk", "modinputs")),
      { file: "splunkd.log (run 1)", text: first.logs.map((l) => l.raw).join("\n") },
      { file: "splunkd.log (run 2)", text: second.logs.map((l) => l.raw).join("\n") },
      { file: "process arguments", text: cmdlines.join("\n") },
    ].filter((f) => f.text.includes(DEFAULT_CLIENT_SECRET));
    assert.deepEqual(leaks.map((f) => f.file), []);
    assert.ok(cmdlines.length === 1 && cmdlines[0].length > 0, "the run's arguments were read");
    assert.ok(!readFileSync(rest.localConf("passwords"), "utf8").includes(DEFAULT_CLIENT_SECRET), "passwords.conf is encrypted");
    assert.match(readFileSync(rest.localConf("inputs"), "utf8"), /client_secret = \*{8}/);
  });

  const expectUnavailable = async (run: ReturnType<typeof runOnce>, what: RegExp): Promise<void> => {
    const exit = await run.exited;
    const log = run.logs.map((l) => l.raw).join("\n");
    assert.equal(exit.code, 0, `nothing for the admin to fix: ${log}`);
    const errors = run.logs.filter((l) => /^ERROR/.test(l.raw));
    assert.equal(errors.length, 1, log);
    assert.match(errors[0].raw, what);
    assert.match(errors[0].raw, /the next run retries.*cause=splunkd_unavailable/);
    assert.doesNotMatch(log, /re-enter|cause=secret_missing/);
    assert.equal(run.events.length, 0);
  };

  it("says splunkd is unavailable, not that the secret is missing, when storage/passwords answers 500", async () => {
    rest.state.failPasswordReads = 500;
    try {
      await expectUnavailable(runOnce(), /did not serve the client secret of input contoso \(HTTP 500: /);
    } finally {
      rest.state.failPasswordReads = undefined;
    }
    assert.equal(rest.state.passwords.get("defender_o365:contoso:")?.password, DEFAULT_CLIENT_SECRET, "the stored secret is untouched");
  });

  it("says splunkd is unavailable when its management port refuses the connection", async () => {
    await expectUnavailable(runOnce(undefined, `https://127.0.0.1:${await refusedPort()}`), /\(ECONNREFUSED: /);
  });

  it("stops with one ERROR naming what to re-enter when the stored secret is gone", async () => {
    rest.state.passwords.clear();
    const run = runOnce();
    const exit = await run.exited;
    assert.equal(exit.code, 1);
    const errors = run.logs.filter((l) => /^ERROR/.test(l.raw));
    assert.equal(errors.length, 1, errors.map((l) => l.raw).join("\n"));
    assert.match(errors[0].raw, /client secret of input contoso is not in storage\/passwords: re-enter it.*cause=secret_missing/);
  });
});
