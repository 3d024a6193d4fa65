"""The gold texts are the seed texts minus their boilerplate, nothing else.

The seed texts (copied from shared/seed-texts) are naive scrapes of the two pages the fixture
site reproduces. Removing exactly the boilerplate the product must remove, and the title (which is
metadata), must leave the gold text that the extraction tests compare against.
"""

from __future__ import annotations

import json

import pytest

from tests.servers.http import SITE
from tests.warcs import normalise

SEEDS = SITE / "seed-texts"
SDK = """(function(d, s, id) {
var js, fjs = d.getElementsByTagName(s)[0];
if (d.getElementById(id)) return;
js = d.createElement(s); js.id = id;
js.src = “//connect.facebook.net/es_ES/sdk.js#xfbml=1&version=v2.8”;
fjs.parentNode.insertBefore(js, fjs);
}(document, ‘script’, ‘facebook-jssdk’));"""
BIO = (
    "I’m Wayne Wickman, a professional journalist and author for Today Times Live. My specialty "
    "is covering global news and current events, offering readers a unique perspective on the "
    "world’s most pressing issues. I’m passionate about storytelling and helping people stay "
    "informed on the goings-on of our planet."
)
COMMENT_FORM = ["Please enter your comment!", "Please enter your name here"]
CASES = {
    "000_d23f46d728d81e85.txt": (
        "nato-increase-arms-production-ukraine",
        [
            "NATO needs to ‘increase arms production’ to support Ukraine long-term",  # title
            "related news",
            "[La OTAN realizará ejercicios con armas nucleares tras la amenaza de Putin de "
            "usarlas]",
            "German Defense Minister Christine Lambrecht at a NATO meeting on Wednesday",  # caption
            "Russian-Ukrainian War",  # tag list
            *COMMENT_FORM,
        ],
    ),
    "004_14b9335c84e311bd.txt": (
        "stoltenberg-allies-more-air-defense",
        [SDK, BIO],
    ),
}


@pytest.mark.parametrize("seed", sorted(CASES))
def test_gold_text_is_the_seed_text_minus_its_boilerplate(seed: str) -> None:
    slug, boilerplate = CASES[seed]
    text = normalise((SEEDS / seed).read_text("utf-8"))
    for piece in boilerplate:
        assert normalise(piece) in text, piece
        text = text.replace(normalise(piece), " ", 1)
    gold = json.loads((SITE / "gold" / f"{slug}.json").read_text("utf-8"))
    assert normalise(text) == normalise(gold["text"])
    for piece in boilerplate:
        assert normalise(piece) not in normalise(gold["text"])
