// One simulated tenant: its app registrations (for the token endpoint), subscriptions and
// blobs (for the Activity API), and its request quota. State only; the HTTP layer is elsewhere.
import { createPublicKey, KeyObject, X509Certificate } from "node:crypto";
import type { ContentType } from "./contentTypes";
import { SIM_CONTENT_TYPES } from "./contentTypes";
import type { RecordSource } from "./generator/generate";
import { MinuteQuota } from "./quota";
import { DAY_MS } from "./window";

export interface ClientOptions {
  clientId: string;
  secret?: string;
  /** PEM of the certificate uploaded to the app registration (its public part is enough). */
  certificatePem?: string;
}

export interface BacklogOptions {
  /** Days of history (fractions allowed). */
  days: number;
  blobsPerHour: number;
  recordsPerBlob: number;
  seed: number;
  contentTypes?: ContentType[];
  defenderShare?: number;
  hostileRate?: number;
  duplicateRate?: number;
}

export interface TenantOptions {
  /** Entra tenant GUID. */
  tenantId: string;
  /** Verified domains that resolve to this tenant at the login endpoint. */
  domains?: string[];
  clients: ClientOptions[];
  /** Content types subscribed before the test starts (default: all five). */
  subscriptions?: ContentType[];
  /** Unified audit logging off: every API call answers the DataServiceException error. */
  auditLogOff?: boolean;
  /** Admin consent missing: tokens carry no ActivityFeed.Read role (AF10001 on every call). */
  consentMissing?: boolean;
  /** Graph's AuditLogsQuery.Read.All not consented: tokens lack that role (Graph answers 403). */
  graphConsentMissing?: boolean;
  /** Generated history; `false` for none (default: DEFAULT_BACKLOG of ./defaults). */
  backlog?: BacklogOptions | false;
  /** Requests per minute before AF429 (default: the simulator's, 2,000). */
  quotaPerMinute?: number;
}

export interface RegisteredCertificate {
  sha1: string;
  sha256: string;
  publicKey: KeyObject;
}

export interface RegisteredClient {
  clientId: string;
  secret?: string;
  certificates: RegisteredCertificate[];
}

export interface StoredBlob {
  contentType: ContentType;
  contentId: string;
  /** contentCreated (epoch ms): what the window filters on. */
  created: number;
  /** When the blob became listable; its 7-day retention runs from here (reference section 3). */
  visibleAt: number;
  /** Insertion order: ties on visibleAt list in this order. */
  seq: number;
  expired: boolean;
  records: RecordSource;
}

/** Position after which the next page starts (availability order). */
export interface PageKey {
  visibleAt: number;
  seq: number;
}

export interface SubscriptionState {
  status: "enabled" | "disabled";
  webhook: unknown;
  /** Spans while the subscription was off: content that became available then is never listed. */
  gaps: { from: number; to?: number }[];
}

const after = (blob: StoredBlob, key: PageKey): boolean =>
  blob.visibleAt > key.visibleAt || (blob.visibleAt === key.visibleAt && blob.seq > key.seq);

function registerClient(options: ClientOptions): RegisteredClient {
  const certificates: RegisteredCertificate[] = [];
  if (options.certificatePem) {
    const cert = new X509Certificate(options.certificatePem);
    certificates.push({
      sha1: cert.fingerprint.replace(/:/g, "").toUpperCase(),
      sha256: cert.fingerprint256.replace(/:/g, "").toUpperCase(),
      publicKey: createPublicKey(options.certificatePem),
    });
  }
  return { clientId: options.clientId.toLowerCase(), secret: options.secret, certificates };
}

export class SimTenant {
  readonly id: string;
  readonly domains: string[];
  readonly auditLogOff: boolean;
  readonly consentMissing: boolean;
  readonly graphConsentMissing: boolean;
  readonly quota: MinuteQuota;
  readonly subscriptions = new Map<ContentType, SubscriptionState>();
  /** Time of the last accepted /subscriptions/start per content type (15-minute throttle). */
  readonly lastStart = new Map<ContentType, number>();
  private readonly clients = new Map<string, RegisteredClient>();
  private readonly blobs: StoredBlob[] = [];
  private readonly byId = new Map<string, StoredBlob>();
  private nextSeq = 0;

