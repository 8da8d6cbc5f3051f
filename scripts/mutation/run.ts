// `npm run mutation [-- api splunk collector]`: Stryker over each folder in turn, with that
// folder's unit tests only (stryker.config.mjs), incremental, and prints each folder's score.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const FOLDERS = ["api", "splunk", "collector"];
const root = path.join(__dirname, "..", "..");
const folders = process.argv.slice(2).length > 0 ? process.argv.slice(2) : FOLDERS;

interface Report {
  files: Record<string, { mutants: { status: string }[] }>;
}

/** Killed (and timed-out) mutants over all valid ones, as Stryker's "mutation score". */
function score(folder: string): string {
  const report = JSON.parse(readFileSync(path.join(root, "reports", "mutation", `${folder}.json`), "utf8")) as Report;
  const counts: Record<string, number> = {};
  for (const file of Object.values(report.files)) for (const m of file.mutants) counts[m.status] = (counts[m.status] ?? 0) + 1;
  const detected = (counts.Killed ?? 0) + (counts.Timeout ?? 0);
  const valid = detected + (counts.Survived ?? 0) + (counts.NoCoverage ?? 0);
  return `${folder}: ${((100 * detected) / valid).toFixed(1)}% (${detected} of ${valid} detected; ${counts.Survived ?? 0} survived, ${counts.NoCoverage ?? 0} not covered)`;
}

let failed = false;
for (const folder of folders) {
  if (!FOLDERS.includes(folder)) throw new Error(`unknown folder ${folder}: one of ${FOLDERS.join(", ")}`);
  const started = Date.now();
  const run = spawnSync("npx", ["stryker", "run"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, MUTATION_FOLDER: folder, NODE_OPTIONS: `--import ${pathToFileURL(path.join(__dirname, "mochaPaths.mjs")).href}` },
  });
  if (run.status !== 0) failed = true;
  else console.log(`${score(folder)} in ${Math.round((Date.now() - started) / 1000)} s`);
}
process.exitCode = failed ? 1 : 0;
