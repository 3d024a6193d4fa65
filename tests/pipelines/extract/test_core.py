"""extract(): fixture articles against their gold data, charsets, metadata, candidates, purity."""

from __future__ import annotations

import json
import multiprocessing
import pickle
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import trafilatura

from pipelines.extract import core as extract_module
from pipelines.extract.authors import clean_authors
from pipelines.extract.cleanup.rules import CLEANUP_VERSION
from pipelines.extract.core import CONFIG_SHA256, Extraction, extract, extractor_version
from pipelines.extract.language import detect_language

SITE = Path(__file__).resolve().parents[2] / "sites" / "news"
BASE_URL = "http://127.0.0.1:8000"
HTML_HEADERS = {"content-type": "text/html; charset=utf-8"}
METADATA_FIELDS = (
    "title",
    "authors",
    "published_at",
    "modified_at",
    "sitename",
    "language",
    "description",
    "categories",
    "tags",
)
GOLD = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(SITE.glob("gold/*.json"))]
GOLD_IDS = [gold["path"].rstrip("/").rsplit("/", 1)[1] for gold in GOLD]


def normalised(text: str) -> str:
    return " ".join(text.split())


def page_bytes(path: str) -> bytes:
    # The IRIS-T article is served gzip-encoded; the file on disk is the uncompressed page.
    return (SITE / "pages" / path.strip("/") / "index.html").read_bytes()


def extract_gold(gold: dict[str, Any]) -> Extraction:
    result = extract(page_bytes(gold["path"]), BASE_URL + gold["path"], HTML_HEADERS)
    assert result is not None
    return result


def test_every_fixture_article_has_gold_data() -> None:
    pages = {
        p.parent.relative_to(SITE / "pages").as_posix()
        for p in SITE.glob("pages/20*/**/index.html")
    }
    assert {gold["path"].strip("/") for gold in GOLD} == pages
    assert len(GOLD) == 5


@pytest.mark.parametrize("gold", GOLD, ids=GOLD_IDS)
def test_text_is_exactly_the_gold_text(gold: dict[str, Any]) -> None:
    assert normalised(extract_gold(gold).text) == normalised(gold["text"])


@pytest.mark.parametrize("gold", GOLD, ids=GOLD_IDS)
def test_no_boilerplate_is_left(gold: dict[str, Any]) -> None:
    text = normalised(extract_gold(gold).text)
    leftovers = [item for item in gold["boilerplate"] if normalised(item) in text]
    assert leftovers == []


@pytest.mark.parametrize("gold", GOLD, ids=GOLD_IDS)
def test_metadata_is_the_gold_metadata(gold: dict[str, Any]) -> None:
    record = extract_gold(gold).to_dict()
    assert {field: record[field] for field in METADATA_FIELDS} == {
        field: gold[field] for field in METADATA_FIELDS
    }
    assert record["canonical_url"] == BASE_URL + gold["canonical_url_path"]
    assert "" not in record.values()


@pytest.mark.parametrize("gold", GOLD, ids=GOLD_IDS)
def test_gold_related_paths_are_linked_fixture_articles(gold: dict[str, Any]) -> None:
    hrefs = set(re.findall(r'href="([^"]+)"', page_bytes(gold["path"]).decode()))
    assert gold["related_paths"]
    for path in gold["related_paths"]:
        assert path in hrefs
        assert path != gold["path"]
        assert (SITE / "pages" / path.strip("/") / "index.html").is_file()


# --- charsets ------------------------------------------------------------------------------------

RUSSIAN_TITLE = "Городской совет утвердил ремонт старой набережной"
RUSSIAN_PARAGRAPHS = (
    "Городской совет в четверг утвердил план ремонта старой набережной, которая была частично "
    "разрушена весенним паводком. Проект получил название «Новый берег».",
    "Работы начнутся в апреле и продлятся около полутора лет. На это время пешеходная зона вдоль "
    "реки будет закрыта, а для велосипедистов проложат временную дорожку по соседней улице.",
    "По словам главы комиссии по благоустройству, обновлённая набережная получит укреплённые "
    "стены, освещение и несколько площадок для отдыха. Жители смогут предложить свои идеи на "
    "общественных слушаниях в феврале.",
)


def russian_page(charset_declaration: str) -> bytes:
    paragraphs = "\n".join(f"<p>{paragraph}</p>" for paragraph in RUSSIAN_PARAGRAPHS)
    page = (
        f'<!DOCTYPE html>\n<html lang="ru">\n<head>\n{charset_declaration}\n'
        f"<title>{RUSSIAN_TITLE}</title>\n</head>\n<body>\n<article>\n<h1>{RUSSIAN_TITLE}</h1>\n"
        f'<div class="entry-content">\n{paragraphs}\n</div>\n</article>\n</body>\n</html>\n'
    )
    return page.encode("windows-1251")


