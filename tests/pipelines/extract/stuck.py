"""A page whose extraction never ends, for the pool's timeout tests.

Its own small module because the pool's worker processes import it to run it: pebble sends the
function by name. It blocks on an event nothing sets, so only the pool's kill at the timeout ends
it; no machine is too slow or too fast for the timeout to fire.
"""

from __future__ import annotations

import threading


def never_returns(*page: object) -> None:
    """In place of ``extract`` or ``extract_page``: whatever the page, it never ends."""
    threading.Event().wait()
