// The collector's command line (docs/standalone-collector.md). Pure.

export interface Args {
  config: string;
  once: boolean;
  check: boolean;
}

export const USAGE = "defender_o365_collector --config <file.json> [--once | --check]";

export function parseArgs(argv: readonly string[]): Args | { error: string } {
  let config: string | undefined;
  let once = false;
  let check = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--once") once = true;
    else if (a === "--check") check = true;
    else if (a === "--config") config = argv[++i];
    else if (a.startsWith("--config=")) config = a.slice("--config=".length);
    else return { error: `unknown argument "${a}". Usage: ${USAGE}` };
  }
  if (!config) return { error: `--config <file.json> is required. Usage: ${USAGE}` };
  if (once && check) return { error: `give --once or --check, not both. Usage: ${USAGE}` };
  return { config, once, check };
}
