// Derives test/data/cim-models.json from the CIM reference (run by hand only):
//   tsx scripts/derive-cim.ts [<splunk reference dir>]   (default ../shared/splunk)
// For every dataset: its tag constraint and the required / conditional fields with their allowed
// values and validity expressions (pytest-splunk-addon's data_models JSON), plus every field name the
// Splunk_SA_CIM model defines for it; and the list of CIM tags (tags.conf.cim.spec).
import * as fs from "node:fs";
import * as path from "node:path";
import type { CimDataset } from "../test/lib/cimModels";

const root = path.resolve(process.argv[2] ?? path.join(__dirname, "..", "..", "shared", "splunk"));
const outFile = path.join(__dirname, "..", "test", "data", "cim-models.json");

interface PsaField {
  name: string;
  type: "required" | "conditional" | "optional";
  expected_values?: string[];
  validity?: string;
  condition?: string;
  multi_value?: boolean;
}
interface PsaDataset {
  name: string;
  tags: string[][];
  search_constraints?: string;
  fields_cluster?: string[][];
  fields: PsaField[];
  child_dataset?: PsaDataset[];
}
interface SaObject {
  objectName: string;
  parentName: string;
  fields: { fieldName: string }[];
  calculations?: { outputFields: { fieldName: string }[] }[];
}

function saFields(model: string): Map<string, string[]> {
  const file = path.join(root, "cim", "splunk_sa_cim", `${model}.json`);
  const objects = (JSON.parse(fs.readFileSync(file, "utf8")) as { objects: SaObject[] }).objects;
  const byName = new Map(objects.map((o) => [o.objectName, o]));
  const own = (o: SaObject) => [...o.fields.map((f) => f.fieldName), ...(o.calculations ?? []).flatMap((c) => c.outputFields.map((f) => f.fieldName))];
  const all = new Map<string, string[]>();
  for (const o of objects) {
    const names: string[] = [];
    for (let cur: SaObject | undefined = o; cur; cur = byName.get(cur.parentName)) names.push(...own(cur));
    all.set(o.objectName, [...new Set(names.filter((n) => !n.startsWith("_") && n !== "tag"))].sort());
  }
  return all;
}

function flatten(model: string, datasets: PsaDataset[], sa: Map<string, string[]>, parent?: CimDataset): CimDataset[] {
  return datasets.flatMap((d) => {
    // PSA and Splunk_SA_CIM name a few children differently ("Quarantined Malware" = Deferred_Malware): inherit.
    const cimFields = sa.get(d.name.replace(/ /g, "_")) ?? parent?.cimFields ?? [];
    const dataset: CimDataset = {
      model,
      name: d.name,
      ...(parent ? { parent: parent.name } : {}),
      tags: d.tags,
      ...(d.search_constraints ? { searchConstraint: d.search_constraints } : {}),
      fields: d.fields
        .filter((f) => f.type !== "optional")
        .map((f) => ({
          name: f.name,
          type: f.type as "required" | "conditional",
          ...(f.expected_values ? { expectedValues: f.expected_values } : {}),
          ...(f.validity ? { validity: f.validity } : {}),
          ...(f.condition ? { condition: f.condition.trim() } : {}),
        })),
      cimFields,
    };
    return [dataset, ...flatten(model, d.child_dataset ?? [], sa, dataset)];
  });
}

function cimTags(): string[] {
  const text = fs.readFileSync(path.join(root, "spec", "tags.conf.cim.spec"), "utf8");
  return [...text.matchAll(/^([a-z_0-9]+) = <enabled\|disabled>/gm)].map((m) => m[1]);
}

const datasets: CimDataset[] = [];
for (const file of fs.readdirSync(path.join(root, "cim", "psa_required")).sort()) {
  const model = file.replace(/\.json$/, "");
  const psa = JSON.parse(fs.readFileSync(path.join(root, "cim", "psa_required", file), "utf8")) as { objects: PsaDataset[] };
  datasets.push(...flatten(model, psa.objects, saFields(model)));
}
fs.writeFileSync(outFile, JSON.stringify({ tags: cimTags(), datasets }, null, 1) + "\n");
console.log(`wrote ${outFile} (${datasets.length} datasets) from ${root}`);
