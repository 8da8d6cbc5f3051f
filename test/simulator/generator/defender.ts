// Defender for Office 365 records in their wire shapes (docs/reference/activity-api.md
// section 6, and the real fixtures): string Policy/PolicyAction, array ThreatsAndDetectionTech,
// singular Connector, Url/UrlClickAction ints (sometimes the documented URL/URLClickAction
// spelling), FileVerdict as int or string, AIR and alert `Data` as JSON text, bare CreationTime.
import {
  type AuditRecord,
  bareTime,
  fractionTime,
  header,
  minutesBefore,
  OUTSIDE_IPS,
  type RecordContext,
  SENDERS,
  USERS,
} from "./values";

const SUBJECTS = ["Action required: password expires today", "Remittance advice", "Overdue invoice", "Shared document: Q3 bonus", "Voicemail received", "Your parcel could not be delivered"];

function subject(ctx: RecordContext): string {
  return ctx.hostile ?? `${ctx.rng.pick(SUBJECTS)} ${ctx.rng.int(9000) + 1000}`;
}

function fileName(ctx: RecordContext, base: string): string {
  return ctx.hostile ? `${ctx.hostile.slice(0, 200)}.${base}` : base;
}

const deepLinkDay = (date: Date): string => date.toISOString().slice(0, 10);

/** RecordType 28 TIMailData (docs/reference/activity-api.md 6.2). */
export function threatIntelligenceMail(ctx: RecordContext): AuditRecord {
  const { rng } = ctx;
  const messageTime = minutesBefore(ctx.time, 1 + rng.int(240));
  const nmid = rng.guid();
  const verdict = rng.pick(["Phish", "Malware", "Spam"] as const);
  const detection = rng.pick(["Inline", "Inline", "Delayed", "ZAP"] as const);
  const delivered = detection !== "Inline";
  const malware = verdict === "Malware";
  const method = malware ? rng.pick(["File detonation", "Antimalware protection", "File reputation"]) : rng.pick(["Spoof DMARC", "URL malicious reputation", "Fingerprint matching", "Impersonation user"]);
  const record: AuditRecord = {
    ...header(ctx, 28, "TIMailData", "ThreatIntelligence", "ThreatIntel", 4),
    ObjectId: rng.guid(),
    UserId: "ThreatIntel",
    AdditionalActionsAndResults: detection === "ZAP" ? ["OriginalDelivery: [N/A]", "Zap: [Success: Message moved to quarantine]"] : ["OriginalDelivery: [N/A]"],
  };
  if (malware) {
    record.AttachmentData = [
      {
        FileName: fileName(ctx, rng.pick(["Remittance.pdf.exe", "invoice.docm", "scan.html", "payload.zip"])),
        FileType: rng.pick(["exe;zip", "docm", "html", "eml;mime"]),
        // FileVerdict is an int on the wire, sometimes the string form (docs/reference/activity-api.md 6.2).
        FileVerdict: rng.chance(0.3) ? "1" : 1,
        MalwareFamily: rng.pick(["Trojan:Win32/Wacatac.B!ml", "HTML/Phish.VS!MSR", "Malicious Payload"]),
        SHA256: rng.hex(64, true),
      },
    ];
  }
  const pass = rng.chance(0.5);
  record.AuthDetails = [
    { Name: "SPF", Value: pass ? "Pass" : "Fail" },
    { Name: "DKIM", Value: pass ? "Pass" : "None" },
    { Name: "DMARC", Value: pass ? "Pass" : "Fail" },
    { Name: "Comp Auth", Value: pass ? "pass" : "fail" },
  ];
  if (rng.chance(0.3)) record.Connector = `${rng.guid()}: [Inbound from ${rng.guid()}]`;
  Object.assign(record, {
    DeliveryAction: delivered ? "Delivered" : "Blocked",
    DetectionMethod: method,
    DetectionType: detection,
    Directionality: rng.pick(["Inbound", "Inbound", "Inbound", "Intraorg", "Outbound"]),
    EventDeepLink: `https://security.microsoft.com/?hash=/threatexplorer?messageParams=${nmid},${nmid}-${rng.int(1e9)}-1,${deepLinkDay(messageTime)}T00:00:00,${deepLinkDay(messageTime)}T23:59:59&view=${verdict}`,
    InternetMessageId: `<${bareTime(messageTime).replace(/\D/g, "")}.${rng.hex(5, true)}@${rng.pick(SENDERS).split("@")[1]}>`,
    LatestDeliveryLocation: "Quarantine",
    MessageTime: bareTime(messageTime),
    NetworkMessageId: nmid,
    OriginalDeliveryLocation: delivered ? "Inbox" : "Quarantine",
    P1Sender: `bounce@${rng.pick(SENDERS).split("@")[1]}`,
    P2Sender: rng.pick(SENDERS),
  });
  if (verdict === "Phish") record.PhishConfidenceLevel = rng.pick(["Normal", "High"]);
  if (!delivered) {
    // Policy / PolicyAction are strings on the wire and absent when nothing acted (docs/reference/activity-api.md 6.2).
    record.Policy = malware ? rng.pick(["AntiMalware", "SafeAttachements"]) : rng.pick(["HighConfidencePhish", "Phish"]);
    record.PolicyAction = rng.pick(["Quarantine", "MoveToJmf"]);
  }
  Object.assign(record, {
    Recipients: [rng.pick(USERS)],
    SenderIp: rng.pick(OUTSIDE_IPS),
    Subject: subject(ctx),
    SystemOverrides: [],
    ThreatsAndDetectionTech: [`${verdict}: [${method}]`],
    Verdict: verdict,
  });
  return record;
}

