// Search worker for Material for MkDocs, backed by Pagefind.
//
// Material's search box talks to a web worker in a small message protocol
// (SETUP -> READY, QUERY -> RESULT; see Material's
// src/templates/assets/javascripts/integrations/search/worker/message). This
// worker speaks that protocol but answers from Pagefind's index, which is
// split into chunks fetched on demand: the first query downloads a few hundred
// kilobytes whatever the size of the corpus. docs/overrides/main.html points
// Material at this file; docs/javascripts/search.js is its helper in the page.
//
// A query goes through these steps before and after Pagefind sees it:
//   1. words: lower case, split at hyphens and punctuation, stop words dropped;
//      "quoted phrases" kept as phrases;
//   2. each word is checked: Pagefind either finds the word's stem (or words
//      it begins, while the word is being typed), or falls back to some short
//      prefix of it ("hop" for "hopfeild"). A fallback counts as no match, and
//      the word is corrected against the site's own vocabulary
//      (search/vocabulary.txt, fetched only then) by edit distance;
//   3. Pagefind searches all remaining words together; if that finds nothing,
//      the pages that hold any of them are ranked instead (OR), each showing
//      the words it lacks;
//   4. pages holding a quoted phrase come first, then pages holding more of
//      the words in their exact form (Pagefind's stemming otherwise ranks
//      "memory" papers for "memorization"), then Pagefind's score.
// Material counts the items of a result: every match is sent, but only the
// first PAGE are loaded (about what the box shows before it is scrolled); the
// others are placeholders that search.js asks this worker to fill as they come
// into view. Each loaded page costs a fetch of its fragment (about 1 kB).

const SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;
const PAGE = 6;               // results loaded with the answer; the rest load as they come into view
const EXCERPT_WORDS = 32;     // words of abstract in an excerpt
const SETTLE_MS = 120;        // Material sends a query per keystroke; answer only the last of a burst
const PREFIX_MATCH = 5;       // letters a word form on a page shares with a query word to be highlighted for it
// This file is <site>/javascripts/search-worker.js.
const ROOT = new URL("../", self.location.href);
const VOCABULARY = new URL("search/vocabulary.txt", ROOT);
const STOP_WORDS = new Set((
  "a about above after again all also am an and any are as at be been before being below between both but by " +
  "can could did do does doing down during each few for from further had has have having he her here hers how " +
  "i if in into is it its itself just me more most my no nor not now of off on once only or other our ours out " +
  "over own per same she should so some such than that the their theirs them then there these they this those " +
  "through to too under until up very via vs was we were what when where which while who whom why will with " +
  "would you your yours"
).split(" "));

let pagefind = null;
let vocabulary = null;
let latest = 0;
let shown = null;             // {ticket, ranked, words} of the last answer, for filling placeholders

// ---------------------------------------------------------------- loading

function loadPagefind() {
  if (!pagefind) {
    pagefind = (async () => {
      const module = await import(new URL("pagefind/pagefind.js", ROOT).href);
      await module.options({ baseUrl: ROOT.pathname, excerptLength: EXCERPT_WORDS });
      await module.init();
      return module;
    })();
  }
  return pagefind;
}

// search/vocabulary.txt: "word count" per line, most frequent first (generator/vocabulary.py).
function loadVocabulary() {
  if (!vocabulary) {
    vocabulary = fetch(VOCABULARY).then((response) => response.ok ? response.text() : "").then((text) =>
      text.split("\n").map((line) => line.split(" ")).filter((pair) => pair.length === 2)
        .map(([word, count]) => [word, Number(count)]))
      .catch(() => []);
  }
  return vocabulary;
}

// ---------------------------------------------------------------- text

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function tokens(text) {
  return text.normalize("NFKC").toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

function unique(list) {
  return [...new Set(list)];
}

// The words and "quoted phrases" of a query. Stop words are dropped unless
// nothing else is left; phrases keep theirs ("needle in a haystack").
function parseQuery(query) {
  const phrases = [];
  const unquoted = query.replace(/"([^"]*)("|$)/g, (_, phrase) => {
    const words = tokens(phrase);
    if (words.length > 1) phrases.push(words.join(" "));
    return ` ${phrase} `;
  });
  const all = unique(tokens(unquoted));
  const kept = all.filter((word) => !STOP_WORDS.has(word));
  return { words: kept.length ? kept : all, phrases };
}

