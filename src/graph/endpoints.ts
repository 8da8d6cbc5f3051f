// Where Graph's audit log query API lives per cloud (docs/reference/graph-audit-query.md 2.3:
// global service only; GCC uses it), plus the graph_url override.
import type { Cloud } from "../auth/clouds";
import type { InputConfig } from "../config/inputConfig";
import type { GraphVersion } from "./types";

export const GRAPH_ORIGIN = "https://graph.microsoft.com";
/** Clouds where the API is not offered: GCC High (US Government L4) and DoD (L5). */
export const GRAPH_UNSUPPORTED_CLOUDS: readonly Cloud[] = ["gcc_high", "dod"];

/** The Graph origin of an input, or undefined where the API is not offered. */
export function graphOrigin(config: Pick<InputConfig, "cloud" | "graphUrl">): string | undefined {
  if (GRAPH_UNSUPPORTED_CLOUDS.includes(config.cloud)) return undefined;
  return config.graphUrl ? new URL(config.graphUrl).origin : GRAPH_ORIGIN;
}

/** The client-credentials scope for Graph: `<origin>/.default`. */
export function graphScope(origin: string): string {
  return `${origin}/.default`;
}

export function queriesUrl(origin: string, version: GraphVersion): string {
  return `${origin}/${version}/security/auditLog/queries`;
}

export function queryUrl(origin: string, version: GraphVersion, id: string): string {
  return `${queriesUrl(origin, version)}/${encodeURIComponent(id)}`;
}

export function recordsUrl(origin: string, version: GraphVersion, id: string): string {
  return `${queryUrl(origin, version, id)}/records`;
}
