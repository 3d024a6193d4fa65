"""The news cleanup rules: each removes its boilerplate and keeps genuine sentences like it.

This file has pasted code, bios, contact lines, credits, the repeated headline, cookie banners and
the whole layer; the site-furniture rules are in test_cleanup_site.py.
"""

from __future__ import annotations

import pytest

from pipelines.extract.cleanup.rules import PageContext, clean_text
from tests.pipelines.extract.cleaning import GENUINE, assert_kept, assert_removed, cleaned

# --- script code pasted as text ------------------------------------------------------------------

SDK_CURLY = """(function(d, s, id) {
var js, fjs = d.getElementsByTagName(s)[0];
if (d.getElementById(id)) return;
js = d.createElement(s); js.id = id;
js.src = “//connect.facebook.net/es_ES/sdk.js#xfbml=1&version=v2.8”;
fjs.parentNode.insertBefore(js, fjs);
}(document, ‘script’, ‘facebook-jssdk’));"""
SDK_STRAIGHT = SDK_CURLY.translate(str.maketrans("“”‘’", "\"\"''"))
SDK_ONE_LINE = " ".join(SDK_STRAIGHT.split("\n"))


@pytest.mark.parametrize(
    "snippet",
    [SDK_CURLY, SDK_STRAIGHT, SDK_ONE_LINE, " ".join(SDK_CURLY.split("\n"))],
    ids=["curly-lines", "straight-lines", "straight-one-line", "curly-one-line"],
)
def test_facebook_sdk_pasted_as_text_is_removed(snippet: str) -> None:
    assert_removed(snippet)


def test_sdk_joined_with_text_keeps_the_text() -> None:
    assert cleaned(f"{SDK_ONE_LINE} Source: EITB") == [GENUINE, "Source: EITB"]


@pytest.mark.parametrize(
    "code",
    [
        "window.fbAsyncInit = function() {\nFB.init({appId: '123', xfbml: true});\n};",
        "(adsbygoogle = window.adsbygoogle || []).push({});",
        "googletag.cmd.push(function() { googletag.display('div-gpt-ad-1'); });",
        "var _paq = window._paq = window._paq || [];\n});",
    ],
)
def test_other_pasted_script_lines_are_removed(code: str) -> None:
    assert_removed(*code.split("\n"))


@pytest.mark.parametrize(
    "line",
    [
        "Facebook said on Tuesday it would remove the feature from its app.",
        "The council voted five to four; the mayor abstained;",
        "Shares of the company (listed as META.O) rose 3% in early trading.",
        "The function of the committee is advisory, officials said.",
        "Engineers at connect.facebook.net were not available for comment.",
    ],
)
def test_sentences_that_look_a_little_like_code_are_kept(line: str) -> None:
    assert_kept(line)


# --- author bios ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bio",
    [
        "I’m Wayne Wickman, a professional journalist and author for Today Times Live. My "
        "specialty is covering global news and current events.",
        "I'm Wayne Wickman, a professional journalist and author for Today Times Live.",
        "I am Jane Doe, an award-winning reporter covering Asia for this site.",
        "Hi, I'm Sam Ortiz, the senior editor here.",
        "My name is Anna Berg, a freelance writer based in Oslo.",
    ],
)
def test_author_bios_are_removed(bio: str) -> None:
    assert_removed(bio)


@pytest.mark.parametrize(
    "line",
    [
        "The journalist who broke the story said she had received threats.",
        "“I’m a journalist, not an activist,” she told the court.",
        "I’m told the journalist has left the country, the minister said.",
        "Wayne Wickman, a professional journalist, was among those detained.",
        "A Danish journalist was among the first to film the gas on the surface.",
    ],
)
def test_sentences_about_journalists_are_kept(line: str) -> None:
    assert_kept(line)


# --- headline ------------------------------------------------------------------------------------

TITLE = "NATO needs to ‘increase arms production’ to support Ukraine long-term"


@pytest.mark.parametrize(
    "first_line",
    [
        TITLE,
        "NATO needs to 'increase arms production' to support Ukraine long-term.",
        TITLE.upper(),
    ],
)
def test_headline_repeated_as_first_line_is_removed(first_line: str) -> None:
    assert clean_text(f"{first_line}\n{GENUINE}", title=TITLE) == GENUINE


def test_headline_stays_in_a_lead_after_text_or_without_a_title() -> None:
    lead = f"{TITLE}, Stoltenberg said on Thursday."
    assert clean_text(f"{lead}\n{GENUINE}", title=TITLE) == f"{lead}\n{GENUINE}"
    assert clean_text(f"{GENUINE}\n{TITLE}", title=TITLE) == f"{GENUINE}\n{TITLE}"
    assert clean_text(f"{TITLE}\n{GENUINE}", title=None) == f"{TITLE}\n{GENUINE}"