function commonPrefix(a, b) {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

// The indexed words of a loaded result at `locations` (the positions Pagefind
// matched, a result's `words`), compounds split.
function matchedWords(data, locations) {
  const words = data.content.split(/[\r\n\s]+/g);
  return unique([...locations].flatMap((location) => tokens(words[location] || "")));
}

// Optimal string alignment distance (Damerau-Levenshtein with adjacent
// transpositions), stopping once every path exceeds `max`.
function editDistance(a, b, max) {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let before = null, previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (before && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, before[j - 2] + 1);
      current.push(value);
      best = Math.min(best, value);
    }
    if (best > max) return max + 1;
    before = previous;
    previous = current;
  }
  return Math.min(previous[b.length], max + 1);
}

// The closest vocabulary word: fewest edits (1 for short words, 2 otherwise),
// then the most frequent (the list is sorted by frequency).
async function correct(word) {
  if (word.length < 4 || /\d/.test(word)) return null;
  const max = word.length <= 5 ? 1 : 2;
  let best = null, bestDistance = max + 1;
  for (const [candidate] of await loadVocabulary()) {
    if (candidate === word) continue;
    const distance = editDistance(word, candidate, Math.min(max, bestDistance - 1));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
      if (distance === 1) break;
    }
  }
  return best;
}

// ---------------------------------------------------------------- searching

const ids = (found) => new Set(found.results.map((result) => result.id));
const known = new Map();  // word -> Promise<{word, found, exact}>

// Does Pagefind find this word, and on which pages in exactly this form (its stem)?
function lookUp(engine, word) {
  if (!known.has(word)) {
    known.set(word, (async () => {
      const exact = await engine.search(`"${word}"`);
      if (exact.results.length) return { word, found: true, exact: ids(exact), results: exact.results };
      const loose = await engine.search(word);
      if (!loose.results.length) return { word, found: false, exact: new Set() };
      // No word has this one's stem, so only a word that begins with it (it
      // is being typed) counts, not the shorter prefix Pagefind falls back to
      // when nothing begins with it ("hop" for "hopfeild").
      const data = await loose.results[0].data();
      const found = matchedWords(data, loose.results[0].words).some((w) => commonPrefix(w, word) >= word.length - 1);
      return { word, found, exact: new Set() };
    })());
  }
  return known.get(word);
}

async function wordsFound(engine, words) {
  const looked = await Promise.all(words.map((word) => lookUp(engine, word)));
  const result = [], missing = [], corrections = {};
  for (const entry of looked) {
    if (entry.found) { result.push(entry); continue; }
    const better = await correct(entry.word);
    if (better) {
      const fixed = await lookUp(engine, better);
      if (fixed.found) { result.push(fixed); corrections[entry.word] = better; continue; }
    }
    missing.push(entry.word);
  }
  return { found: result, missing, corrections };
}

// All words together; when that finds nothing, every page with any of them.
// When every word was found in its exact form, the pages holding all of them
// come from those lookups, without another search: for very common words
// ("model": 9,000 of 10,000 pages) each Pagefind search costs a few hundred
// milliseconds. Those pages rank first anyway, so when they fill a page of
// results they are answered at once (`complete` false), and the stemmed search
// of all the words, which adds the pages holding other forms ("brains"), follows
// with the true count.
async function matchPages(engine, found, complete) {
  const words = found.map((entry) => entry.word);
  // A page: Pagefind's result (for its fragment), a score, the query words it
  // holds and the positions of their forms on it (every search's `words`).
  const page = (result, score, has) => ({ result, score, has: new Set(has), at: new Set(result.words) });
  const holds = (known, held, result) => {
    for (const word of held) known.has.add(word);
    for (const location of result.words) known.at.add(location);
  };
  let pages = new Map();
  if (found.every((entry) => entry.results)) {
    for (const result of found[0].results) pages.set(result.id, page(result, result.score, [words[0]]));
    for (const entry of found.slice(1)) {
      const both = new Map();
      for (const result of entry.results) {
        const known = pages.get(result.id);
        if (!known) continue;
        known.score += result.score;
        holds(known, [entry.word], result);
        both.set(result.id, known);
      }
      pages = both;
    }
    if (pages.size >= PAGE && !complete) return [...pages.values()];
  }
  // Pagefind scores every page of an exact ("quoted") search alike, so the pages taken from the
  // lookups get the score of this search of all the words, which ranks them by relevance.
  const together = await engine.search(words.join(" "));
  for (const result of together.results) {
    const known = pages.get(result.id);
    if (!known) { pages.set(result.id, page(result, result.score, words)); continue; }
    known.score = result.score;
    holds(known, [], result);
  }
  if (pages.size || found.length === 1) return [...pages.values()];
  for (const entry of found) {
    for (const result of (await engine.search(entry.word)).results) {
      const known = pages.get(result.id) || page(result, 0, []);
      known.score += result.score;
      holds(known, [entry.word], result);
      pages.set(result.id, known);
    }
  }
  return [...pages.values()];
}

