// Mutation testing of the modules that decide loss, duplication and escaping (docs/testing.md).
// One folder per run (MUTATION_FOLDER), with only the unit tests of that folder: the packaged
// bundle the integration tests run is built outside Stryker's sandbox and cannot see mutants.
const specs = {
  api: ["test/unit/api/**/*.test.ts"],
  splunk: ["test/unit/splunk/**/*.test.ts", "test/unit/rest-double/*.test.ts"],
  collector: ["test/unit/collector/**/*.test.ts"],
};
const folder = process.env.MUTATION_FOLDER ?? "api";
if (!(folder in specs)) throw new Error(`MUTATION_FOLDER must be one of ${Object.keys(specs).join(", ")}`);

export default {
  testRunner: "mocha",
  coverageAnalysis: "perTest",
  concurrency: 2,
  incremental: true,
  incrementalFile: `reports/mutation/${folder}.incremental.json`,
  mutate: [`src/${folder}/**/*.ts`],
  mochaOptions: { config: ".mocharc.json", spec: specs[folder] },
  reporters: ["clear-text", "json", "progress"],
  jsonReporter: { fileName: `reports/mutation/${folder}.json` },
  ignorePatterns: ["dist", "reports", ".tmp", "coverage", "node_modules"],
  // Module-level tables (the scheme's arguments, error texts) mutate only on a full reload of
  // every test: far the slowest mutants, and ignored (docs/testing.md says how many).
  ignoreStatic: true,
  timeoutMS: 5000,
  tempDirName: ".tmp/stryker",
};
