"""Pages that are not articles, built at test time: the negative set of article recognition.

Fronts with teaser rails, section and tag pages, author pages, live-blog indexes, video and
gallery pages and search results, in the shapes news sites give them: a header with a menu, a
footer of links, cards of a linked headline, a standfirst and a time, "most read" lists,
pagination. The HTML and the text are written here (a seeded word bank, so every run builds
the same pages); no publisher's page or text is copied. Each page carries the markup such pages
carry (og:type ``website`` or ``video.other``, a CollectionPage-like JSON-LD, an ``<h1>``), never
Article markup: what is measured is whether their *content* passes for an article's.

``pages()`` gives (name, html) pairs, at least 40.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable

BANK = (
    "government minister council city police court report plan budget election vote "
    "school hospital market energy prices workers union strike talks agreement week "
    "year spring summer winter storm flood fire rail station airport road bridge club "
    "season coach match final league record museum festival film music book author "
    "study scientists climate water health doctors patients families children residents "
    "company shares profits investors bank rates inflation housing rents tenants "
    "village region border army talks leaders summit president mayor opposition party "
    "law bill reform tax pension benefits survey data police officers suspects trial"
)
SMALL = "the a of in on for with after before as and over under into from at by"
WORDS, GLUE = BANK.split(), SMALL.split()
SECTIONS = ("Politics", "Business", "Sport", "Culture", "Science", "World", "Local", "Opinion")


class Writer:
    """Deterministic filler text and page parts from one seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def sentence(self, low: int = 8, high: int = 18) -> str:
        size = self.rng.randint(low, high)
        words = [self.rng.choice(WORDS if i % 3 else GLUE) for i in range(size)]
        return " ".join(words).capitalize() + "."

    def text(self, low: int, high: int) -> str:
        """Sentences adding up to between `low` and `high` words."""
        target, out = self.rng.randint(low, high), []
        while sum(len(s.split()) for s in out) < target:
            out.append(self.sentence())
        return " ".join(out)

    def headline(self) -> str:
        return self.sentence(5, 11).rstrip(".")

    def slug(self) -> str:
        return "-".join(self.headline().lower().split()[:6])

    def time(self) -> str:
        day, hour = self.rng.randint(1, 28), self.rng.randint(0, 23)
        return f'<time datetime="2024-03-{day:02d}T{hour:02d}:00:00Z">{day} March, {hour}:00</time>'

    def card(self, style: str, standfirst: tuple[int, int] = (15, 35)) -> str:
        href = f"/{self.rng.choice(SECTIONS).lower()}/2024/{self.slug()}"
        head, blurb = self.headline(), self.text(*standfirst)
        image = f'<img src="/img/{self.rng.randint(1, 999)}.jpg" alt="">'
        if style == "whole":  # the whole card is one link
            return (
                f'<a class="card" href="{href}">{image}<h3>{head}</h3><p>{blurb}</p></a>'
                f"{self.time()}"
            )
        if style == "li":
            return f'<li class="teaser"><a href="{href}">{head}</a> {blurb} {self.time()}</li>'
        tag = "article" if style == "article" else "div"
        return (
            f'<{tag} class="teaser">{image}<h3 class="teaser__title"><a href="{href}">{head}</a>'
            f'</h3><p class="teaser__text">{blurb}</p>{self.time()}</{tag}>'
        )

    def rail(self, count: int, style: str, title: str = "", standfirst=(15, 35)) -> str:
        cards = "".join(self.card(style, standfirst) for _ in range(count))
        head = f"<h2>{title}</h2>" if title else ""
        if style == "li":
            return f'<section class="rail">{head}<ul>{cards}</ul></section>'
        return f'<section class="rail">{head}<div class="rail__items">{cards}</div></section>'

    def most_read(self) -> str:
        items = "".join(
            f'<li><a href="/news/{self.slug()}">{self.headline()}</a></li>' for _ in range(8)
        )
        return f'<div class="most-read"><h2>Most read</h2><ol>{items}</ol></div>'

    def pagination(self, base: str) -> str:
        links = "".join(f'<a href="{base}?page={n}">{n}</a> ' for n in range(1, 8))
        return f'<div class="pagination">{links}<a href="{base}?page=2">Next</a></div>'


def shell(w: Writer, title: str, main: str, og_type: str = "website", ld: str = "") -> str:
    """The page around `main`; about half of the pages (by the seed) say what they are in
    JSON-LD and og:type, the others are og:type ``website`` and leave it to their content."""
    if w.rng.random() < 0.5:
        ld, og_type = "", "website"
    menu = "".join(f'<li><a href="/{s.lower()}">{s}</a></li>' for s in SECTIONS)
    foot = "".join(f'<a href="/about/{n}">{n}</a> ' for n in ("Contact", "Imprint", "Privacy"))
    data = json.dumps({"@context": "https://schema.org", "@type": ld, "name": title}) if ld else ""
    script = f'<script type="application/ld+json">{data}</script>' if ld else ""
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | The '
        f'Daily Sample</title><meta property="og:type" content="{og_type}"><meta '
        f'property="og:title" content="{title}">{script}</head><body><header><a href="/" '
        f'class="logo">The Daily Sample</a><nav><ul>{menu}</ul></nav></header>'
        f"<main>{main}</main><footer><p>{w.sentence()}</p>{foot}</footer></body></html>"
    )


def front(w: Writer, style: str) -> str:
    lead = w.card("div", (40, 70))
    rails = "".join(w.rail(w.rng.randint(4, 8), style, s) for s in w.rng.sample(SECTIONS, 4))
    return shell(w, "News, sport and opinion", lead + rails + w.most_read(), ld="WebPage")


