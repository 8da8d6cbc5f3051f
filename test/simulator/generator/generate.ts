// The synthetic tenant: blobs over the last N days for each content type, each record
// regenerated on demand from (seed, content type, blob, index), so a 2,000-blob x 200-record
// backlog costs a few kilobytes until someone downloads it. Pure: same options, same output.
import type { ContentType } from "../contentTypes";
import { SIM_CONTENT_TYPES } from "../contentTypes";
import { HOUR_MS } from "../window";
import {
  airInvestigation,
  attackSimulation,
  mailSubmission,
  quarantine,
  securityComplianceAlert,
  threatIntelligenceFile,
  threatIntelligenceMail,
  threatIntelligenceUrl,
} from "./defender";
import { HOSTILE_TEXTS } from "./hostile";
import { hashSeed, Rng } from "./prng";
import type { AuditRecord, RecordContext } from "./values";
import { workloadRecord } from "./workloads";

/** Every Defender record type Audit.General carries (docs/collector.md, "Events"). */
export const DEFENDER_RECORD_TYPES = [28, 41, 47, 64, 86, 89, 65, 29, 40, 85, 88, 218] as const;
export type DefenderRecordType = (typeof DEFENDER_RECORD_TYPES)[number];

const BUILDERS: Record<DefenderRecordType, (ctx: RecordContext) => AuditRecord> = {
  28: threatIntelligenceMail,
  41: threatIntelligenceUrl,
  47: threatIntelligenceFile,
  64: (ctx) => airInvestigation(ctx, 64),
  86: (ctx) => airInvestigation(ctx, 86),
  89: (ctx) => airInvestigation(ctx, 89),
  65: quarantine,
  29: mailSubmission,
  40: securityComplianceAlert,
  85: (ctx) => attackSimulation(ctx, 85),
  88: (ctx) => attackSimulation(ctx, 88),
  218: (ctx) => attackSimulation(ctx, 218),
};

/** The records of one blob, produced on demand. `text(i)` is the record's JSON as served. */
export interface RecordSource {
  readonly count: number;
  id(index: number): string;
  text(index: number): string;
}

export interface GeneratedBlob {
  contentType: ContentType;
  contentId: string;
  /** contentCreated, epoch ms. */
  created: number;
  records: RecordSource;
}

export interface GenerateOptions {
  tenantId: string;
  /** The backlog ends just before this instant. */
  now: Date;
  /** Backlog length in days (fractions allowed: 1 = the last 24 h). */
  days: number;
  /** Blobs per hour for each content type. */
  blobsPerHour: number;
  recordsPerBlob: number;
  seed: number;
  contentTypes?: readonly ContentType[];
  /** Share of Audit.General records that are Defender detections (default 0.5). */
  defenderShare?: number;
  /** Share of records carrying hostile text, beyond the guaranteed ones (default 0.01). */
  hostileRate?: number;
  /** Share of records repeated from the previous blob, as the service does by design (default 0.01). */
  duplicateRate?: number;
}

/** contentId as the service writes it: `<stamp>$<stamp>$<type>$<Type>$<region>` (docs/reference/activity-api.md 2.5). */
export function contentIdFor(contentType: ContentType, created: number, serial: number): string {
  const stamp = new Date(created).toISOString().replace(/\D/g, "").slice(0, 17) + String(serial).padStart(6, "0");
  return `${stamp}$${stamp}$${contentType.replace(".", "_").toLowerCase()}$${contentType.replace(".", "_")}$na0030`;
}

interface Position {
  blob: number;
  index: number;
}

class GeneratedRecords implements RecordSource {
  constructor(
    private readonly opts: Required<Omit<GenerateOptions, "contentTypes" | "now" | "days" | "blobsPerHour">>,
    private readonly contentType: ContentType,
    private readonly blob: number,
    /** contentCreated of any blob of this stream (a repeat is rebuilt exactly as its original). */
    private readonly createdOf: (blob: number) => number,
    readonly count: number,
  ) {}

  /** A repeated record points at its original in the previous blob. */
  private source(index: number): Position {
    if (this.blob > 0) {
      const rng = new Rng(hashSeed(this.opts.seed, this.contentType, this.blob, index, "dup"));
      if (rng.chance(this.opts.duplicateRate)) return { blob: this.blob - 1, index: rng.int(this.opts.recordsPerBlob) };
    }
    return { blob: this.blob, index };
  }

  id(index: number): string {
    const at = this.source(index);
    return new Rng(hashSeed(this.opts.seed, this.contentType, at.blob, at.index, "id")).guid();
  }

  text(index: number): string {
    return JSON.stringify(this.record(index));
  }

