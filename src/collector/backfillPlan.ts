// Which spans the Graph backfill asks for (docs/collector.md, "Backfill from Microsoft Graph"):
// only what the Activity API cannot serve (the planner's span past its 7-day horizon) plus an
// hour of overlap at the horizon edge, one job per missing span, content types sharing a span
// sharing its query, and nothing asked twice. Pure.
import type { GraphVersion } from "../graph/types";
import type { Window } from "./windows";

/** Past the horizon edge, Graph is asked this much more: the Activity API's oldest blobs may be refused by then. */
export const GRAPH_OVERLAP_MS = 3_600_000;

/** One missing span and the query collecting it, as kept in the checkpoint. */
export interface GraphJob {
  /** ISO times: filterStartDateTime / filterEndDateTime. */
  start: string;
  end: string;
  /** Content types whose records this job writes. */
  contentTypes: string[];
  /** Set once the query was created; the job then resumes instead of searching again. */
  queryId?: string;
  version?: GraphVersion;
  /** The page to read next (`@odata.nextLink` of the last page written). */
  nextLink?: string;
  /** Runs in a row whose search failed or whose page was unreadable (backfill.ts gives the span up at MAX_SPAN_FAILURES). */
  failures?: number;
}

/** The span to ask Graph for, from the planner's lost span (content older than the horizon). */
export function graphSpan(lost: Window, overlapMs = GRAPH_OVERLAP_MS): Window {
  return { start: lost.start, end: new Date(lost.end.getTime() + overlapMs) };
}

/** `span` minus the spans already asked for this content type by jobs that have their query. */
function uncovered(span: Window, covered: readonly Window[]): Window[] {
  let pieces: Window[] = [span];
  for (const c of covered) {
    pieces = pieces.flatMap((p) => {
      if (c.end <= p.start || c.start >= p.end) return [p];
      const out: Window[] = [];
      if (c.start > p.start) out.push({ start: p.start, end: c.start });
      if (c.end < p.end) out.push({ start: c.end, end: p.end });
      return out;
    });
  }
  return pieces;
}

const windowOf = (j: GraphJob): Window => ({ start: new Date(j.start), end: new Date(j.end) });

/**
 * Adds a content type's missing span to the jobs (a new list). A job whose query is not created
 * yet and that overlaps the span (or lies within the overlap of it) grows to cover both; parts
 * already asked for by a created query are not asked again.
 */
export function addGraphSpan(jobs: readonly GraphJob[], contentType: string, span: Window, overlapMs = GRAPH_OVERLAP_MS): GraphJob[] {
  const out = jobs.map((j) => ({ ...j, contentTypes: [...j.contentTypes] }));
  const asked = out.filter((j) => j.queryId !== undefined && j.contentTypes.includes(contentType)).map(windowOf);
  for (const piece of uncovered(span, asked)) {
    const near = out.find((j) => {
      if (j.queryId !== undefined) return false;
      const w = windowOf(j);
      return w.start.getTime() <= piece.end.getTime() + overlapMs && piece.start.getTime() <= w.end.getTime() + overlapMs;
    });
    if (near) {
      near.start = new Date(Math.min(Date.parse(near.start), piece.start.getTime())).toISOString();
      near.end = new Date(Math.max(Date.parse(near.end), piece.end.getTime())).toISOString();
      if (!near.contentTypes.includes(contentType)) near.contentTypes.push(contentType);
    } else {
      out.push({ start: piece.start.toISOString(), end: piece.end.toISOString(), contentTypes: [contentType] });
    }
  }
  return out;
}
