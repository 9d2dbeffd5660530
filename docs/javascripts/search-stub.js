// Material's search worker until someone searches (docs/overrides/main.html points
// Material here). Material starts its worker with every page; this stand-in only
// answers Material's setup, so a visit that never searches fetches about 1 kB of
// search code. The first focus of the search box (search.js says "warm" on the
// page's channel) or the first query loads the real worker, search-worker.js,
// into this one, and hands it what arrived.
"use strict";
const STUB_SETUP = 0, STUB_READY = 1, STUB_QUERY = 2, STUB_RESULT = 3;
let stubLoaded = false;

function loadSearch() {
  if (stubLoaded) return;
  stubLoaded = true;
  importScripts(new URL("search-worker.js", self.location.href).href);  // keeps this worker's address (#token)
}

const stubToken = self.location.hash.slice(1);
if (stubToken && typeof BroadcastChannel !== "undefined") {
  new BroadcastChannel(`paper-atlas-search:${stubToken}`).addEventListener("message", (event) => {
    if (stubLoaded || !event.data || event.data.type !== "warm") return;
    loadSearch();
    loadPagefind().catch((error) => console.warn("search could not load", error));  // search-worker.js
  });
}

addEventListener("message", (event) => {
  if (stubLoaded) return;  // the real worker answers from now on
  if (event.data && event.data.type === STUB_SETUP) {
    postMessage({ type: STUB_READY });
    return;
  }
  if (event.data && event.data.type === STUB_QUERY && !String(event.data.data || "").trim()) {
    postMessage({ type: STUB_RESULT, data: { items: [] } });  // Material's empty query as a page opens
    return;
  }
  loadSearch();
  dispatchEvent(new MessageEvent("message", { data: event.data }));  // to the real worker's handler
});