// While the last word has only its first letter or two ("notice sq"), the
// others answer alone: a word's first letters lie in other index chunks than
// the word, and fetching them would be wasted.
const TYPING_MIN = 3;

async function rank(engine, query, complete) {
  const { words, phrases } = parseQuery(query);
  const typing = query.match(/([\p{L}\p{N}]+)$/u);
  if (typing && words.length > 1 && typing[1].length < TYPING_MIN && words[words.length - 1] === typing[1].toLowerCase())
    words.pop();
  if (!words.length) return null;
  const { found, missing, corrections } = await wordsFound(engine, words);
  if (!found.length) return { ranked: [], words: [], missing, corrections };
  const fast = !complete && found.every((entry) => entry.results);
  const pages = await matchPages(engine, found, !fast);
  const phraseSets = await Promise.all(phrases.map(async (phrase) => ids(await engine.search(`"${phrase}"`))));
  for (const page of pages) {
    page.phrases = phraseSets.filter((set) => set.has(page.result.id)).length;
    page.exact = found.filter((entry) => entry.exact.has(page.result.id)).length;
  }
  pages.sort((a, b) => b.has.size - a.has.size || b.phrases - a.phrases || b.exact - a.exact || b.score - a.score);
  return { ranked: pages, words: found.map((entry) => entry.word), missing, corrections,
           partial: fast && pages.length >= PAGE };
}

// ---------------------------------------------------------------- answering

