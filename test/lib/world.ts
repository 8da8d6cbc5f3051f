// Everything an end-to-end test of the packaged input needs, as splunkd would have it: the
// app installed from the archive into a fake $SPLUNK_HOME, the splunkd REST double (inputs,
// storage/passwords, cacert.pem), and the Activity API simulator. Inputs are stanzas held by
// the REST double, so masking of secrets behaves as in Splunk across runs.
import * as fs from "node:fs";
import * as path from "node:path";
import { build } from "../../scripts/build";
import { archivePath, packageApp } from "../../scripts/package";
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_TENANT_ID,
  defaultTenant,
  startSimulator,
  type Simulator,
  type SimulatorOptions,
} from "../simulator";
import type { InputHandle, InputOptions, InputResult, Params, Splunkd } from "../harness/splunkd";
import { installApp } from "../harness/splunkd";
import type { StreamEvent } from "../harness/eventStream";
import { startRestDouble, type RestDouble } from "../rest-double/restDouble";

export interface World {
  sim: Simulator;
  splunkd: Splunkd;
  rest: RestDouble;
  /** splunkd's checkpoint_dir for our scheme. */
  checkpointDir: string;
  /** Environment of the input processes: trust the simulator's CA; retry waits scaled down. */
  env: Record<string, string>;
  /** Creates (or replaces) an input stanza; defaults point it at the simulator's default tenant. */
  addInput(name: string, params?: Params): void;
  /** Starts run mode for these inputs, one process each (use_single_instance = false). */
  start(name: string, opts?: Partial<InputOptions>): InputHandle;
  run(name: string, opts?: Partial<InputOptions> & { timeoutMs?: number }): Promise<InputResult>;
  close(): Promise<void>;
}

export interface WorldOptions {
  simulator?: SimulatorOptions;
  /** DEFENDER_O365_RETRY_SCALE for the inputs (0 = retry at once). */
  retryScale?: number;
  /** Production timing: DEFENDER_O365_RETRY_SCALE unset, so every retry waits as it would in Splunk. */
  productionTiming?: boolean;
}

/** Builds and packages the app unless `npm test` already did. */
export async function ensurePackage(): Promise<void> {
  if (!fs.existsSync(archivePath())) {
    await build();
    packageApp();
  }
}

export async function startWorld(opts: WorldOptions = {}): Promise<World> {
  await ensurePackage();
  const sim = await startSimulator(opts.simulator ?? { tenants: [defaultTenant()] });
  const splunkd = await installApp();
  const rest = await startRestDouble({ splunkHome: splunkd.splunkHome });
  const checkpointDir = path.join(splunkd.splunkHome, "var", "lib", "splunk", "modinputs", "defender_o365_activity");
  fs.mkdirSync(checkpointDir, { recursive: true });
  const env: Record<string, string> = { NODE_EXTRA_CA_CERTS: sim.caFile };
  if (!opts.productionTiming) env.DEFENDER_O365_RETRY_SCALE = String(opts.retryScale ?? 0);

  const stanza = (name: string) => {
    const params = rest.state.inputs.get(name);
    if (!params) throw new Error(`no input ${name}: call addInput first`);
    return { name, params: { ...params } };
  };
  const inputOptions = (name: string, extra: Partial<InputOptions>): InputOptions => ({
    stanzas: [stanza(name)],
    serverUri: rest.url,
    sessionKey: rest.sessionKey,
    checkpointDir,
    ...extra,
    env: { ...env, ...extra.env },
  });

  return {
    sim,
    splunkd,
    rest,
    checkpointDir,
    env,
    addInput(name, params = {}) {
      rest.state.inputs.set(name, {
        tenant_id: DEFAULT_TENANT_ID,
        client_id: DEFAULT_CLIENT_ID,
        client_secret: DEFAULT_CLIENT_SECRET,
        api_url: sim.url,
        authority_url: sim.url,
        content_types: "Audit.General",
        backfill_hours: "48",
        interval: "300",
        disabled: "0",
        ...(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : v])) as Record<string, string>),
      });
    },
    start: (name, extra = {}) => splunkd.startInput(inputOptions(name, extra)),
    run: (name, extra = {}) => splunkd.runInput({ ...inputOptions(name, extra), timeoutMs: extra.timeoutMs }),
    async close() {
      await rest.close();
      await sim.close();
      splunkd.cleanup();
    },
  };
}

/** The record Id of an event (its data is the record's JSON). */
export function eventId(e: StreamEvent): string {
  return (JSON.parse(e.data) as { Id: string }).Id;
}

/** Ids that occur more than once across these events. */
export function repeatedIds(events: readonly StreamEvent[]): string[] {
  const seen = new Set<string>();
  const repeats: string[] = [];
  for (const e of events) {
    const id = eventId(e);
    if (seen.has(id)) repeats.push(id);
    seen.add(id);
  }
  return repeats;
}
