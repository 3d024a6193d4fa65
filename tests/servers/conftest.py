"""The fixture HTTP server that the tests of tests/servers/ ask, one per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers.http import HttpServer


@pytest.fixture(scope="module")
def server() -> Iterator[HttpServer]:
    with HttpServer() as running:
        yield running