function relativeLocation(url) {
  // Pagefind answers with root-relative URLs ("/papers/x/"); Material resolves
  // locations against the site's base, so drop the root's own path.
  const path = new URL(url, ROOT).pathname;
  return path.startsWith(ROOT.pathname) ? path.slice(ROOT.pathname.length) : path.replace(/^\//, "");
}

// Pagefind indexes each page with a space before the hyphen of a compound
// ("language -based": generator/render/vocabulary.py, spaced_compounds), so
// that it holds the words and not "languagebased" too; text shown from the
// index gets its compounds back.
const COMPOUND_TAIL = /^-\p{L}/u;
const unspaced = (text) => text.replace(/ -(?=\p{L})/gu, "-");

// An excerpt of the abstract: the title (the first words of the indexed text)
// is skipped, the window with the most matches is kept, and every word is
// escaped before the matches are marked, so dump text never becomes markup.
function excerpt(data, locations) {
  const words = data.content.split(/[\r\n\s]+/g);
  const title = (data.meta.title || "").trim();
  const start = title ? title.split(/\s+/).length : 0;
  const marks = new Set(locations);
  let from = start, best = -1;
  for (let i = start; i < Math.max(start + 1, words.length - EXCERPT_WORDS + 1); i++) {
    let count = 0;
    for (let j = i; j < i + EXCERPT_WORDS; j++) if (marks.has(j)) count++;
    if (count > best) { best = count; from = i; }
  }
  while (from > start && COMPOUND_TAIL.test(words[from])) from--;  // "high -level": from "high"
  const shown = words.slice(from, from + EXCERPT_WORDS).map((word, k) => {
    const tail = k > 0 && COMPOUND_TAIL.test(word);  // "-world" of "real -world": joined, its hyphen unmarked
    const text = tail ? word.slice(1) : word;
    return (tail ? "-" : " ") + (marks.has(from + k) ? `<mark>${escapeHtml(text)}</mark>` : escapeHtml(text));
  });
  return (from > start ? "…" : "") + shown.join("").slice(from > start ? 0 : 1) +
    (from + EXCERPT_WORDS < words.length ? " …" : "");
}

// Material's item for a loaded page. terms: the forms of the query words
// found on the page (Material puts the true ones in the result link's ?h=, for
// highlighting there) and the words it lacks or nothing matched (false: shown
// as "Missing" and struck through).
async function item(page, words, missing, score) {
  const data = await page.result.data();
  const terms = {};
  for (const word of missing) terms[word] = false;
  const onPage = matchedWords(data, page.at);
  for (const word of words) {
    const forms = onPage.filter((w) => commonPrefix(w, word) >= Math.min(word.length, PREFIX_MATCH));
    if (page.has.has(word) && forms.length) for (const form of forms) terms[form] = true;
    else if (page.has.has(word)) terms[word] = true;
    else terms[word] = false;
  }
  return {
    location: relativeLocation(data.url),
    title: escapeHtml(data.meta.title ? unspaced(data.meta.title) : data.url),
    text: excerpt(data, page.at),
    score,
    terms,
    words: onPage,
  };
}

function placeholder(ticket, index, score) {
  return { location: "", title: `<span class="pa-pending" data-pa-ticket="${ticket}" data-pa-index="${index}">…</span>`,
           text: "", score, terms: {} };
}

// Material's suggestion: the word being typed, completed from the best page's words.
// Material writes the query and the suggestion into the page (components/
// search/suggest); a query holding markup gets none, whatever Material escapes.
function suggestion(query, first) {
  const typed = query.match(/([\p{L}\p{N}]+)$/u);
  if (!typed || !first || /[<>&]/.test(query)) return [];
  const prefix = typed[1].toLowerCase();
  const word = first.words.find((w) => w.length > prefix.length && w.startsWith(prefix));
  return word ? [typed[1] + word.slice(prefix.length)] : [];
}

// The answer to a query; `partial` when the pages holding other word forms
// are still to come (then answer(query, ticket, true) gives the whole list).
async function answer(query, ticket, complete) {
  if (!query.trim()) return { items: [] };
  const engine = await loadPagefind();
  const found = await rank(engine, query, complete);
  if (!found || !found.ranked.length) return { items: [] };
  const { ranked, words, missing } = found;
  shown = { ticket, ranked, words, missing };
  const score = (i) => ranked.length - i;  // Material's Enter key opens the highest score: keep our order
  const loaded = await Promise.all(ranked.slice(0, PAGE).map((page, i) => item(page, words, missing, score(i))));
  const items = ranked.map((_, i) => [i < PAGE ? loaded[i] : placeholder(ticket, i, score(i))]);
  return { items, suggest: suggestion(query, loaded[0]), partial: found.partial };
}

// Fetch the index chunks of the words typed so far while the burst settles
// (as Pagefind's own debouncedSearch does), but not for a word's first
// letters: "n" and "no" lie in other chunks than "notice", fetched for nothing.
// The words already finished (a space or mark typed after them) are looked up at
// once, while the rest is typed: their answers wait in `known` for the query.
function preload(query) {
  const { words } = parseQuery(query);
  const typing = /[\p{L}\p{N}]$/u.test(query) ? words[words.length - 1] : null;
  const finished = words.filter((word) => word !== typing);
  if (finished.length && pagefind)
    pagefind.then((engine) => Promise.all(finished.map((word) => lookUp(engine, word)))).catch(() => {});
}

// ---------------------------------------------------------------- messages

// The page's helper (search.js) talks on a channel named by the token in this
// worker's address (main.html): "warm" when the box is first focused, "fill"
// for placeholders Material has shown.
const token = self.location.hash.slice(1);
const channel = token && typeof BroadcastChannel !== "undefined" ? new BroadcastChannel(`paper-atlas-search:${token}`) : null;
if (channel) {
  channel.addEventListener("message", async (event) => {
    const message = event.data || {};
    if (message.type === "warm") {
      loadPagefind().catch((error) => console.warn("search could not load", error));
    } else if (message.type === "fill" && shown && message.ticket === shown.ticket) {
      const { ticket, ranked, words, missing } = shown;
      const indices = message.indices.filter((i) => Number.isInteger(i) && i >= 0 && i < ranked.length);
      const items = await Promise.all(indices.map(async (i) => {
        const entry = await item(ranked[i], words, missing, ranked.length - i);
        const url = new URL(entry.location, ROOT);
        const highlight = Object.keys(entry.terms).filter((term) => entry.terms[term]).join(" ");
        if (highlight) url.searchParams.set("h", highlight);
        return { index: i, href: url.href, title: entry.title, text: entry.text };
      }));
      channel.postMessage({ type: "filled", ticket, items });
    }
  });
}

addEventListener("message", async (event) => {
  const message = event.data;
  if (message.type === SETUP) {
    // Pagefind loads on the first focus of the box (search.js) or the first query, not with every page.
    postMessage({ type: READY });
  } else if (message.type === QUERY) {
    const ticket = ++latest;
    preload(message.data);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    if (ticket !== latest) return;  // a newer query arrived: skip this one
    let data;
    try {
      data = await answer(message.data, ticket, false);
      if (data.partial && ticket === latest) {
        postMessage({ type: RESULT, data });  // the exact-form pages first; the rest follow
        data = await answer(message.data, ticket, true);
      }
    } catch (error) {
      console.warn("search failed", error);
      data = { items: [] };
    }
    if (ticket === latest) postMessage({ type: RESULT, data });
  }
});
