// Entry of appserver/static/configuration.js (bundled by src/ui/bundle.ts), loaded by the `configuration` view
// (default/data/ui/views/configuration.xml): mounts the page in the view's placeholder.
import { createRoot } from "react-dom/client";
import { SplunkThemeProvider } from "@splunk/themes";
import { App } from "./App";
import { createInputsApi } from "./inputsApi";
import { APP_ID } from "../config/constants";
import { createCall } from "./splunkd";

export const MOUNT_ID = "defender-o365-configuration";

function mount(host: HTMLElement): void {
  createRoot(host).render(
    <SplunkThemeProvider family="enterprise" colorScheme="light" density="comfortable">
      <App api={createInputsApi(createCall(APP_ID))} />
    </SplunkThemeProvider>,
  );
}

/**
 * Simple XML may run the view's script before it has rendered the panel's <html>, so wait for
 * the placeholder rather than mount somewhere else on the page (outside the panel).
 */
export function whenElement(id: string, then: (host: HTMLElement) => void, doc: Document = document): void {
  const found = doc.getElementById(id);
  if (found) {
    then(found);
    return;
  }
  const observer = new MutationObserver(() => {
    const host = doc.getElementById(id);
    if (!host) return;
    observer.disconnect();
    then(host);
  });
  observer.observe(doc.documentElement, { childList: true, subtree: true });
}

whenElement(MOUNT_ID, mount);
