// Shapes of the Office 365 Management Activity API (reference: learn.microsoft.com
// office-365-management-activity-api-reference, "Activity API operations").

/** One item of GET /subscriptions/list. */
export interface Subscription {
  contentType: string;
  status: string; // "enabled" | "disabled"
  webhook: null | { status: string; address: string; authId?: string | null; expiration?: string | null };
}

/** One item of GET /subscriptions/content. */
export interface ContentItem {
  contentType: string;
  contentId: string;
  contentUri: string;
  /** e.g. 2015-05-23T17:35:00.000Z */
  contentCreated: string;
  contentExpiration: string;
}