def section(w: Writer, style: str) -> str:
    name = w.rng.choice(SECTIONS)
    intro = f'<p class="section-intro">{w.text(12, 30)}</p>'
    body = f"<h1>{name}</h1>{intro}{w.rail(w.rng.randint(10, 20), style)}"
    return shell(w, name, body + w.pagination(f"/{name.lower()}"), ld="CollectionPage")


def section_seo(w: Writer, style: str) -> str:
    """A section front that ends in a block of search-engine text about the section."""
    name = w.rng.choice(SECTIONS)
    seo = "".join(f"<p>{w.text(35, 70)}</p>" for _ in range(w.rng.randint(2, 3)))
    body = f"<h1>{name}</h1>{w.rail(w.rng.randint(10, 16), style)}{w.pagination('/s')}"
    box = w.rng.choice(("section-description", "text-block", "page-text"))
    seo_block = f'<div class="{box}"><h2>About {name}</h2>{seo}</div>'
    return shell(w, name, body + seo_block, ld="CollectionPage")


def archive(w: Writer, style: str) -> str:
    """A day's archive: headlines and times only, no blurbs."""
    items = "".join(
        f'<li>{w.time()} <a href="/news/{w.slug()}">{w.headline()}</a></li>' for _ in range(40)
    )
    body = f"<h1>Archive: 12 March 2024</h1><ul class='archive'>{items}</ul>"
    return shell(w, "Archive", body + w.pagination("/archive"), ld="CollectionPage")


def tag(w: Writer, style: str) -> str:
    topic = " ".join(w.rng.sample(WORDS, 2)).title()
    about = f"<p>{w.text(20, 45)}</p>" if w.rng.random() < 0.5 else ""
    body = f"<h1>Topic: {topic}</h1>{about}{w.rail(w.rng.randint(8, 16), style)}"
    return shell(w, topic, body + w.pagination("/tag"), ld="CollectionPage")


def author(w: Writer, style: str) -> str:
    name = f"{w.rng.choice(['Alex', 'Maria', 'Jon', 'Priya', 'Lena'])} {w.headline().split()[0]}"
    bio = "".join(f"<p>{w.text(25, 60)}</p>" for _ in range(w.rng.randint(1, 3)))
    social = '<a href="https://x.example/me">X</a> <a href="mailto:me@example.org">Email</a>'
    box = w.rng.choice(("author-profile", "profile-header", "person"))
    profile = f'<div class="{box}"><h1>{name}</h1><p class="role">Reporter</p>{bio}'
    latest = w.rail(w.rng.randint(8, 14), style, f"Latest from {name}")
    return shell(w, name, f"{profile}{social}</div>{latest}", ld="ProfilePage")


def live_index(w: Writer, style: str) -> str:
    items = "".join(
        f'<div class="live-card"><span class="live-badge">LIVE</span><h2><a href="/live/'
        f'{w.slug()}">{w.headline()}</a></h2><p>{w.text(15, 40)}</p><p class="updated">Updated '
        f"{w.rng.randint(1, 59)} minutes ago</p>{w.time()}</div>"
        for _ in range(w.rng.randint(6, 12))
    )
    body = f"<h1>Live coverage</h1><div class='live-list'>{items}</div>{w.rail(6, style)}"
    return shell(w, "Live coverage", body, ld="CollectionPage")


def video(w: Writer, style: str) -> str:
    title = w.headline()
    player = '<div class="player"><video src="/v/clip.mp4" controls></video></div>'
    about = "".join(f"<p>{w.text(20, 50)}</p>" for _ in range(w.rng.randint(1, 2)))
    more = w.rail(w.rng.randint(6, 12), style, "More videos", (0, 12))
    body = f"<h1>{title}</h1>{player}{w.time()}{about}{more}"
    return shell(w, title, body, og_type="video.other", ld="VideoObject")


def gallery(w: Writer, style: str) -> str:
    title = w.headline()
    slides = "".join(
        f'<div class="slide"><img src="/g/{n}.jpg" alt=""><p class="caption">'
        f"{w.text(8, 35)}</p><span class='credit'>Photo: Agency</span></div>"
        for n in range(w.rng.randint(8, 20))
    )
    body = f"<h1>{title}</h1>{w.time()}<div class='gallery'>{slides}</div>{w.rail(4, style)}"
    return shell(w, title, body, ld="ImageGallery")


def search(w: Writer, style: str) -> str:
    query = w.rng.choice(WORDS)
    results = "".join(
        f'<li class="result"><h3><a href="/news/{w.slug()}">{w.headline()}</a></h3><p>'
        f"...{w.text(15, 35)}...</p><span class='url'>/news/...</span>{w.time()}</li>"
        for _ in range(w.rng.randint(8, 15))
    )
    form = f'<form action="/search"><input name="q" value="{query}"></form>'
    body = f"<h1>Search results for “{query}”</h1>{form}<ol>{results}</ol>"
    return shell(w, f"Search: {query}", body + w.pagination("/search"), ld="SearchResultsPage")


KINDS: dict[str, Callable[[Writer, str], str]] = {
    "front": front,
    "section": section,
    "section-seo": section_seo,
    "archive": archive,
    "tag": tag,
    "author": author,
    "live-index": live_index,
    "video": video,
    "gallery": gallery,
    "search": search,
}
STYLES = ("div", "article", "li", "whole", "div", "article")


def pages() -> list[tuple[str, str]]:
    """The negative set: every kind in every card style, from fixed seeds."""
    out = []
    for number, (kind, build) in enumerate(KINDS.items()):
        for variant, style in enumerate(STYLES):
            writer = Writer(number * 100 + variant)
            out.append((f"{kind}-{variant}-{style}", build(writer, style)))
    return out
