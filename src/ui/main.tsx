// Entry of appserver/static/configuration.js (bundled by src/ui/bundle.ts), loaded by the `configuration` view
// (default/data/ui/views/configuration.xml): mounts the page in the view's placeholder.
import { createRoot } from "react-dom/client";
import { SplunkThemeProvider } from "@splunk/themes";
import { App } from "./App";
import { createInputsApi } from "./inputsApi";
import { APP_ID } from "../config/constants";
import { createCall } from "./splunkd";

export const MOUNT_ID = "defender-o365-configuration";

function mount(): void {
  let host = document.getElementById(MOUNT_ID);
  if (!host) {
    host = document.createElement("div");
    host.id = MOUNT_ID;
    document.body.appendChild(host);
  }
  createRoot(host).render(
    <SplunkThemeProvider family="enterprise" colorScheme="light" density="comfortable">
      <App api={createInputsApi(createCall(APP_ID))} />
    </SplunkThemeProvider>,
  );
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
else mount();
