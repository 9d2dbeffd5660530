// The page's side of search (docs/javascripts/search-worker.js is the worker).
//
// Material's search box reads the query on keyup and counts the items the
// worker sends. This helper adds three things Material's protocol has no
// message for, on a BroadcastChannel named by the token main.html put in the
// worker's address:
//   * the first focus of the box asks the worker to load Pagefind, so nothing
//     of search is fetched on pages where nobody searches;
//   * text that arrives without a key (pasted, dropped, chosen from the
//     browser's autofill) is searched at once;
//   * results beyond the first few arrive as placeholders, which Material
//     renders ten at a time as the list is scrolled; each placeholder is
//     filled in here, with the title, link and excerpt the worker loads for
//     it, once it has come into view (or been scrolled past).
(function () {
  var name = window.paperAtlasSearchChannel;
  if (!name || window.paperAtlasSearchReady || typeof BroadcastChannel === "undefined") return;
  window.paperAtlasSearchReady = true;
  var channel = new BroadcastChannel(name);
  var warmed = false;

  document.addEventListener("focusin", function (event) {
    if (!warmed && event.target.matches && event.target.matches(".md-search__input")) {
      warmed = true;
      channel.postMessage({ type: "warm" });
    }
  });

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches(".md-search__input") && !event.isComposing)
      event.target.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
  });

  // Placeholders: <span class="pa-pending" data-pa-ticket data-pa-index> in a result's title.
  // Those above the bottom of the scrolled list are asked for: each costs the worker a fetch.
  var asked = new Set();
  function fillShown() {
    var byTicket = {};
    var wrap = document.querySelector(".md-search__scrollwrap");
    var bottom = wrap ? wrap.getBoundingClientRect().bottom : Infinity;
    document.querySelectorAll(".md-search-result__list .pa-pending").forEach(function (span) {
      var key = span.dataset.paTicket + ":" + span.dataset.paIndex;
      if (asked.has(key) || span.getBoundingClientRect().top > bottom) return;
      asked.add(key);
      (byTicket[span.dataset.paTicket] = byTicket[span.dataset.paTicket] || []).push(Number(span.dataset.paIndex));
    });
    Object.keys(byTicket).forEach(function (ticket) {
      channel.postMessage({ type: "fill", ticket: Number(ticket), indices: byTicket[ticket] });
    });
  }

  channel.addEventListener("message", function (event) {
    var message = event.data || {};
    if (message.type !== "filled") return;
    message.items.forEach(function (entry) {
      var span = document.querySelector('.pa-pending[data-pa-ticket="' + message.ticket + '"][data-pa-index="' + entry.index + '"]');
      if (!span) return;  // a newer query replaced the list
      var link = span.closest("a");
      var article = span.closest("article");
      link.href = entry.href;
      // title and text are escaped by the worker, exactly as Material gets them for the first page.
      span.parentNode.innerHTML = entry.title;
      article.insertAdjacentHTML("beforeend", entry.text);
    });
  });

  var scheduled = false;
  function fillSoon() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(function () { scheduled = false; fillShown(); });
  }

  function watch() {
    var list = document.querySelector(".md-search-result__list");
    var wrap = document.querySelector(".md-search__scrollwrap");
    if (!list) return;
    new MutationObserver(fillSoon).observe(list, { childList: true });
    if (wrap) wrap.addEventListener("scroll", fillSoon, { passive: true });
    window.addEventListener("resize", fillSoon);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  else watch();
})();
