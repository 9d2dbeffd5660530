// Search worker for Material for MkDocs, backed by Pagefind.
//
// Material's search box talks to a web worker in a small message protocol
// (SETUP -> READY, QUERY -> RESULT; see Material's
// src/templates/assets/javascripts/integrations/search/worker). This worker
// speaks that protocol but answers from Pagefind's index, which is split
// into chunks fetched on demand: the first query downloads a few hundred
// kilobytes whatever the size of the corpus, where Material's own index
// ships the whole corpus to every visitor. docs/overrides/main.html points
// Material at this file.

const SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;
const SHOWN = 10;  // results whose fragments are fetched: the rest are counted only
// This file is <site>/javascripts/search-worker.js.
const ROOT = new URL("../", self.location.href);

const SETTLE_MS = 60;  // Material sends a query per keystroke; answer only the last of a burst

let pagefind = null;
let latest = 0;

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

// Pagefind's excerpt is indexed text with <mark> around hits, in which "<"
// and ">" already stand as &lt; and &gt; (but "&" stands raw). Take it back to
// plain text, escape all of it, then restore only the marks: dump text never
// becomes markup, and is not escaped twice.
function safeExcerpt(excerpt) {
  const plain = excerpt.replace(/<mark>/g, "\u0001").replace(/<\/mark>/g, "\u0002")
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">");
  return escapeHtml(plain).replace(/\u0001/g, "<mark>").replace(/\u0002/g, "</mark>");
}

function relativeLocation(url) {
  // Pagefind answers with root-relative URLs ("/papers/x/"); Material resolves
  // locations against the site's base, so drop the root's own path.
  const path = new URL(url, ROOT).pathname;
  return path.startsWith(ROOT.pathname) ? path.slice(ROOT.pathname.length) : path.replace(/^\//, "");
}

async function search(query) {
  const terms = {};
  for (const word of query.toLowerCase().split(/\s+/).filter(Boolean)) terms[word.replace(/[*~^+-]/g, "")] = true;
  const found = await pagefind.search(query.replace(/[*~^+]/g, " "));
  if (!found) return { items: [] };
  const data = await Promise.all(found.results.slice(0, SHOWN).map((result) => result.data()));
  const items = data.map((page, i) => [{
    location: relativeLocation(page.url),
    title: escapeHtml(page.meta.title || page.url),
    text: safeExcerpt(page.excerpt),
    score: found.results[i].score,
    terms,
  }]);
  return { items, total: found.results.length };
}

addEventListener("message", async (event) => {
  const message = event.data;
  if (message.type === SETUP) {
    pagefind = await import(new URL("pagefind/pagefind.js", ROOT).href);
    await pagefind.options({ baseUrl: ROOT.pathname, excerptLength: 40 });
    await pagefind.init();
    postMessage({ type: READY });
  } else if (message.type === QUERY) {
    const ticket = ++latest;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    if (ticket !== latest) return;  // a newer query arrived: skip fetching this one's results
    let data;
    try {
      data = await search(message.data);
    } catch (error) {
      console.warn("search failed", error);
      data = { items: [] };
    }
    postMessage({ type: RESULT, data });
  }
});
