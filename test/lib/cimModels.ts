// The CIM data models as test/data/cim-models.json holds them (derived by scripts/derive-cim.ts
// from Splunk_SA_CIM and pytest-splunk-addon): which datasets an event's tags put it in, and
// whether its fields satisfy their required and conditional fields the way pytest-splunk-addon
// checks them (present; one of the expected values; the validity expression not null).
import * as fs from "node:fs";
import * as path from "node:path";
import { compileEval } from "./spl/evalExpr";
import { compileSearch } from "./spl/searchExpr";

export interface CimField {
  name: string;
  type: "required" | "conditional";
  expectedValues?: string[];
  validity?: string;
  condition?: string;
}

export interface CimDataset {
  model: string;
  name: string;
  parent?: string;
  tags: string[][];
  searchConstraint?: string;
  fields: CimField[];
  cimFields: string[];
}

export interface CimData {
  /** Every CIM tag (tags.conf.cim.spec). */
  tags: string[];
  datasets: CimDataset[];
}

export const CIM: CimData = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "data", "cim-models.json"), "utf8")) as CimData;

type Fields = ReadonlyMap<string, readonly string[]>;

/** Datasets whose tag constraint the tags satisfy (children with a field constraint only when it holds, given fields). */
export function datasetsFor(tags: readonly string[], fields?: Fields): CimDataset[] {
  const byName = new Map(CIM.datasets.map((d) => [`${d.model}/${d.name}`, d]));
  const tagged = (d: CimDataset) => d.tags.some((set) => set.every((t) => tags.includes(t)));
  const inside = (d: CimDataset): boolean => {
    if (!tagged(d)) return false;
    if (!d.parent) return true;
    const parent = byName.get(`${d.model}/${d.parent}`);
    if (parent && !inside(parent)) return false;
    // A child narrowed by field values (Malware's action="blocked") applies only when they hold.
    const fieldConstraint = d.searchConstraint && !/^(tag=\w+\s*)+$/.test(d.searchConstraint) && !d.searchConstraint.includes("|");
    return !fieldConstraint || (fields !== undefined && compileSearch(d.searchConstraint!)(fields));
  };
  return CIM.datasets.filter(inside);
}

/** The data models the tags map an event to. */
export function modelsFor(tags: readonly string[]): string[] {
  return [...new Set(datasetsFor(tags).map((d) => d.model))].sort();
}

/** Why the event's fields fall short of the datasets' required/conditional fields: field -> problem. */
export function fieldProblems(fields: Fields, datasets: readonly CimDataset[]): Map<string, string> {
  const problems = new Map<string, string>();
  const env = (name: string) => fields.get(name) as string[] | undefined;
  for (const dataset of datasets) {
    for (const field of dataset.fields) {
      if (field.type === "conditional" && !(field.condition && compileSearch(field.condition)(fields))) continue;
      const values = fields.get(field.name);
      if (!values || values.length === 0 || values.every((v) => v === "")) {
        problems.set(field.name, `missing (${dataset.model} ${dataset.name})`);
        continue;
      }
      const wrong = field.expectedValues ? values.filter((v) => !field.expectedValues!.includes(v)) : [];
      if (wrong.length > 0) problems.set(field.name, `${wrong.join(", ")} is not one of ${field.expectedValues!.join("|")}`);
      else if (field.validity && compileEval(field.validity).run(env) === null) problems.set(field.name, `fails ${field.validity}`);
    }
  }
  return problems;
}