@pytest.mark.parametrize(
    ("declaration", "headers"),
    [
        # the header wins over a <meta> that contradicts it
        ('<meta charset="utf-8">', {"content-type": "text/html; charset=windows-1251"}),
        ('<meta charset="windows-1251">', {"content-type": "text/html"}),
        ('<meta charset="windows-1251">', None),
        (
            '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">',
            {"content-type": "text/html"},
        ),
    ],
    ids=["header", "meta-charset", "meta-charset-no-headers", "meta-http-equiv"],
)
def test_windows_1251_page_is_decoded(declaration: str, headers: dict[str, str] | None) -> None:
    result = extract(russian_page(declaration), f"{BASE_URL}/ru/naberezhnaya/", headers)
    assert result is not None
    assert result.title == RUSSIAN_TITLE
    assert normalised(result.text) == normalised(" ".join(RUSSIAN_PARAGRAPHS))
    assert result.language == "ru"


# --- rejections ----------------------------------------------------------------------------------

SCRIPT_SHELL = (
    b"<!DOCTYPE html><html><head><title>Loading</title><script src='/app.js'></script></head>"
    b"<body><div id='root'></div></body></html>"
)
ONLY_BOILERPLATE = b"""<!DOCTYPE html><html lang="en"><head><title>Watch: storm</title></head>
<body><article><div class="entry-content">
<p>Share on Facebook</p>
<p>Please enter your comment!</p>
<p>Please enter your name here</p>
</div></article></body></html>"""


@pytest.mark.parametrize(
    "html",
    [b"", SCRIPT_SHELL, ONLY_BOILERPLATE],
    ids=["empty", "rejected-by-trafilatura", "nothing-left-after-cleanup"],
)
def test_page_without_article_content_gives_none(html: bytes) -> None:
    assert extract(html, f"{BASE_URL}/nothing/", HTML_HEADERS) is None


def test_missing_metadata_is_none_not_empty() -> None:
    html = (
        b"<!DOCTYPE html><html><body><article><p>The harbour authority reopened the northern "
        b"quay on Monday after three weeks of repairs to the storm-damaged breakwater.</p>"
        b"<p>Ferries will resume their normal timetable from Wednesday.</p></article></body></html>"
    )
    result = extract(html, f"{BASE_URL}/harbour/")
    assert result is not None
    assert (result.authors, result.categories, result.tags) == ((), (), ())
    assert (result.published_at, result.modified_at) == (None, None)
    assert (result.description, result.canonical_url) == (None, None)
    assert result.language == "en"  # nothing declared: the detector's answer
    assert "" not in result.to_dict().values()


# --- purity and identity -------------------------------------------------------------------------


def test_extract_is_deterministic_and_leaves_shared_options_alone() -> None:
    gold = GOLD[0]
    first = extract(page_bytes(gold["path"]), BASE_URL + gold["path"], HTML_HEADERS)
    second = extract(page_bytes(gold["path"]), BASE_URL + gold["path"], HTML_HEADERS)
    assert first == second
    assert extract_module._OPTIONS.url is None
    assert "max_date" not in json.dumps(extract_module._fingerprint(extract_module._OPTIONS))


def test_extract_and_its_result_pickle() -> None:
    gold = GOLD[0]
    result = extract_gold(gold)
    assert pickle.loads(pickle.dumps(extract)) is extract
    assert pickle.loads(pickle.dumps(result)) == result


def test_extract_runs_in_a_worker_process() -> None:
    gold = GOLD[1]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        remote = pool.submit(extract, page_bytes(gold["path"]), BASE_URL + gold["path"]).result()
    assert remote == extract(page_bytes(gold["path"]), BASE_URL + gold["path"])


def test_extractor_identity() -> None:
    assert re.fullmatch(r"[0-9a-f]{64}", CONFIG_SHA256)
    assert extractor_version() == f"{trafilatura.__version__}+cleanup.{CLEANUP_VERSION}"