/** RecordType 41 TIUrlClickData (docs/reference/activity-api.md 6.3). */
export function threatIntelligenceUrl(ctx: RecordContext): AuditRecord {
  const { rng } = ctx;
  const user = rng.pick(USERS);
  const nmid = rng.guid();
  const url = ctx.hostile ? `https://example.com/q?s=${ctx.hostile.slice(0, 300)}` : `https://${rng.pick(["login-contoso", "files-share", "docs-view"])}.example.com/${rng.hex(8)}`;
  const documented = rng.chance(0.15); // the documented URL/URLClickAction casing also occurs
  return {
    ...header(ctx, 41, "TIUrlClickData", "ThreatIntelligence", "ThreatIntel", 4),
    UserId: user,
    AppName: rng.pick(["Mail", "Mail", "Teams", "Word"]),
    AppVersion: "0.0.0000",
    EventDeepLink: `https://security.microsoft.com/threatexplorer?dltarget=Explorer&dlstorage=Url&viewid=Phish&query-Recipients=${user}&query-NetworkMessageId=${nmid}`,
    SourceId: nmid,
    TimeOfClick: bareTime(minutesBefore(ctx.time, 1 + rng.int(30))),
    [documented ? "URL" : "Url"]: url,
    [documented ? "URLClickAction" : "UrlClickAction"]: rng.pick([2, 2, 3, 4, 5]),
    UserIp: rng.pick(OUTSIDE_IPS),
  };
}

/** RecordType 47 AtpDetection (docs/reference/activity-api.md 6.4). */
export function threatIntelligenceFile(ctx: RecordContext): AuditRecord {
  const { rng } = ctx;
  const user = rng.pick(USERS);
  const workload = rng.int(3); // 0 SharePoint, 1 OneDrive, 2 Teams
  const name = fileName(ctx, rng.pick(["Q1-forecast.xlsm", "setup_helper.exe", "minutes.docx", "photo.scr"]));
  const site = workload === 1 ? `https://contoso-my.sharepoint.com/personal/${user.replace(/[.@]/g, "_")}/Documents` : "https://contoso.sharepoint.com/sites/Finance/Shared Documents";
  const detected = minutesBefore(ctx.time, rng.int(5));
  return {
    ...header(ctx, 47, "AtpDetection", "ThreatIntelligence", "ThreatIntel", 4),
    UserId: user,
    DetectionDate: bareTime(detected),
    DetectionMethod: "AntiMalware",
    EventDeepLink: `https://security.microsoft.com/threatexplorer?dltarget=Explorer&dlstorage=Url&viewid=MalwareContent&query-Id=${rng.guid()}`,
    FileData: {
      DocumentId: rng.guid(),
      FileName: name,
      FilePath: `${site}/${name}`,
      FileSize: String(1000 + rng.int(5_000_000)),
      FileVerdict: rng.chance(0.3) ? "1" : 1,
      MalwareFamily: rng.pick(["TrojanDownloader:O97M/Donoff", "Malicious Payload", "Trojan:Win32/Emotet"]),
      // Upper-case hex, or base64 as in the one public fixture (docs/reference/activity-api.md 6.4).
      SHA256: rng.chance(0.5) ? rng.hex(64, true) : Buffer.from(rng.hex(64), "hex").toString("base64"),
    },
    LastModifiedBy: user,
    LastModifiedDate: bareTime(minutesBefore(detected, rng.int(600))),
    SourceWorkload: workload,
  };
}

