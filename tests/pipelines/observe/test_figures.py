"""The summary's lines and the health figures, from counts made by hand."""

from __future__ import annotations

import statistics
from collections import Counter

from pipelines.archive.summary import summarise, summed_stats
from pipelines.observe.figures import HostCounts, count_record, figures, host_of

STATS = {
    "downloader/response_status_count/200": 11,
    "downloader/response_status_count/500": 3,
    "warc/files": 1,
    "warc/bytes": 69081,
    "warc/exchanges": 16,
    "records/written": 5,
    "archive/stored/records": 1,
    "extract/empty": 0,
}


def test_the_summary_reads_as_the_readme_shows() -> None:
    summary = summarise("demo-20261121202108", STATS, "file:///srv/archive/")
    assert summary.lines() == [
        "crawl id:        demo-20261121202108",
        "pages fetched:   11 x 200, 3 x 500",
        "WARC files:      1 (69,081 bytes, 16 exchanges)",
        "records written: 5 in 1 part(s) (no article text: 0, extraction failed: 0)",
        "stored in:       file:///srv/archive/",
        "  warc/demo-20261121202108/   indexes/demo-20261121202108/   "
        "records/demo-20261121202108/ ...",
    ]
    ended = summarise("x-1", STATS, "s3://b/p/", outcome="spooled", waiting=2).lines()
    assert ended[-2:] == ["outcome:         spooled", "left in spool:   2 file(s)"]


def test_the_summary_counts_stored_objects_when_given_them() -> None:
    objects = [
        {"kind": "warc", "size": 10, "records": 4},
        {"kind": "warc", "size": 5, "records": 2},
        {"kind": "records", "size": 3, "records": 7},
        {"kind": "indexes", "size": 1, "records": 2},
    ]
    summary = summarise("x-1", summed_stats([STATS, STATS]), "file:///a/", objects)
    assert (summary.warc_files, summary.warc_bytes, summary.records) == (2, 15, 7)
    assert summary.statuses == {"200": 22, "500": 6} and summary.exchanges == 32


def test_rates_come_from_sums_and_unknown_stays_unknown() -> None:
    a = HostCounts(statuses=Counter({"200": 8, "429": 1, "503": 1}), articles=4, empty=1)
    count_record(a, {"published_at": None, "authors": ["A"], "text": "x" * 10})
    count_record(a, {"published_at": "2022", "authors": [], "text": "x" * 30})
    old = HostCounts(statuses=Counter({"200": 10}), robots_excluded=None, articles=None)
    got = figures(a)
    assert got["pages"] == 10 and got["rate_429"] == 0.1 and got["rate_5xx"] == 0.1
    assert got["article_yield"] == 0.25 and got["empty_text_rate"] == 0.25
    assert got["missing_date_rate"] == 0.5 and got["missing_author_rate"] == 0.5
    assert got["median_text_length"] == 20
    a.add(old)
    merged = figures(a)
    assert merged["pages"] == 20 and merged["robots_excluded"] is None
    assert merged["empty_text_rate"] is None  # articles unknown for one of the crawls
    assert figures(HostCounts())["article_yield"] is None


def test_text_lengths_are_counted_per_length_and_their_median_is_statistics() -> None:
    lengths = [5, 1, 5, 9, 5, 2, 7, 7]
    counts = HostCounts()
    for n, length in enumerate(lengths, 1):
        count_record(counts, {"text": "x" * length})
        assert figures(counts)["median_text_length"] == int(statistics.median(lengths[:n]))
    assert len(counts.text_lengths) == 5  # one entry per length, not per record
    assert figures(HostCounts())["median_text_length"] is None


def test_a_host_is_its_lower_case_name_without_port() -> None:
    assert host_of("https://News.Example:8443/a") == "news.example"
    assert host_of("http://[::1]:80/") == "::1"
