// Ordinary audit traffic: the non-Defender part of Audit.General (Teams, Power BI, Forms,
// Viva Engage, compliance searches) and the Exchange, SharePoint, Entra ID and DLP content
// types, in the shapes of the real fixtures (docs/reference/activity-api.md 5.1, fixtures/real).
import type { ContentType } from "../contentTypes";
import type { Rng } from "./prng";
import { type AuditRecord, header, OUTSIDE_IPS, type RecordContext, USERS } from "./values";

const clientIp = (rng: Rng): string => rng.pick(["10.1.2.3", "172.16.4.20", ...OUTSIDE_IPS]);

function teams(ctx: RecordContext): AuditRecord {
  const { rng } = ctx;
  const user = rng.pick(USERS);
  return {
    ...header(ctx, 25, rng.pick(["MessageCreatedHasLink", "ChatCreated", "MemberAdded", "TeamsSessionStarted"]), "MicrosoftTeams", rng.guid(), 0),
    ClientIP: clientIp(rng),
    UserId: user,
    ChatThreadId: `19:${rng.guid()}_${rng.guid()}@unq.gbl.spaces`,
    CommunicationType: rng.pick(["OneOnOne", "GroupChat", "Team"]),
    Members: [{ UPN: user, Role: 1 }, { UPN: rng.pick(USERS), Role: 0 }],
  };
}

function powerBi(ctx: RecordContext): AuditRecord {
  const { rng } = ctx;
  const activity = rng.pick(["ViewReport", "CreateArtifact", "ExportReport"]);
  return {
    ...header(ctx, 20, activity, "PowerBI", rng.hex(16), 0),
    UserId: rng.pick(USERS),
    ClientIP: clientIp(rng),
    Activity: activity,
    ItemName: rng.pick(["Sales dashboard", "Pipeline", "Headcount"]),
    WorkspaceName: "Finance",
    WorkspaceId: rng.guid(),
    ObjectId: rng.guid(),
    RequestId: rng.guid(),
  };
}

function forms(ctx: RecordContext): AuditRecord {
  const { rng } = ctx;
  return {
    ...header(ctx, 66, rng.pick(["EditForm", "ViewForm", "CreateForm"]), "MicrosoftForms", rng.guid(), 0),
    UserId: rng.pick(USERS),
    ClientIP: clientIp(rng),
    FormId: rng.hex(24),
    FormName: "Team offsite survey",
  };
}

function vivaEngage(ctx: RecordContext): AuditRecord {
  const { rng } = ctx;
  return {
    ...header(ctx, 22, rng.pick(["FileVisited", "MessageCreated"]), "Yammer", rng.guid(), 0),
    UserId: rng.pick(USERS),
    ActorUserId: rng.pick(USERS),
    ActorYammerUserId: rng.int(1e9),
    YammerNetworkId: rng.int(1e7),
  };
}

function complianceSearch(ctx: RecordContext): AuditRecord {
  const { rng } = ctx;
  return {
    ...header(ctx, 52, "Search", "SecurityComplianceCenter", rng.guid(), 2),
    UserId: rng.pick(USERS),
    ClientIP: clientIp(rng),
    ObjectId: rng.guid(),
    Query: `subject:"invoice" AND received>=${ctx.time.toISOString().slice(0, 10)}`,
  };
}

function exchange(ctx: RecordContext): AuditRecord {
  const { rng } = ctx;
  const user = rng.pick(USERS);
  if (rng.chance(0.4)) {
    return {
      ...header(ctx, 1, rng.pick(["Set-Mailbox", "New-InboxRule", "Set-TransportConfig"]), "Exchange", "NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)", 3),
      ResultStatus: "True",
      ObjectId: user,
      UserId: "NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)",
      ExternalAccess: true,
      OrganizationName: "contoso.onmicrosoft.com",
      Parameters: [{ Name: "Identity", Value: user }],
    };
  }
  return {
    ...header(ctx, 50, "MailItemsAccessed", "Exchange", rng.hex(16), 0),
    ResultStatus: "Succeeded",
    UserId: user,
    ClientIPAddress: clientIp(rng),
    MailboxOwnerUPN: user,
    OperationCount: 1 + rng.int(20),
  };
}

function sharePoint(ctx: RecordContext): AuditRecord {
  const { rng } = ctx;
  const user = rng.pick(USERS);
  const file = rng.pick(["budget.xlsx", "roadmap.pptx", "notes.docx"]);
  return {
    ...header(ctx, rng.chance(0.8) ? 6 : 14, rng.pick(["FileAccessed", "FileModified", "FileDownloaded", "SharingSet"]), rng.pick(["SharePoint", "OneDrive"]), `i:0h.f|membership|${rng.hex(16)}@live.com`, 0),
    ClientIP: clientIp(rng),
    ObjectId: `https://contoso.sharepoint.com/sites/Team/Shared Documents/${file}`,
    UserId: user,
    SiteUrl: "https://contoso.sharepoint.com/sites/Team/",
    SourceFileName: file,
    SourceRelativeUrl: "Shared Documents",
    UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
  };
}

function entra(ctx: RecordContext): AuditRecord {
  const { rng } = ctx;
  const user = rng.pick(USERS);
  const login = rng.chance(0.7);
  return {
    ...header(ctx, login ? 15 : 8, login ? rng.pick(["UserLoggedIn", "UserLoginFailed"]) : rng.pick(["Update user.", "Add member to role."]), "AzureActiveDirectory", rng.hex(16, true), 0),
    ResultStatus: "Succeeded",
    ClientIP: login ? clientIp(rng) : null,
    ObjectId: rng.guid(),
    UserId: user,
    AzureActiveDirectoryEventType: login ? 1 : 0,
    ExtendedProperties: [{ Name: "UserAgent", Value: "Mozilla/5.0" }],
    Actor: [{ ID: rng.guid(), Type: 0 }, { ID: user, Type: 5 }],
    ActorContextId: ctx.tenantId,
    Target: [{ ID: rng.guid(), Type: 0 }],
    TargetContextId: ctx.tenantId,
  };
}

function dlp(ctx: RecordContext): AuditRecord {
  const { rng } = ctx;
  const exchangeSide = rng.chance(0.6);
  return {
    ...header(ctx, exchangeSide ? 13 : 11, "DlpRuleMatch", exchangeSide ? "Exchange" : "SharePoint", rng.hex(19), 4),
    ObjectId: exchangeSide ? `<${rng.hex(20)}@contoso.com>` : "https://contoso.sharepoint.com/sites/HR/pay.xlsx",
    UserId: "DlpAgent",
    IncidentId: rng.guid(),
    PolicyDetails: [
      {
        PolicyId: rng.guid(),
        PolicyName: "U.S. Financial Data",
        Rules: [{ RuleId: rng.guid(), RuleName: "High volume", Severity: "High", Actions: ["NotifyUser"] }],
      },
    ],
    SensitiveInfoDetectionIsIncluded: false,
  };
}

const GENERAL = [teams, teams, powerBi, powerBi, forms, vivaEngage, complianceSearch] as const;

/** One ordinary record for the content type (for Audit.General: a non-Defender workload). */
export function workloadRecord(contentType: ContentType, ctx: RecordContext): AuditRecord {
  switch (contentType) {
    case "Audit.General":
      return ctx.rng.pick(GENERAL)(ctx);
    case "Audit.Exchange":
      return exchange(ctx);
    case "Audit.SharePoint":
      return sharePoint(ctx);
    case "Audit.AzureActiveDirectory":
      return entra(ctx);
    case "DLP.All":
      return dlp(ctx);
  }
}