const AIR_TYPES = ["UrlInvestigation", "ZappedEmailInvestigation", "SubmissionInvestigation"] as const;

/** RecordTypes 64/86/89: AIR investigations; `Data` holds the alert as JSON text (docs/reference/activity-api.md 6.5). */
export function airInvestigation(ctx: RecordContext, recordType: 64 | 86 | 89): AuditRecord {
  const { rng } = ctx;
  const operation = { 64: "AirInvestigationData", 86: "AirManualInvestigationData", 89: "AirAdminActionInvestigationData" }[recordType];
  const type = rng.pick(AIR_TYPES);
  const investigationId = `urn:${type}:${rng.hex(32)}`;
  const start = minutesBefore(ctx.time, 10 + rng.int(120));
  const alertId = rng.guid();
  const recipient = rng.pick(USERS);
  const sender = rng.pick(SENDERS);
  const mail = {
    $id: "2",
    Type: "mailMessage",
    Recipient: recipient,
    Sender: sender,
    SenderIP: rng.pick(OUTSIDE_IPS),
    ReceivedDate: bareTime(minutesBefore(start, 30)),
    NetworkMessageId: rng.guid(),
    Subject: subject(ctx),
    Urn: `urn:MailEntity:${rng.hex(32)}`,
    Source: "OATP",
  };
  const data = {
    Version: "3.0",
    VendorName: "Microsoft",
    ProviderName: "OATP",
    AlertType: rng.guid(),
    StartTimeUtc: `${bareTime(start)}Z`,
    TimeGenerated: fractionTime(start),
    Status: rng.pick(["InProgress", "Resolved"]),
    Severity: rng.pick(["Informational", "Low", "Medium", "High"]),
    IsIncident: false,
    ProviderAlertId: alertId,
    Investigations: [{ $id: "1", Id: investigationId, InvestigationStatus: "Running" }],
    InvestigationIds: [investigationId],
    AlertDisplayName: rng.pick(["Email messages removed after delivery", "A potentially malicious URL click was detected"]),
    Entities: [{ ...mail, Threats: ["Phish"], DeliveryAction: "Delivered", FirstSeen: mail.ReceivedDate }],
    Category: "ThreatManagement",
    SourceAlertType: "System",
  };
  return {
    ...header(ctx, recordType, operation, "AirInvestigation", "AirInvestigation", 4),
    ObjectId: rng.guid(),
    UserId: "AirInvestigation",
    InvestigationId: investigationId,
    InvestigationName: `Investigation - ${investigationId}`,
    InvestigationType: type,
    Status: rng.pick(["Running", "Pending Action", "Remediated", "No threats found"]),
    StartTimeUtc: bareTime(start),
    EndTimeUtc: bareTime(ctx.time),
    LastUpdateTimeUtc: bareTime(ctx.time),
    RunningTime: String(Math.round((ctx.time.getTime() - start.getTime()) / 1000)),
    DeepLinkUrl: `https://security.microsoft.com/airinvestigation/${investigationId}`,
    Actions: [
      {
        $id: "1",
        ActionId: `urn:EmailZapper:${rng.hex(32)}`,
        InvestigationId: investigationId,
        ActionApproval: "None",
        ActionType: "EmailRemediation",
        ActionStatus: rng.pick(["Pending", "Completed", "Skipped"]),
        Entities: [mail],
        RelatedAlertIds: [alertId],
        StartTimeUtc: bareTime(start),
        LastUpdateTimeUtc: fractionTime(ctx.time),
        TimestampUtc: bareTime(ctx.time),
        ResourceIdentifiers: [{ $id: "3", AadTenantId: ctx.tenantId, Type: "AAD" }],
      },
    ],
    Data: JSON.stringify(data),
  };
}

/** RecordType 65 Quarantine (docs/reference/activity-api.md 6.6). */
export function quarantine(ctx: RecordContext): AuditRecord {
  const { rng } = ctx;
  const requestType = rng.int(6);
  const operation = ["QuarantinePreview", "QuarantineDelete", "QuarantineRelease", "QuarantineExport", "QuarantineViewHeader", "QuarantineReleaseRequest"][requestType];
  const user = rng.pick(USERS);
  return {
    ...header(ctx, 65, operation, "Quarantine", user, 2),
    ResultStatus: "Succeeded",
    UserId: user,
    ClientIP: rng.pick(OUTSIDE_IPS),
    NetworkMessageId: rng.guid(),
    ReleaseTo: requestType === 2 ? rng.pick(USERS) : "",
    RequestSource: rng.int(3),
    RequestType: requestType,
  };
}

