// Browse page: filter, sort and page through data/browse.json.gz in the browser.
// The state lives in the URL's query string (?q=…&theme=a&theme=b&year=…|undated
// &org=…&upvotes=…&code=1&sort=…&page=…), so a filtered view can be linked, and
// each change is a history entry: Back and Forward step through them.
// Paper text is untrusted: it is only ever set with textContent, never as HTML.
(function () {
  "use strict";

  const SINGLE = ["q", "year", "org", "upvotes", "code", "sort", "page"];
  const PER_PAGE = 50;
  const HISTORY_DELAY = 800; // ms: typing a word makes one history entry, not one per key
  // This script is site/javascripts/browse.js, so the site root is one level up,
  // whatever page instant navigation has since moved to.
  const SITE_ROOT = new URL("../", document.currentScript.src).href;

  let data = null; // {rows, themeNames, orgNames, url(slug)} once loaded
  let pending = null;

  function readState() {
    const params = new URLSearchParams(window.location.search);
    const state = { theme: params.getAll("theme") };
    for (const key of SINGLE) state[key] = params.get(key) || "";
    return state;
  }

  function query(state) {
    const params = new URLSearchParams();
    if (state.q.trim()) params.set("q", state.q.trim());
    for (const theme of state.theme) params.append("theme", theme);
    for (const key of ["year", "org", "code"]) if (state[key]) params.set(key, state[key]);
    if (state.upvotes && state.upvotes !== "0") params.set("upvotes", state.upvotes);
    if (state.sort && state.sort !== "date") params.set("sort", state.sort);
    if (state.page && state.page !== "1") params.set("page", state.page);
    const text = params.toString();
    return text ? "?" + text : "";
  }

  function formState(form, page) {
    return {
      q: form.q.value,
      theme: Array.from(form.querySelectorAll("input[name=theme]:checked"), (el) => el.value),
      year: form.year.value,
      org: form.org.value,
      upvotes: form.upvotes.value || "0",
      code: form.code.checked ? "1" : "",
      sort: form.sort.value,
      page: String(page || 1),
    };
  }

  function applyState(form, state) {
    form.q.value = state.q;
    for (const el of form.querySelectorAll("input[name=theme]")) el.checked = state.theme.includes(el.value);
    form.year.value = state.year;
    form.org.value = state.org;
    form.upvotes.value = state.upvotes || "0";
    form.code.checked = state.code === "1";
    form.sort.value = state.sort || "date";
  }

  // Why a paper is in a theme, from the data's codes: "h" by hand, a term's index (~index: weak), "+" more.
  function why(codes, terms) {
    if (codes[0] === "h") return "placed by hand";
    const named = codes.filter((c) => c !== "+").map((c) => (c < 0 ? terms[~c] + " (weak)" : terms[c]));
    return named.join(", ") + (codes.includes("+") ? " …" : "");
  }

  // A day number (days since 1970-01-01) as YYYY-MM-DD.
  function isoDay(days) {
    return new Date(days * 86400000).toISOString().slice(0, 10);
  }

  // Rows as objects with what filtering and sorting need precomputed, from the data's columns.
  function prepare(json) {
    const c = json.columns;
    const rows = c.slug.map((slug, i) => ({
      slug, title: c.title[i], date: c.date[i] === null ? "" : isoDay(c.date[i]), inferred: c.inferred[i] === 1,
      upvotes: c.upvotes[i], org: c.org[i] < 0 ? "" : json.orgs[c.org[i]], code: c.code[i] === 1,
      themes: c.themes[i].map((t) => json.themes[t]), snippet: c.snippet[i],
      added: c.added[i] === null ? "" : isoDay(c.added[i]),
      why: (c.why[i] || []).map((codes) => why(codes, json.terms)),
      text: (c.title[i] + " " + c.snippet[i]).toLowerCase(),
    }));
    const [before, after] = json.paper_url.split("{slug}");
    // Each order sorted once, here: a filter change then only walks one order.
    const orders = {};
    for (const sort of ["date", "added", "upvotes", "title"]) orders[sort] = rows.slice().sort(compare(sort));
    return { rows, orders, url: (slug) => SITE_ROOT + before + encodeURIComponent(slug) + after };
  }

  // The data file is gzip-compressed (what crosses the network is its size on any host);
  // the browser inflates it. A server that already sent it inflated gets it used as is.
  async function load(src) {
    const bytes = new Uint8Array(await (await fetch(src)).arrayBuffer());
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return JSON.parse(new TextDecoder().decode(bytes));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return JSON.parse(await new Response(stream).text());
  }

  function matches(state) {
    const words = state.q.toLowerCase().split(/\s+/).filter(Boolean);
    const themes = new Set(state.theme);
    const min = parseInt(state.upvotes, 10) || 0;
    return (p) =>
      words.every((w) => p.text.includes(w)) &&
      (!themes.size || p.themes.some((t) => themes.has(t))) &&
      (!state.year || (state.year === "undated" ? !p.date : p.date.slice(0, 4) === state.year)) &&
      (!state.org || p.org === state.org) &&
      (!state.code || p.code) &&
      (min === 0 || p.upvotes >= min);
  }

  const collator = new Intl.Collator(undefined, { sensitivity: "base" });

  function compare(sort) {
    const byTitle = (a, b) => collator.compare(a.title, b.title);
    if (sort === "upvotes") return (a, b) => b.upvotes - a.upvotes || byTitle(a, b);
    if (sort === "title") return byTitle;
    const key = sort === "added" ? "added" : "date";
    // Undated (or never dated) papers last.
    return (a, b) => (a[key] < b[key] ? 1 : a[key] > b[key] ? -1 : 0) || byTitle(a, b);
  }

  function item(p, labels) {
    const li = document.createElement("li");
    const link = document.createElement("a");
    link.href = data.url(p.slug);
    link.textContent = p.title;
    const facts = document.createElement("div");
    facts.className = "pa-browse-facts";
    const parts = [p.date ? p.date + (p.inferred ? " (year inferred)" : "") : "undated"];
    if (p.upvotes >= 0) parts.push(p.upvotes + (p.upvotes === 1 ? " upvote" : " upvotes"));
    if (p.org) parts.push(labels.orgs[p.org] || p.org);
    if (p.code) parts.push("code");
    // Why the paper is in each theme, as on its page: the terms that matched, weak ones marked, or by hand.
    parts.push(p.themes.map((t, i) => (labels.themes[t] || t) + (p.why[i] ? " (" + p.why[i] + ")" : "")).join("; "));
    facts.textContent = parts.join(" · ");
    const snippet = document.createElement("p");
    snippet.className = "pa-browse-snippet";
    snippet.textContent = p.snippet;
    li.append(link, facts, snippet);
    return li;
  }

  // Filter, sort and show one page; returns the state shown (page clamped).
  function show(form, state, labels) {
    const shown = (data.orders[state.sort] || data.orders.date).filter(matches(state));
    const pages = Math.max(1, Math.ceil(shown.length / PER_PAGE));
    const page = Math.min(Math.max(parseInt(state.page, 10) || 1, 1), pages);
    state.page = String(page);
    form.dataset.page = state.page;
    const first = (page - 1) * PER_PAGE;
    document.getElementById("pa-browse-count").textContent =
      shown.length + " of " + data.rows.length + " papers" +
      (pages > 1 ? ", " + (first + 1) + "–" + Math.min(first + PER_PAGE, shown.length) + " shown" : "");
    const list = document.getElementById("pa-browse-results");
    list.start = first + 1;
    list.replaceChildren(...shown.slice(first, first + PER_PAGE).map((p) => item(p, labels)));
    const nav = document.getElementById("pa-browse-pages");
    nav.hidden = pages < 2;
    document.getElementById("pa-browse-page").textContent = "Page " + page + " of " + pages;
    nav.querySelector("[data-step='-1']").disabled = page <= 1;
    nav.querySelector("[data-step='1']").disabled = page >= pages;
    return state;
  }

  // Record the state shown in the address, as a history entry. A discrete change
  // (a box ticked, a choice made, a page step) is an entry of its own; typing
  // keeps replacing one entry until a pause, so a word is one step back.
  let typing = false;
  function remember(state, discrete) {
    const target = window.location.pathname + query(state);
    clearTimeout(pending);
    if (target !== window.location.pathname + window.location.search) {
      // State null: Material's instant navigation leaves these entries to us.
      if (typing && !discrete) history.replaceState(null, "", target);
      else history.pushState(null, "", target);
    }
    typing = !discrete;
    if (typing) pending = setTimeout(() => { typing = false; }, HISTORY_DELAY);
  }

  async function init() {
    const form = document.getElementById("pa-browse");
    if (!form || form.dataset.ready) return;
    form.dataset.ready = "1";
    const labels = { themes: {}, orgs: {} };
    for (const el of form.querySelectorAll("input[name=theme]")) labels.themes[el.value] = el.parentElement.textContent.trim();
    for (const el of form.org.options) if (el.value) labels.orgs[el.value] = el.textContent;
    if (!data) data = prepare(await load(new URL(form.dataset.src, window.location.href)));
    let state = readState();
    applyState(form, state);
    state = show(form, formState(form, state.page), labels);
    history.replaceState(null, "", window.location.pathname + query(state));
    const update = (discrete) => remember(show(form, formState(form, 1), labels), discrete);
    // Text boxes answer every key; boxes and lists answer on change (which follows their input).
    form.addEventListener("input", (event) => {
      if (event.target.type === "search" || event.target.type === "number") update(false);
    });
    form.addEventListener("change", (event) => {
      if (event.target.type !== "search" && event.target.type !== "number") update(true);
    });
    form.addEventListener("reset", () => setTimeout(() => update(true), 0));
    form.addEventListener("submit", (event) => event.preventDefault());
    document.getElementById("pa-browse-pages").addEventListener("click", (event) => {
      const step = parseInt(event.target.dataset.step || "0", 10);
      if (!step) return;
      const current = parseInt(form.dataset.page, 10) || 1;
      remember(show(form, formState(form, current + step), labels), true);
      form.scrollIntoView({ block: "start" });
    });
    form.pa = { labels };
  }

  // Back / Forward between our own entries: show the state the address holds.
  window.addEventListener("popstate", () => {
    const form = document.getElementById("pa-browse");
    if (!form || !form.pa || !data) return;
    clearTimeout(pending);
    typing = false;
    const state = readState();
    applyState(form, state);
    show(form, formState(form, state.page), form.pa.labels);
  });

  // Material's instant navigation swaps pages without reloading scripts.
  if (typeof document$ !== "undefined") document$.subscribe(init);
  else document.addEventListener("DOMContentLoaded", init);
})();