def test_response_date_bounds_the_guessed_publication_date() -> None:
    # No JSON-LD or meta dates: the date is trafilatura's guess, which may not be after the Date
    # header (plus a day for time zones), so a re-extraction from a WARC ignores the clock.
    html = (
        b'<!DOCTYPE html><html lang="en"><head><title>Harbour reopens</title></head><body><article>'
        b'<h1>Harbour reopens</h1><p>Published <time datetime="2022-10-12">12 October 2022</time>'
        b"</p><p>The harbour authority reopened the northern quay on Monday after three weeks of "
        b"repairs to the storm-damaged breakwater.</p><p>Ferries will resume their normal timetable"
        b" from Wednesday.</p></article></body></html>"
    )

    def published(served: str) -> str | None:
        result = extract(html, f"{BASE_URL}/harbour/", {"date": served})
        assert result is not None
        return result.published_at

    assert published("Wed, 12 Oct 2022 10:00:00 GMT") == "2022-10-12"
    assert published("Tue, 11 Oct 2022 23:30:00 GMT") == "2022-10-12"
    assert published("Sat, 08 Oct 2022 10:00:00 GMT") != "2022-10-12"


# --- mislabelled charsets ------------------------------------------------------------------------

PORTUGUESE = (
    "A festa das vindimas regressou este fim de semana a Lamego, depois de três anos de "
    "interrupção, e trouxe milhares de visitantes ao centro histórico da cidade."
)
CHINESE = "经过一年多的改造，城市滨江公园于本周六重新开放，吸引了大批市民前来散步和骑行。" * 3


def page_in(encoding: str, text: str, meta: str = "utf-8", lang: str = "en") -> bytes:
    html = (
        f'<html lang="{lang}"><head><meta charset="{meta}"><title>T</title></head><body>'
        f"<article><p>{text}</p><p>{text}</p></article></body></html>"
    )
    return html.encode(encoding)


@pytest.mark.parametrize(
    ("body", "label", "expected"),
    [
        (
            page_in("windows-1251", " ".join(RUSSIAN_PARAGRAPHS), lang="ru"),
            "utf-8",
            RUSSIAN_PARAGRAPHS[0],
        ),
        (page_in("gb2312", CHINESE, lang="zh"), "utf-8", CHINESE[:40]),
        (page_in("latin-1", PORTUGUESE, lang="pt"), "utf-8", PORTUGUESE),
        (page_in("utf-8", PORTUGUESE, meta="iso-8859-1", lang="pt"), "iso-8859-1", PORTUGUESE),
    ],
    ids=["cp1251-as-utf8", "gb2312-as-utf8", "latin1-as-utf8", "utf8-as-latin1"],
)
def test_a_mislabelled_page_is_not_mojibake(body: bytes, label: str, expected: str) -> None:
    result = extract(body, f"{BASE_URL}/x/", {"content-type": f"text/html; charset={label}"})
    assert result is not None
    assert expected in result.text
    assert not re.search("[ÃÐÑ][\u0080-\u00bf]|Ã©|ę|ă|\ufffd", result.text)


# --- dates, authors, language, title -------------------------------------------------------------


def article_page(head: str, body: str = "", lang: str = "en") -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in (GOLD[1]["text"].split("\n")[:4]))
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><title>Allies pledge air defence | Ledger'
        f"</title>{head}</head><body><article>{body}{paragraphs}</article></body></html>"
    ).encode()


def json_ld(**fields: object) -> str:
    data = json.dumps({"@type": "NewsArticle", **fields})
    return f'<script type="application/ld+json">{data}</script>'


SERVED = {"date": "Thu, 13 Oct 2022 10:00:00 GMT"}


def test_structured_dates_come_first_in_iso_8601_with_their_offset() -> None:
    modified = "Wed, 12 Oct 2022 11:00:00 +0200"  # RFC 2822, as some CMSs write it
    head = json_ld(datePublished="2022-10-12T08:45:00Z", dateModified=modified)
    head += '<meta property="article:published_time" content="2022-10-01T00:00:00+00:00">'
    result = extract(article_page(head), f"{BASE_URL}/a/", SERVED)
    assert result is not None
    assert result.published_at == "2022-10-12T08:45:00+00:00"
    assert result.modified_at == "2022-10-12T11:00:00+02:00"


def test_a_date_after_the_response_is_never_kept() -> None:
    head = json_ld(datePublished="2022-10-20T08:00:00+00:00")  # a week after the Date header
    head += '<meta property="article:published_time" content="2022-10-11T07:30:00+01:00">'
    head += '<meta property="article:modified_time" content="2030-01-01T00:00:00+00:00">'
    result = extract(article_page(head), f"{BASE_URL}/a/", SERVED)
    assert result is not None
    assert result.published_at == "2022-10-11T07:30:00+01:00"
    assert result.modified_at is None


def test_time_element_with_itemprop_is_a_date_source() -> None:
    body = '<time itemprop="datePublished" datetime="2022-10-12T09:00:00+02:00">12 Oct</time>'
    result = extract(article_page("", body), f"{BASE_URL}/a/", SERVED)
    assert result is not None and result.published_at == "2022-10-12T09:00:00+02:00"