  constructor(options: TenantOptions, defaultQuota: number) {
    this.id = options.tenantId.toLowerCase();
    this.domains = (options.domains ?? []).map((d) => d.toLowerCase());
    this.auditLogOff = options.auditLogOff ?? false;
    this.consentMissing = options.consentMissing ?? false;
    this.graphConsentMissing = options.graphConsentMissing ?? false;
    this.quota = new MinuteQuota(options.quotaPerMinute ?? defaultQuota);
    for (const client of options.clients) this.clients.set(client.clientId.toLowerCase(), registerClient(client));
    for (const ct of options.subscriptions ?? SIM_CONTENT_TYPES) this.subscriptions.set(ct, { status: "enabled", webhook: null, gaps: [] });
  }

  client(clientId: string): RegisteredClient | undefined {
    return this.clients.get(clientId.toLowerCase());
  }

  addBlob(blob: Omit<StoredBlob, "seq" | "expired">): StoredBlob {
    if (this.byId.has(blob.contentId)) throw new Error(`duplicate contentId ${blob.contentId}`);
    const stored: StoredBlob = { ...blob, seq: this.nextSeq++, expired: false };
    // Keep availability order; most additions land at the end.
    let i = this.blobs.length;
    while (i > 0 && after(this.blobs[i - 1], stored)) i--;
    this.blobs.splice(i, 0, stored);
    this.byId.set(stored.contentId, stored);
    return stored;
  }

  blob(contentId: string): StoredBlob | undefined {
    return this.byId.get(contentId);
  }

  allBlobs(contentType?: ContentType): StoredBlob[] {
    return contentType ? this.blobs.filter((b) => b.contentType === contentType) : [...this.blobs];
  }

  /** Reference: retention is 7 days from when a blob first became available (AF20051 after). */
  isExpired(blob: StoredBlob, now: number): boolean {
    return blob.expired || now >= blob.visibleAt + 7 * DAY_MS;
  }

  /**
   * Blobs listable now for startTime <= contentCreated < endTime, in the order they became
   * available (reference section 3), after `key`, at most `limit` + 1 (to know if more exist).
   */
  listContent(contentType: ContentType, start: number, end: number, now: number, key: PageKey | undefined, limit: number): StoredBlob[] {
    const gaps = this.subscriptions.get(contentType)?.gaps ?? [];
    const out: StoredBlob[] = [];
    for (const blob of this.blobs) {
      if (blob.contentType !== contentType || blob.visibleAt > now) continue;
      if (blob.created < start || blob.created >= end) continue;
      if (key && !after(blob, key)) continue;
      if (gaps.some((g) => blob.visibleAt >= g.from && (g.to === undefined || blob.visibleAt < g.to))) continue;
      out.push(blob);
      if (out.length > limit) break;
    }
    return out;
  }

  enable(contentType: ContentType, now: number, webhook: unknown): void {
    const sub = this.subscriptions.get(contentType);
    if (!sub) {
      // A first subscription sees the generated history (simplification: the real service may
      // take up to 12 h to show first content, docs/reference/activity-api.md 2).
      this.subscriptions.set(contentType, { status: "enabled", webhook, gaps: [] });
      return;
    }
    const open = sub.gaps.find((g) => g.to === undefined);
    if (open) open.to = now;
    sub.status = "enabled";
    sub.webhook = webhook;
  }

  /** Reference 2.2: content that became available while stopped is never retrievable. */
  disable(contentType: ContentType, now: number): void {
    const sub = this.subscriptions.get(contentType);
    if (!sub || sub.status === "disabled") return;
    sub.status = "disabled";
    sub.gaps.push({ from: now });
  }
}
