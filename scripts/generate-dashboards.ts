// Writes the Dashboard Studio view files from src/dashboards. The XML files are committed (they
// are what Splunk loads); a unit test fails when they differ from what this would write.
//   npx tsx scripts/generate-dashboards.ts
import * as fs from "node:fs";
import * as path from "node:path";
import { DASHBOARDS, viewPath } from "../src/dashboards/index";
import { renderXml } from "../src/dashboards/studio";

const appRoot = path.join(__dirname, "..");
for (const spec of DASHBOARDS) {
  const file = viewPath(appRoot, spec);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, renderXml(spec));
  console.log(`wrote ${path.relative(appRoot, file)}`);
}
