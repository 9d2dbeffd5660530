"""Why a paper is in a theme, as a visitor sees it in headless Chromium: paper page, theme page, browse.

Uses the real corpus's site (built once per session). The paper "Arithmetic
Without Algorithms" is in Mechanistic interpretability on two weak terms;
"Future Lens" is placed there by hand (corpus/themes.yml's include list).
"""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TIMEOUT = 15_000  # ms
ARITHMETIC = "papers/arithmetic-without-algorithms-language-models-solve-math-with-a-bag-of-fa594f76/"
FUTURE_LENS = "Future Lens: Anticipating Subsequent Tokens from a Single Hidden State"
SHOTS = os.environ.get("SCREENSHOTS")  # a folder to keep screenshots in, for looking at them


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=False)


def test_paper_page_says_which_terms_placed_it_and_that_they_are_weak(page, real_site_url):
    page.goto(real_site_url + ARITHMETIC)
    themes = page.locator("h2#themes + ul li")
    expect(themes).to_have_count(1, timeout=TIMEOUT)
    expect(themes.first).to_have_text(
        "Mechanistic interpretability: matched weak terms only: circuit, causal analysis · score 1.21")
    expect(themes.first.locator("a")).to_have_attribute("href", re.compile(r"/themes/mechanistic-interpretability/$"))
    themes.first.scroll_into_view_if_needed()
    shot(page, "paper-themes")


def test_theme_page_says_why_each_paper_is_here(page, real_site_url):
    page.goto(real_site_url + "themes/mechanistic-interpretability/")
    item = page.locator("li", has=page.get_by_role("link", name=FUTURE_LENS, exact=True))
    expect(item).to_contain_text("Why here: placed by hand (the theme's include list); it also matched "
                                 "hidden state* (weak)", timeout=TIMEOUT)
    arithmetic = page.locator("li", has=page.locator(f"a[href$='{ARITHMETIC}']"))
    expect(arithmetic).to_contain_text("Why here: matched weak terms only: circuit, causal analysis")
    expect(page.get_by_text("Weak terms (a paper needs two of them")).to_be_visible()
    item.scroll_into_view_if_needed()
    shot(page, "theme-why")


def test_browse_entries_say_why_a_paper_is_in_each_theme(page, real_site_url):
    page.goto(real_site_url + "browse/?theme=mechanistic-interpretability&sort=title")
    entry = page.locator("#pa-browse-results li", has=page.get_by_role("link", name=FUTURE_LENS, exact=True))
    expect(entry.locator(".pa-browse-facts")).to_contain_text("Mechanistic interpretability (placed by hand)",
                                                              timeout=TIMEOUT)
    arithmetic = page.locator("#pa-browse-results li", has=page.locator(f"a[href$='{ARITHMETIC}']"))
    expect(arithmetic.locator(".pa-browse-facts")).to_contain_text(
        "Mechanistic interpretability (circuit (weak), causal analysis (weak))")
    shot(page, "browse-why")