# --- cookie banners ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "banner",
    [
        (
            "We use cookies to keep you signed in, measure our audience and show you relevant "
            "advertising. You can change your choice at any time from the footer of any page.",
            "Accept all",
            "Manage settings",
        ),
        ("This website uses cookies to improve your experience.", "Ok", "Privacy policy"),
        ("By continuing to browse the site, you agree to our use of cookies.",),
    ],
)
def test_cookie_banners_and_their_buttons_are_removed(banner: tuple[str, ...]) -> None:
    assert_removed(*banner)


@pytest.mark.parametrize(
    "lines",
    [
        ("Regulators said the website uses cookies to track visitors without consent.",),
        ("We use cookies only for analytics, the company said in a statement.",),
        ("Did the minister offer to resign?", "No"),
        ("Asked whether the plan would pass, he said:", "Yes"),
    ],
)
def test_reporting_about_cookies_and_short_answers_are_kept(lines: tuple[str, ...]) -> None:
    assert_kept(*lines)


# --- the whole layer -----------------------------------------------------------------------------


def test_seed_article_tail_is_cleaned_to_its_genuine_lines() -> None:
    text = "\n".join(
        [
            TITLE,
            "related news",
            GENUINE,
            "[La OTAN realizará ejercicios con armas nucleares tras la amenaza de Putin]",
            SDK_CURLY,
            "Source: EITB",
            "",
            "I’m Wayne Wickman, a professional journalist and author for Today Times Live.",
            "Share",
            "Please enter your comment!",
            "Please enter your name here",
        ]
    )
    assert clean_text(text, title=TITLE) == f"{GENUINE}\nSource: EITB"


def test_lines_are_stripped_and_blank_lines_dropped() -> None:
    assert clean_text(f"  {GENUINE}  \n\n \n{GENUINE}\n", title=None) == f"{GENUINE}\n{GENUINE}"
    assert clean_text("", title="Anything") == ""
    assert clean_text("Please enter your comment!", title=None) == ""


# --- author bios in the third person and contact lines -------------------------------------------


def test_the_page_authors_bio_is_removed_but_not_a_sentence_about_them() -> None:
    page = PageContext(authors=("Megan Doyle",))
    bio = "Megan Doyle is the Herald’s environment correspondent. She has covered the coast."
    quote = "Megan Doyle is a harbour pilot, said the report, which praised her work."
    other = "Colin Ferris is a former correspondent who now runs the harbour."
    text = "\n".join((GENUINE, bio, quote, other))
    assert clean_text(text, title=None, page=page).split("\n") == [GENUINE, quote, other]


@pytest.mark.parametrize(
    "line",
    [
        "Email Laura Whitcombe at laura.whitcombe@valleygazette.test",
        "Follow Chloe on Twitter @chloe_writes for more health tech stories.",
        "Have a tip? Contact us at tips@example.org",
        "About the author",
    ],
)
def test_contact_lines_are_removed(line: str) -> None:
    assert_removed(line)


@pytest.mark.parametrize(
    "line",
    [
        "Residents can write to claims@council.example to report damage, the council said.",
        "Investigators traced the emails to an address in Riga.",
    ],
)
def test_sentences_with_addresses_or_about_email_are_kept(line: str) -> None:
    assert_kept(line)


# --- captions, credits, copyright ----------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Photo: Reuters",
        "(Photo by Tom Hale/The Ledger)",
        "Photograph: Jane Roberts/AFP via Getty Images",
        "Firefighters at the scene on Monday. Photo: EFE",
        "Reporting by Kate Summers; editing by Paul Grant",
        "© 2023 Valley Gazette Ltd. All rights reserved.",
        "Copyright 2023 Northern Wire. All rights reserved. This material may not be "
        "published, broadcast, rewritten or redistributed.",
        "Reprints & permissions",
    ],
)
def test_credits_and_copyright_notices_are_removed(line: str) -> None:
    assert_removed(line)


@pytest.mark.parametrize(
    "line",
    [
        "Reuters reported that the photo was taken in May.",
        "Copyright law was overhauled in 2019, giving publishers new rights.",
        "The photographers’ union said all rights to the images belonged to its members.",
        "Reporting by the BBC showed that the budget had doubled.",
    ],
)
def test_sentences_about_photos_and_rights_are_kept(line: str) -> None:
    assert_kept(line)


def test_a_figcaption_from_the_page_is_removed_but_the_same_words_in_prose_stay() -> None:
    page = PageContext(boilerplate_texts=frozenset({"Smoke rises over the hills on Wednesday."}))
    prose = "Smoke rises over the hills on Wednesday, residents said, and the wind is rising."
    text = "\n".join((GENUINE, "Smoke rises over the hills on Wednesday.", prose))
    assert clean_text(text, title=None, page=page).split("\n") == [GENUINE, prose]
