"""What feeds and sitemaps say of each entry: the dates a scheduled crawl compares, and the
Google News sitemap fields that go into the discovery record."""

from __future__ import annotations

from parsel import Selector
from scrapy.utils.sitemap import Sitemap

from crawler.items import Discovery, Listing
from crawler.listing import feed_entries, sitemap_listings

RSS = b"""<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>T</title>
<item><link>https://news.example/a/</link><pubDate>Fri, 14 Oct 2022 07:50:00 +0000</pubDate></item>
<item><link>https://news.example/b/</link><dc:date>2022-10-13T10:30:00Z</dc:date></item>
<item><link>https://news.example/c/</link></item>
</channel></rss>"""
ATOM = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">
<entry><link rel="alternate" href="https://news.example/a/"/><link rel="edit" href="x"/>
<updated>2022-10-14T07:50:00Z</updated></entry>
<entry><link href="https://news.example/b/"/><published>2022-10-13T10:30:00Z</published></entry>
</feed>"""
NEWS = b"""<?xml version="1.0"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://news.example/a/</loc>
<news:news><news:publication><news:name>T</news:name><news:language>en</news:language>
</news:publication><news:publication_date>2022-10-14T07:50:00+00:00</news:publication_date>
<news:title>NATO  doubles
 presence</news:title><news:keywords>NATO, Baltic</news:keywords></news:news></url>
<url><loc>https://news.example/b/</loc><lastmod>2022-10-13</lastmod></url>
<url><loc>https://news.example/c/</loc></url>
</urlset>"""


def feed(body: bytes) -> Selector:
    selector = Selector(body=body, type="xml")
    selector.remove_namespaces()
    return selector


def test_rss_items_with_their_dates() -> None:
    assert feed_entries(feed(RSS)) == [
        ("https://news.example/a/", Listing(updated="Fri, 14 Oct 2022 07:50:00 +0000")),
        ("https://news.example/b/", Listing(updated="2022-10-13T10:30:00Z")),
        ("https://news.example/c/", None),
    ]


def test_atom_entries_with_their_dates() -> None:
    assert feed_entries(feed(ATOM)) == [
        ("https://news.example/a/", Listing(updated="2022-10-14T07:50:00Z")),
        ("https://news.example/b/", Listing(updated="2022-10-13T10:30:00Z")),
    ]


def test_google_news_fields_and_lastmod() -> None:
    entries = list(Sitemap(NEWS))
    listings = sitemap_listings(NEWS, entries)
    assert listings == {
        "https://news.example/a/": Listing(
            news_publication_date="2022-10-14T07:50:00+00:00",
            news_title="NATO doubles presence",
            news_keywords="NATO, Baltic",
            news_language="en",
        ),
        "https://news.example/b/": Listing(updated="2022-10-13"),
    }


def test_one_date_from_a_feed_and_a_sitemap_compares_equal() -> None:
    from_feed = Listing(updated="Fri, 14 Oct 2022 07:50:00 +0000")
    from_sitemap = Listing(news_publication_date="2022-10-14T07:50:00+00:00")
    assert from_feed.stamp == from_sitemap.stamp == "2022-10-14T07:50:00+00:00"
    assert Listing(updated="2022-10-13").stamp == "2022-10-13T00:00:00+00:00"
    assert Listing(updated="last Tuesday").stamp == "last Tuesday"
    assert Listing().stamp is None


def test_the_listing_belongs_to_the_entry_not_to_what_it_links_to() -> None:
    listed = Discovery.from_seedset("demo").then("feed", "https://news.example/feed/")
    listed = listed.listed(Listing(news_title="T"))
    assert listed.listing == Listing(news_title="T")
    assert listed.then("article", "https://news.example/a/").listing is None
    assert Listing(news_title="T", news_language="en").fields() == [
        ("news-title", "T"),
        ("news-language", "en"),
    ]


def test_a_broken_news_sitemap_gives_what_was_read() -> None:
    cut = NEWS[: NEWS.index(b"<url><loc>https://news.example/b/")] + b"<url><loc>"
    assert set(sitemap_listings(cut, list(Sitemap(cut)))) == {"https://news.example/a/"}
