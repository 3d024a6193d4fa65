"""What `scrapy verify` checks of revisit records: that each one's target exists in the archive
(in the same crawl or another), is a response, and, for the identical-payload-digest profile, has
the revisit's payload digest (the lookup is in pipelines/tools/revisits.py)."""

from __future__ import annotations

from collections import defaultdict

from pipelines.storage import Store
from pipelines.tools.revisits import Revisit, resolve, target_problem
from pipelines.tools.verify_counts import Findings


def check_revisits(store: Store, revisits: list[Revisit], found: Findings) -> None:
    """`scrapy verify`: every revisit's target exists, is a response, and (for the
    identical-payload-digest profile) has the revisit's payload digest. One note per WARC file
    says how many revisits it holds and where their targets are."""
    targets = resolve(store, revisits)
    per_file: dict[str, list[str]] = defaultdict(list)
    for revisit in revisits:
        original = targets.get(revisit.record_id)
        problem = target_problem(revisit, original)
        if problem is not None:
            found.problem(problem[0], revisit.key, problem[1])
        elif original is not None:
            per_file[revisit.key].append(original.capture.key)
    for key, places in sorted(per_file.items()):
        crawl = key.split("/")[1]
        earlier = sum(1 for place in places if place.split("/")[1] != crawl)
        found.note(
            key,
            f"{len(places)} revisit(s), each target found ({earlier} in other crawls' WARC files)",
        )