/** RecordType 29 MailSubmission (real fixture shape: many values as strings). */
export function mailSubmission(ctx: RecordContext): AuditRecord {
  const { rng } = ctx;
  const user = rng.pick(USERS);
  const sender = rng.pick(SENDERS);
  const stringly = rng.chance(0.5); // one source writes RecordType/UserType/Version as strings
  return {
    ...header(ctx, stringly ? "29" : 29, rng.pick(["UserSubmission", "AdminSubmissionSubmitted", "AdminSubmissionTriage"]), "SecurityComplianceCenter", rng.guid(), stringly ? "0" : 0),
    ObjectId: rng.guid(),
    UserId: user,
    SubmissionId: rng.guid(),
    SubmissionType: "0",
    SubmissionContentType: "Mail",
    SubmissionState: rng.pick(["Submitted", "Rescaned", "Triaged"]),
    P1Sender: sender,
    P2Sender: sender,
    P2SenderDomain: sender.split("@")[1],
    SenderIP: rng.pick(OUTSIDE_IPS),
    Recipients: `[${user}]`,
    Subject: subject(ctx),
    InternetMessageId: `<${rng.hex(12)}@${sender.split("@")[1]}>`,
    MessageDate: bareTime(minutesBefore(ctx.time, 60 + rng.int(600))),
    RescanResult: { Id: rng.guid(), Timestamp: bareTime(ctx.time), RescanVerdict: rng.pick(["Phish", "NotSpam", "Malware"]) },
  };
}

/** RecordType 40 Security & Compliance alert; `Data` is compact JSON text (docs/reference/activity-api.md 6.6, fixtures). */
export function securityComplianceAlert(ctx: RecordContext): AuditRecord {
  const { rng } = ctx;
  const stringly = rng.chance(0.3); // RecordType "40" as a string occurs in real records
  const operation = rng.pick(["AlertTriggered", "AlertEntityGenerated", "AlertUpdated"]);
  const alertName = rng.pick(["Email messages containing malicious URL removed after delivery", "Email messages containing malware removed after delivery", "User requested to release a quarantined message"]);
  const user = rng.pick(USERS);
  const data = {
    etype: "User",
    eid: user,
    op: "AlertTriggered",
    tid: ctx.tenantId,
    ts: fractionTime(minutesBefore(ctx.time, 5)),
    te: fractionTime(ctx.time),
    tsd: rng.pick(SENDERS),
    trc: user,
    thn: rng.pick(["Phish", "Malware", "Phish, Malicious"]),
    an: alertName,
    sev: "Informational",
    tdc: "1",
    lon: "Protection",
  };
  return {
    ...header(ctx, stringly ? "40" : 40, operation, "SecurityComplianceCenter", "SecurityComplianceAlerts", stringly ? "4" : 4),
    ResultStatus: "Succeeded",
    ObjectId: rng.guid(),
    UserId: "SecurityComplianceAlerts",
    AlertId: rng.guid(),
    AlertLinks: [{ AlertLinkHref: "" }],
    AlertType: "System",
    Category: "ThreatManagement",
    Comments: "New alert",
    Data: JSON.stringify(data),
    EntityType: "User",
    Name: alertName,
    PolicyId: rng.guid(),
    Severity: rng.pick(["Informational", "Low", "Medium", "High"]),
    Source: "Office 365 Security & Compliance",
    Status: rng.pick(["Active", "Investigating", "Resolved"]),
  };
}

/** RecordTypes 85 AttackSim, 88 UserTraining, 218 AttackSimAdmin (docs/reference/activity-api.md 6.6: int event enums). */
export function attackSimulation(ctx: RecordContext, recordType: 85 | 88 | 218): AuditRecord {
  const { rng } = ctx;
  const user = rng.pick(USERS);
  const base = { 85: ["AttackSimulationUserEvent", "AttackSimEvent", 18, 1], 88: ["UserTrainingEvent", "UserTrainingEvent", 5, 1], 218: ["AttackSimAdminEvent", "AttackSimAdminEvent", 12, 0] } as const;
  const [operation, field, max, min] = base[recordType];
  return {
    ...header(ctx, recordType, operation, "AttackSim", user, recordType === 218 ? 2 : 0),
    UserId: user,
    [field]: min + rng.int(max - min + 1),
    CampaignId: rng.guid(),
    CampaignName: rng.pick(["Q3 payroll lure", "Parcel notice drill", "MFA fatigue test"]),
  };
}
