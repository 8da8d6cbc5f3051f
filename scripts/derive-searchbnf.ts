// Derives the SPL vocabulary our SPL lint checks against from Splunk's own searchbnf.conf:
// every `[<name>-command]` stanza (plus its `alias =` names and `usage`), the eval functions
// (`[eval-function]` syntax) and the stats aggregators (`[stats-func]` and the stanzas it names).
// Run by hand when moving to a new Splunk version:
//   npx tsx scripts/derive-searchbnf.ts ../shared/splunk/spec/searchbnf.conf
// It writes test/data/spl-commands.json, which is committed; tests never read ../shared.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseConf, confToMap } from "../test/lib/conf";

export interface SplVocabulary {
  source: string;
  /** command name (or alias) -> usage from searchbnf (public, deprecated, internal, debug, ...) */
  commands: Record<string, string>;
  evalFunctions: string[];
  /** aggregator names; a trailing `<num>` marks a percentile family such as perc95 */
  statsFunctions: string[];
}

/** Alternatives of a `a|b|c` syntax, dropping BNF punctuation. */
function alternatives(syntax: string): string[] {
  return syntax.split("|").map((s) => s.trim().replace(/^\(|\)$/g, "")).filter(Boolean);
}

export function deriveVocabulary(text: string, source: string): SplVocabulary {
  // searchbnf values are long and contain `#`; the project's conf parser handles continuations.
  const stanzas = confToMap(parseConf(text, source));
  const commands: Record<string, string> = {};
  for (const [name, settings] of stanzas) {
    const m = /^(.+)-command$/.exec(name);
    if (!m) continue;
    const usage = (settings.get("usage") ?? "public").trim().split(/\s+/)[0];
    commands[m[1].toLowerCase()] = usage;
    for (const alias of (settings.get("alias") ?? "").split(",").map((a) => a.trim().toLowerCase()).filter(Boolean)) {
      commands[alias] = usage;
    }
  }
  const evalSyntax = stanzas.get("eval-function")?.get("syntax");
  const statsSyntax = stanzas.get("stats-func")?.get("syntax");
  if (!evalSyntax || !statsSyntax) throw new Error(`${source}: no [eval-function] or [stats-func] stanza`);
  const statsFunctions = new Set<string>();
  for (const ref of statsSyntax.match(/<([a-z-]+)>/g) ?? []) {
    const syntax = stanzas.get(ref.slice(1, -1))?.get("syntax");
    if (!syntax) throw new Error(`${source}: [stats-func] names ${ref}, which has no stanza`);
    const percentile = /^\((.+)\)<num>$/.exec(syntax.trim());
    if (percentile) alternatives(percentile[1]).forEach((f) => statsFunctions.add(`${f}<num>`));
    else alternatives(syntax).forEach((f) => statsFunctions.add(f));
  }
  return {
    source,
    commands: Object.fromEntries(Object.entries(commands).sort(([a], [b]) => a.localeCompare(b))),
    evalFunctions: [...new Set(alternatives(evalSyntax))].sort(),
    statsFunctions: [...statsFunctions].sort(),
  };
}

function main(): void {
  const input = process.argv[2];
  if (!input) throw new Error("usage: tsx scripts/derive-searchbnf.ts <path to searchbnf.conf>");
  const text = fs.readFileSync(input, "utf8");
  const version = /^#\s*Version\s+(\S+)/m.exec(text)?.[1] ?? "unknown";
  const vocabulary = deriveVocabulary(text, `searchbnf.conf ${version}`);
  const out = path.join(__dirname, "..", "test", "data", "spl-commands.json");
  fs.writeFileSync(out, JSON.stringify(vocabulary, null, 2) + "\n");
  console.log(`wrote ${out}: ${Object.keys(vocabulary.commands).length} commands, ` +
    `${vocabulary.evalFunctions.length} eval functions, ${vocabulary.statsFunctions.length} stats functions`);
}

if (require.main === module) main();
