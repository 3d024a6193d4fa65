"""extract(): fixture articles against their gold data, charsets, rejections, purity.

Dates, authors, language, title and the choice between candidates are in test_core_metadata.py.
"""

from __future__ import annotations

import json
import multiprocessing
import pickle
import re
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest
import trafilatura

from pipelines.extract import core as extract_module
from pipelines.extract.cleanup.rules import CLEANUP_VERSION
from pipelines.extract.core import CONFIG_SHA256, Extraction, extract, extractor_version
from tests.pipelines.extract.goldsite import BASE_URL, GOLD, GOLD_IDS, HTML_HEADERS, SITE

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
