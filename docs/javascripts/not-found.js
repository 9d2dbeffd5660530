// 404 page: name the missing address, offer a search for its words, and
// suggest the closest paper: Pagefind's best match for the words of the
// address (it fetches only the index chunks those words need).
(function () {
  "use strict";
  const script = document.currentScript;
  const root = new URL(script.dataset.root, window.location.href);

  const path = decodeURIComponent(window.location.pathname);
  document.getElementById("pa-missing").textContent = path;
  const segment = path.replace(/\/+$/, "").split("/").pop().replace(/\.html?$/, "");
  const words = segment.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 1).join(" ");
  const search = document.getElementById("pa-search-link");
  if (words) {
    search.href = new URL("?q=" + encodeURIComponent(words), root).href;
    search.textContent = "Search for “" + words + "”";
  }

  async function suggest() {
    if (!words) return;
    const pagefind = await import(new URL("pagefind/pagefind.js", root).href);
    // All the words first; failing that (a typo in one), the page most of them find.
    let best = null;
    const found = await pagefind.search(words);
    if (found && found.results.length) best = found.results[0];
    else {
      const votes = new Map();
      for (const word of words.split(" ").slice(0, 8)) {
        const each = await pagefind.search(word);
        for (const result of (each ? each.results.slice(0, 20) : [])) {
          const vote = votes.get(result.id) || { result, count: 0 };
          vote.count += 1;
          votes.set(result.id, vote);
        }
      }
      const ranked = [...votes.values()].sort((a, b) => b.count - a.count);
      if (ranked.length && ranked[0].count > 1) best = ranked[0].result;
    }
    if (!best) return;
    const page = await best.data();
    // Pagefind answers with root-relative URLs; the site may live below a path.
    const url = new URL(page.url.replace(/^\//, ""), root);
    const link = document.getElementById("pa-closest-link");
    link.href = url.href;
    // The index spaces compounds ("language -based", generator/render/vocabulary.py): join them again.
    link.textContent = page.meta.title ? page.meta.title.replace(/ -(?=\p{L})/gu, "-") : url.pathname;
    document.getElementById("pa-closest").hidden = false;
  }
  suggest().catch(() => {});  // no suggestion is the fallback; search stays offered
})();
