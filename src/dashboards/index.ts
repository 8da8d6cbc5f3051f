// Every dashboard the app ships, and the file each is written to.
import * as path from "node:path";
import { collectionHealth } from "./collectionHealth";
import { emailThreats } from "./emailThreats";
import { files } from "./files";
import { investigations } from "./investigations";
import { overview } from "./overview";
import { safeLinksClicks } from "./safeLinksClicks";
import { DashboardSpec } from "./studio";

export const DASHBOARDS: readonly DashboardSpec[] = [overview, emailThreats, safeLinksClicks, files, investigations, collectionHealth];

/** default/data/ui/views/<name>.xml under the app root. */
export function viewPath(appRoot: string, spec: DashboardSpec): string {
  return path.join(appRoot, "default", "data", "ui", "views", `${spec.name}.xml`);
}
