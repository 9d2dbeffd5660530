"""URLs in abstracts: http/https only, without the sentence punctuation or LaTeX around them."""

from __future__ import annotations

import pytest

from generator.corpus import load_corpus
from generator.links import extract_links
from helpers import make_corpus


@pytest.mark.parametrize("abstract, links", [
    # sentence full stop after the URL (real: 000:48)
    ("This paper can be obtained from https://github.com/thunlp/MoEfication.",
     ("https://github.com/thunlp/MoEfication",)),
    # URL at the very end, no punctuation (real: 002:83)
    ("Code is publicly available on https://github.com/lzhan94swu/SCLCS",
     ("https://github.com/lzhan94swu/SCLCS",)),
    # inside parentheses, then a full stop (real: 002:199)
    ("How the Human Brain Makes Sense of Natural Scenes (http://algonauts.csail.mit.edu). This installment",
     ("http://algonauts.csail.mit.edu",)),
    # LaTeX leftover glued to the URL (real: 001:15)
    ("Please check our https://github.com/harlanhong/ICCV2023-MCNET{Project}.",
     ("https://github.com/harlanhong/ICCV2023-MCNET",)),
    # a trailing slash is part of the URL, the full stop is not (real: 003:157)
    ("Please check our webpage at https://sites.google.com/view/stablediffusion-with-brain/. Code is at "
     "https://github.com/yu-takagi/StableDiffusionReconstruction.",
     ("https://sites.google.com/view/stablediffusion-with-brain/",
      "https://github.com/yu-takagi/StableDiffusionReconstruction")),
    # dots inside the path stay, the final one goes (real: 004:102)
    ("Supplementary Materials at: https://doi.org/10.1016/j.nlp.2025.100163.",
     ("https://doi.org/10.1016/j.nlp.2025.100163",)),
    ("Our code is available at https://TheOtherMind.github.io.", ("https://TheOtherMind.github.io",)),
    # other trailing punctuation
    ("see https://a.example.org/x, https://b.example.org/y; and https://c.example.org/z!",
     ("https://a.example.org/x", "https://b.example.org/y", "https://c.example.org/z")),
    ("(see https://example.org/a)", ("https://example.org/a",)),
    ("[https://example.org/b]", ("https://example.org/b",)),
    ('"https://example.org/q"', ("https://example.org/q",)),
    # balanced brackets belong to the URL
    ("see https://en.wikipedia.org/wiki/Hopfield_network_(model).",
     ("https://en.wikipedia.org/wiki/Hopfield_network_(model)",)),
    # query strings and fragments stay
    ("at https://example.org/search?q=brain&page=2#top.", ("https://example.org/search?q=brain&page=2#top",)),
    # each URL once, in order of appearance
    ("https://x.example.org/1 then https://y.example.org/2 then https://x.example.org/1 again",
     ("https://x.example.org/1", "https://y.example.org/2")),
    # upper-case scheme still counts
    ("HTTPS://EXAMPLE.ORG/UP", ("HTTPS://EXAMPLE.ORG/UP",)),
])
def test_links_are_extracted_and_trimmed(abstract, links):
    assert extract_links(abstract) == links


@pytest.mark.parametrize("abstract", [
    "Click javascript:alert(1) to continue.",
    "javascript:void(0)",
    "ftp://files.example.org/data.tar.gz",
    "mailto:someone@example.org",
    "data:text/html;base64,PHNjcmlwdD4=",
    "file:///etc/passwd",
    "Code on github.com/someone/repo and www.example.org.",
    "No link here at all.",
    "The word https alone, and http: too.",
])
def test_non_http_urls_and_plain_text_give_no_links(abstract):
    assert extract_links(abstract) == ()


def test_links_reach_the_merged_paper(tmp_path):
    header = "Get trending papers in your email inbox once a day!\nGet trending papers in your email inbox!\n"
    corpus = load_corpus(make_corpus(tmp_path / "c", {"a.txt": header + (
        "SubscribeImplicit Identity Representation Conditioned Memory Compensation Network\n"
        "Please check our https://github.com/harlanhong/ICCV2023-MCNET{Project}.\n"
        "Bare Paper\n"
        "Run javascript:alert(1) and ftp://example.org/x for nothing.\n"
    )}), with_related=False)
    links = {p.title: p.links for p in corpus.papers}
    assert links == {
        "Implicit Identity Representation Conditioned Memory Compensation Network":
            ("https://github.com/harlanhong/ICCV2023-MCNET",),
        "Bare Paper": (),
    }
