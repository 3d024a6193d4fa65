"""The headline repeated at the top of the text is dropped in the forms sites print it
(`pipelines.extract.cleanup.headline`): with a kicker, without the title's kicker, with a site
suffix, after a section label. A lead sentence or a line after the text's first sentence stays."""

from __future__ import annotations

import pytest

from pipelines.extract.cleanup.rules import clean_text

TITLE = "Harbour wall holds through the winter storms"
BODY = (
    "The council said on Tuesday that the harbour wall held through the storms, and that "
    "engineers will inspect the eastern section before repairs begin in spring."
)


@pytest.mark.parametrize(
    ("line", "title"),
    [
        (TITLE, TITLE),
        (f"Coastal defences {TITLE}", TITLE),  # a kicker without a mark
        (f"Coastal defences : {TITLE}", TITLE),
        (TITLE, f"Coastal defences: {TITLE}"),  # the title carries the kicker
        (f"{TITLE} | City Radio", TITLE),  # a site suffix
        (f"{TITLE}!", f"{TITLE}! - City Radio"),
    ],
)
def test_the_headline_in_its_printed_forms_is_dropped(line: str, title: str) -> None:
    assert clean_text(f"{line}\n{BODY}", title=title) == BODY


def test_the_headline_after_a_section_label_or_a_kicker_line_is_dropped() -> None:
    text = f"World\n{TITLE} | City Radio\n{BODY}"
    assert clean_text(text, title=TITLE).splitlines() == ["World", BODY]
    text = f"Video\nCoastal defences\n{TITLE}\n{BODY}"
    assert clean_text(text, title=TITLE).splitlines() == ["Video", "Coastal defences", BODY]


@pytest.mark.parametrize(
    "line",
    [
        f"{TITLE}, the council said on Monday.",  # a lead that starts with the headline
        f"{TITLE} - and engineers expect it to stand for another decade",  # more than a suffix
        "winter storms",  # a label that ends the title
        f"Coastal defences and sea walls across the region {TITLE}",  # more than a kicker
    ],
)
def test_lines_that_only_contain_the_headline_stay(line: str) -> None:
    assert clean_text(f"{line}\n{BODY}", title=TITLE) == f"{line}\n{BODY}"


def test_a_headline_after_text_stays() -> None:
    assert clean_text(f"{BODY}\n{TITLE}", title=TITLE) == f"{BODY}\n{TITLE}"
