// The five content types the Activity API serves (docs/reference/activity-api.md section 5),
// written out here so the simulator checks requests against the service's list, not
// against the product's (a content type the product mistypes must be refused, AF20020).
export const SIM_CONTENT_TYPES = ["Audit.General", "Audit.Exchange", "Audit.SharePoint", "Audit.AzureActiveDirectory", "DLP.All"] as const;
export type ContentType = (typeof SIM_CONTENT_TYPES)[number];
