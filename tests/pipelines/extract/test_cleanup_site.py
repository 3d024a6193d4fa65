"""The cleanup rules for site furniture (comment sections, related rails, share bars, promos,
embeds, teasers, timestamps, ads, pagination): each removes its boilerplate and keeps genuine
sentences like it. The other rules are tested in test_cleanup.py.
"""

from __future__ import annotations

import pytest

from pipelines.extract.cleanup.rules import PageContext, clean_text
from tests.pipelines.extract.cleaning import GENUINE, assert_kept, assert_removed

# --- comment forms -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "prompts",
    [
        ("Please enter your comment!", "Please enter your name here"),
        ("You have entered an incorrect email address!", "Please enter your email address here"),
        ("Leave a Reply", "Cancel reply", "Post Comment"),
        ("Your email address will not be published. Required fields are marked *",),
        ("Save my name, email, and website in this browser for the next time I comment.",),
        ("Comment:", "Name:*", "Email:*", "Website:"),
    ],
)
def test_comment_form_prompts_are_removed(prompts: tuple[str, ...]) -> None:
    assert_removed(*prompts)


@pytest.mark.parametrize(
    "line",
    [
        "Within an hour, readers left comments asking why the patrols had not begun sooner.",
        "Please enter your comment on the proposal by Friday, the council told residents.",
        "In comments to reporters, Stoltenberg said the alliance would respond.",
        "Comment",
        "Website",
    ],
)
def test_sentences_about_comments_are_kept(line: str) -> None:
    assert_kept(line)


# --- related-news headers and links --------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "related news",
        "Related News:",
        "Read more",
        "You may also like",
        "Read more: NATO needs to ‘increase arms production’ to support Ukraine long-term",
        "READ ALSO » Germany delivers first IRIS-T air defense system to Kyiv",
        "See also: NATO doubles naval presence to protect critical infrastructure",
        "[La OTAN realizará ejercicios con armas nucleares tras la amenaza de Putin de usarlas]",
    ],
)
def test_related_news_headers_and_links_are_removed(line: str) -> None:
    assert_removed(line)


@pytest.mark.parametrize(
    "line",
    [
        "[This story has been updated with comment from the ministry.]",
        "[Updated at 14:00 with new casualty figures]",
        "[Photos]",
        "Read more about the plan on the council’s website, officials said.",
        "Related-party transactions rose sharply last year.",
        "Analysts said the related news had little effect on markets.",
    ],
)
def test_sentences_about_related_things_are_kept(line: str) -> None:
    assert_kept(line)


# --- share prompts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Share",
        "Share this:",
        "Share on Facebook",
        "Tweet",
        "Facebook Twitter Pinterest WhatsApp",
        "Click to share on X (Opens in new window)",
        "Share this article with your friends",
    ],
)
def test_share_prompts_are_removed(line: str) -> None:
    assert_removed(line)


@pytest.mark.parametrize(
    "line",
    [
        "Share prices fell 4% in early trading.",
        "Facebook said on Tuesday it would appeal the ruling.",
        "Facebook",
        "Facebook and Twitter",
        "A video of the frigates was widely shared on Facebook this week.",
    ],
)
def test_sentences_about_sharing_and_networks_are_kept(line: str) -> None:
    assert_kept(line)


# --- newsletter and app promos -------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Sign up for our morning briefing",
        "The day’s top stories from the Ellery Herald, in your inbox before 7am.",
        "Get the best of The Ledger delivered to your inbox: sign up for our free newsletter.",
        "Download the Northern Wire app for iOS and Android to get breaking news alerts.",
        "Never miss a story: follow The Ledger on Facebook and Instagram.",
        "Email address",
        "Sign up",
    ],
)
def test_promos_are_removed(line: str) -> None:
    assert_removed(line)


@pytest.mark.parametrize(
    "line",
    [
        "The council said it would send email alerts to residents in flood zones.",
        "The contact-tracing app was downloaded two million times in its first week.",
        "More than 2,000 people signed up for the scheme, according to the ministry.",
        "Download speeds on the new network reached one gigabit in tests.",
    ],
)
def test_sentences_about_newsletters_and_apps_are_kept(line: str) -> None:
    assert_kept(line)


# --- comment policies ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Comments are moderated and will appear after approval. Please read our community "
        "guidelines before posting.",
        "We welcome your comments, but please keep them civil and on topic.",
        "Comments on this article are now closed.",
        "Join the conversation",
        "12 comments",
    ],
)
def test_comment_policies_are_removed(line: str) -> None:
    assert_removed(line)


@pytest.mark.parametrize(
    "line",
    [
        "The platform said its guidelines ban abusive comments about public officials.",
        "Moderators removed thousands of comments, the company told regulators.",
        "“Please keep your comments civil,” the chairman told the packed meeting.",
    ],
)
def test_sentences_about_comment_rules_are_kept(line: str) -> None:
    assert_kept(line)


# --- embeds, teasers, timestamps, ads, pagination ------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        '<blockquote class="twitter-tweet"><p lang="en">Crews are on site now.</p></blockquote>',
        '<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>',
        "window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);}",
        '{"@context": "https://schema.org", "@type": "NewsArticle"}',
        "pic.twitter.com/x1y2z3",
    ],
)
def test_embed_code_pasted_as_text_is_removed(line: str) -> None:
    assert_removed(line)


@pytest.mark.parametrize(
    "line",
    [
        "The site stopped using the <iframe> element after the audit, engineers said.",
        "Officials said the figure {roughly 40%} was an estimate.",
    ],
)
def test_sentences_about_code_are_kept(line: str) -> None:
    assert_kept(line)


def test_a_line_that_is_a_link_to_another_page_is_a_teaser() -> None:
    page = PageContext(link_texts=frozenset({"Harbour master warns of more winter damage"}))
    text = "\n".join(
        (
            GENUINE,
            "Harbour master warns of more winter damage",
            "Harbour master "
            "warns of more winter damage to sea walls, the Herald reported last week.",
        )
    )
    assert clean_text(text, title=None, page=page).split("\n")[1:] == [
        "Harbour master warns of more winter damage to sea walls, the Herald reported last week."
    ]


@pytest.mark.parametrize(
    "line",
    [
        "2 hours ago",
        "12 Oct 2022",
        "Updated: October 12, 2022 9:12 am BST",
        "5 min read",
        "Hace 2 horas",
        "Advertisement",
        "- Advertisement -",
        "Story continues below advertisement",
        "Page 1 of 3",
        "Next page",
        "1 2 3 Next",
        "Most read",
        "More from Local",
        "À lire aussi : Le budget vélo de la métropole triple en 2024",
    ],
)
def test_timestamps_ads_pagination_and_rail_headers_are_removed(line: str) -> None:
    assert_removed(line)


@pytest.mark.parametrize(
    "line",
    [
        "The vote is on 12 October.",
        "Advertisement spending rose by 4% in the third quarter.",
        "The next page of the report lists the schools that will close.",
        "More from the council meeting is expected on Friday, officials said.",
        "2022",
    ],
)
def test_sentences_with_dates_and_such_words_are_kept(line: str) -> None:
    assert_kept(line)