@pytest.mark.parametrize(
    ("raw", "authors"),
    [
        (["By Jane Doe and John Roe"], ("Jane Doe", "John Roe")),
        (["Jane Doe, Defence Correspondent"], ("Jane Doe",)),
        (["Jane Doe is a defence correspondent based in Warsaw."], ("Jane Doe",)),
        (["jane.doe@example.org", "Jane Doe", "JANE DOE"], ("Jane Doe",)),
        (["Jane Doe; Ledger Staff", "@janedoe"], ("Jane Doe",)),
        (["Written by: Ana María López y Luis Gómez"], ("Ana María López", "Luis Gómez")),
        (["Jane Doe, The Ledger"], ("Jane Doe",)),
        (["The Ledger"], ("The Ledger",)),  # an organisation alone stays
    ],
)
def test_authors_are_a_clean_list(raw: list[str], authors: tuple[str, ...]) -> None:
    assert clean_authors(raw, sitename="The Ledger") == authors


def test_byline_authors_are_read_when_no_structured_data_names_them() -> None:
    body = '<p class="meta">By <a href="/author/jane/" rel="author">Jane Doe</a> · 12 Oct</p>'
    result = extract(article_page("", body), f"{BASE_URL}/a/", SERVED)
    assert result is not None and result.authors == ("Jane Doe",)


def test_the_detector_overrules_a_template_language_only_when_sure() -> None:
    [otan] = [gold for gold in GOLD if "otan" in gold["path"]]
    spanish = "".join(f"<p>{p}</p>" for p in otan["text"].split("\n")[:3])
    page = f'<html lang="en"><head><title>x</title></head><body><article>{spanish}</article>'
    result = extract((page + "</body></html>").encode(), f"{BASE_URL}/es/", HTML_HEADERS)
    assert result is not None and result.language == "es"
    assert detect_language("Hello there, all fine.", "de") == "de"  # too short to overrule


def test_title_without_metadata_is_the_title_tag_without_the_site_name() -> None:
    result = extract(article_page(""), f"{BASE_URL}/a/", SERVED)
    assert result is not None and result.title == "Allies pledge air defence"


# --- candidates: a cut article and a worse fallback ----------------------------------------------

PARAGRAPHS = [
    f"Paragraph {word} of the council report explains how the harbour budget was spent on the "
    f"breakwater repairs and who approved the spending in the end."
    for word in ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
]


def split_article(first: int) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:first])
    rest = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[first:])
    return (
        "<html><head><title>Harbour budget</title></head><body><main><article><h1>Harbour</h1>"
        f'<div class="article-body">{body}</div><div class="ad-slot"><p>Advertisement</p></div>'
        f'<div class="article-body">{rest}</div></article></main></body></html>'
    ).encode()


def test_an_article_split_over_sibling_containers_is_kept_whole() -> None:
    plain = trafilatura.extract(split_article(5).decode(), include_comments=False) or ""
    assert "Paragraph six" not in plain  # trafilatura alone cuts it
    result = extract(split_article(5), f"{BASE_URL}/harbour/", HTML_HEADERS)
    assert result is not None and result.candidate == "trafilatura+siblings"
    assert result.text.split("\n") == PARAGRAPHS


CYCLE_LANE = [
    "The council approved a protected cycle lane on Station Road on Tuesday, after a "
    "consultation in which two-thirds of respondents supported it.",
    "Work will start in April and take about eight weeks. Parking on one side of the road will "
    "be removed.",
]


def test_a_fallback_full_of_teasers_loses_to_the_article() -> None:
    teasers = "".join(
        f'<div class="teaser"><h3><a href="/news/{n}/">Teaser headline number {n} about local '
        f"schools and transport plans</a></h3><p>A short summary sentence for teaser {n} that "
        f'describes what happened in the story in a few words.</p><span class="time">{n} hours '
        "ago</span></div>"
        for n in range(1, 11)
    )
    page = (
        "<html><head><title>Cycle lane</title></head><body><main><article><h1>Cycle lane</h1>"
        f"<p>{CYCLE_LANE[0]}</p><p>{CYCLE_LANE[1]}</p></article><div class='grid'>{teasers}"
        "</div></main></body></html>"
    )
    plain = trafilatura.extract(page, include_comments=False) or ""
    assert "hours ago" in plain  # trafilatura's fallback swaps the teasers in
    result = extract(page.encode(), f"{BASE_URL}/cycle/", HTML_HEADERS)
    assert result is not None and result.candidate == "trafilatura"
    assert result.text.split("\n") == CYCLE_LANE