  record(index: number): AuditRecord {
    const at = this.source(index);
    const rng = new Rng(hashSeed(this.opts.seed, this.contentType, at.blob, at.index));
    const ordinal = at.blob * this.opts.recordsPerBlob + at.index;
    const blobCreated = this.createdOf(at.blob);
    // Records reach a blob 1-90 min after the event; a few are days late (reference section 3).
    const lagMinutes = rng.chance(0.02) ? 600 + rng.int(4000) : 1 + rng.int(90);
    const ctx: RecordContext = {
      rng,
      id: this.id(index),
      tenantId: this.opts.tenantId,
      time: new Date(Math.floor((blobCreated - lagMinutes * 60_000) / 1000) * 1000),
    };
    if (this.contentType !== "Audit.General") {
      return workloadRecord(this.contentType, ctx);
    }
    // The first records of the backlog cover every Defender type, then every hostile text.
    const n = DEFENDER_RECORD_TYPES.length;
    if (ordinal < n) return BUILDERS[DEFENDER_RECORD_TYPES[ordinal]](ctx);
    if (ordinal < n + HOSTILE_TEXTS.length) return threatIntelligenceMail({ ...ctx, hostile: HOSTILE_TEXTS[ordinal - n] });
    if (rng.chance(this.opts.hostileRate)) ctx.hostile = rng.pick(HOSTILE_TEXTS);
    if (!rng.chance(this.opts.defenderShare)) return workloadRecord(this.contentType, ctx);
    // Mail and click detections dominate real tenants; the rest are rarer.
    const type = rng.chance(0.6) ? rng.pick([28, 28, 28, 41, 41, 47] as const) : rng.pick(DEFENDER_RECORD_TYPES);
    return BUILDERS[type](ctx);
  }
}

/** The backlog of every content type, sorted by contentCreated. */
export function generateTenant(options: GenerateOptions): GeneratedBlob[] {
  const opts = {
    tenantId: options.tenantId,
    recordsPerBlob: options.recordsPerBlob,
    seed: options.seed,
    defenderShare: options.defenderShare ?? 0.5,
    hostileRate: options.hostileRate ?? 0.01,
    duplicateRate: options.duplicateRate ?? 0.01,
  };
  const end = options.now.getTime();
  const total = Math.round(options.days * 24 * options.blobsPerHour);
  const spacing = HOUR_MS / options.blobsPerHour;
  const blobs: GeneratedBlob[] = [];
  for (const contentType of options.contentTypes ?? SIM_CONTENT_TYPES) {
    const createdOf = (b: number): number => {
      const jitter = new Rng(hashSeed(opts.seed, contentType, b, "created")).next() * 0.9;
      return Math.floor(end - (total - b - jitter) * spacing);
    };
    for (let b = 0; b < total; b++) {
      const created = createdOf(b);
      blobs.push({
        contentType,
        contentId: contentIdFor(contentType, created, b),
        created,
        records: new GeneratedRecords(opts, contentType, b, createdOf, opts.recordsPerBlob),
      });
    }
  }
  return blobs.sort((x, y) => x.created - y.created);
}

export interface LargeBlobOptions {
  tenantId: string;
  contentType: ContentType;
  created: Date;
  /** Approximate size of the blob body. */
  bytes: number;
  seed: number;
}

/**
 * A very large blob's records: a pool of generated records repeated with fresh Ids, so a
 * 100 MB body streams at I/O speed instead of generator speed (benchmarks measure the client).
 */
class TemplatedRecords implements RecordSource {
  constructor(
    private readonly templates: { id: string; text: string }[],
    private readonly seed: number,
    readonly count: number,
  ) {}

  id(index: number): string {
    return new Rng(hashSeed(this.seed, "large", index)).guid();
  }

  text(index: number): string {
    const template = this.templates[index % this.templates.length];
    return template.text.replace(template.id, this.id(index));
  }
}

/** One very large blob (benchmarks: ~100 MB), sized from the mean of its record pool. */
export function generateLargeBlob(options: LargeBlobOptions): GeneratedBlob {
  const created = options.created.getTime();
  const opts = { tenantId: options.tenantId, recordsPerBlob: 1, seed: options.seed, defenderShare: 0.5, hostileRate: 0, duplicateRate: 0 };
  const pool = new GeneratedRecords(opts, options.contentType, 0, () => created, 356);
  // Skip the guaranteed first records (one hostile text alone is 65 kB) when building the pool.
  const templates = Array.from({ length: 256 }, (_, k) => ({ id: pool.id(100 + k), text: pool.text(100 + k) }));
  const mean = templates.reduce((sum, t) => sum + Buffer.byteLength(t.text) + 1, 0) / templates.length;
  return {
    contentType: options.contentType,
    contentId: contentIdFor(options.contentType, created, 999_999),
    created,
    records: new TemplatedRecords(templates, options.seed, Math.max(1, Math.ceil(options.bytes / mean))),
  };
}
