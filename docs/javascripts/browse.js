// Browse page: filter and sort papers.json in the browser. The state lives in
// the URL's query string (?theme=…&year=…&org=…&upvotes=…&code=1&sort=…), so a
// filtered view can be linked. Paper text is untrusted: it is only ever set
// with textContent, never as HTML.
(function () {
  "use strict";

  const FIELDS = ["theme", "year", "org", "upvotes", "code", "sort"];
  // This script is site/javascripts/browse.js, so the site root is one level up,
  // whatever page instant navigation has since moved to.
  const SITE_ROOT = new URL("../", document.currentScript.src).href;

  function readState() {
    const params = new URLSearchParams(window.location.search);
    const state = {};
    for (const key of FIELDS) state[key] = params.get(key) || "";
    return state;
  }

  function writeState(state) {
    const params = new URLSearchParams();
    for (const key of FIELDS) {
      if (state[key] && !(key === "upvotes" && state[key] === "0") && !(key === "sort" && state[key] === "date")) {
        params.set(key, state[key]);
      }
    }
    const query = params.toString();
    history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
  }

  function formState(form) {
    return {
      theme: form.theme.value,
      year: form.year.value,
      org: form.org.value,
      upvotes: form.upvotes.value || "0",
      code: form.code.checked ? "1" : "",
      sort: form.sort.value,
    };
  }

  function applyState(form, state) {
    form.theme.value = state.theme;
    form.year.value = state.year;
    form.org.value = state.org;
    form.upvotes.value = state.upvotes || "0";
    form.code.checked = state.code === "1";
    form.sort.value = state.sort || "date";
  }

  function compare(sort) {
    if (sort === "upvotes") return (a, b) => (b.upvotes || 0) - (a.upvotes || 0) || a.title.localeCompare(b.title);
    if (sort === "title") return (a, b) => a.title.localeCompare(b.title);
    return (a, b) => (b.date || "").localeCompare(a.date || "") || a.title.localeCompare(b.title);
  }

  // Why a paper is in a theme, as on its page: the terms that matched, weak ones marked, or "by hand".
  function why(m) {
    if (m.manual) return " (placed by hand)";
    if (!m.terms.length) return "";
    return " (" + m.terms.map((t) => t + (m.weak_terms.includes(t) ? " (weak)" : "")).join(", ") + ")";
  }

  function render(form, papers, themeNames, base) {
    const state = formState(form);
    writeState(state);
    const min = parseInt(state.upvotes, 10) || 0;
    const shown = papers.filter((p) =>
      (!state.theme || p.themes.includes(state.theme)) &&
      (!state.year || (p.date || "").slice(0, 4) === state.year) &&
      (!state.org || p.organization_id === state.org) &&
      (!state.code || p.has_code) &&
      (min === 0 || (p.upvotes || 0) >= min)
    ).sort(compare(state.sort));
    document.getElementById("pa-browse-count").textContent =
      shown.length + " of " + papers.length + " papers";
    const list = document.getElementById("pa-browse-results");
    list.replaceChildren(...shown.map((p) => {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = base + p.url;
      link.textContent = p.title;
      const facts = document.createElement("div");
      facts.className = "pa-browse-facts";
      const parts = [p.date ? p.date + (p.date_inferred ? " (year inferred)" : "") : "undated"];
      if (p.upvotes !== null) parts.push(p.upvotes + (p.upvotes === 1 ? " upvote" : " upvotes"));
      if (p.organization) parts.push(p.organization);
      if (p.has_code) parts.push("code");
      parts.push((p.placements || []).map((m) => (themeNames[m.theme] || m.theme) + why(m)).join("; "));
      facts.textContent = parts.join(" · ");
      item.append(link, facts);
      return item;
    }));
  }

  async function init() {
    const form = document.getElementById("pa-browse");
    if (!form || form.dataset.ready) return;
    form.dataset.ready = "1";
    const papersUrl = new URL("papers.json", SITE_ROOT);
    const base = SITE_ROOT;
    const papers = await (await fetch(papersUrl)).json();
    // The generator wrote the options (themes, years, organizations) into the form.
    const themeNames = {};
    for (const el of form.theme.options) if (el.value) themeNames[el.value] = el.textContent;
    applyState(form, readState());
    const update = () => render(form, papers, themeNames, base);
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.addEventListener("reset", () => setTimeout(update, 0));
    form.addEventListener("submit", (event) => event.preventDefault());
    update();
  }

  // Material's instant navigation swaps pages without reloading scripts.
  if (typeof document$ !== "undefined") document$.subscribe(init);
  else document.addEventListener("DOMContentLoaded", init);
})();
