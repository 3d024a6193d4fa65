"""Clean records checked against their JSON Schema (pipelines/records/record.schema.json), with
the `jsonschema` library: what the README documents is what the crawls write."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator


@cache
def validator() -> Draft202012Validator:
    schema = json.loads(files("pipelines.records").joinpath("record.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def problems(record: dict[str, Any]) -> list[str]:
    """Each way the record breaks the schema, as "path: message"; none for a sound record."""
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(record)'}: {error.message}"
        for error in validator().iter_errors(record)
    ]


def check_parts(paths: Iterable[Path]) -> int:
    """Check every clean record of the parts; the number checked. Lines without a record id
    are the spool tests' stand-ins, and a part that is not gzipped JSON lines was damaged on
    purpose (the verify tests): neither holds records to check."""
    checked = 0
    for path in paths:
        try:
            with gzip.open(path, "rt", encoding="utf-8") as stream:
                records = [json.loads(line) for line in stream]
        except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        for number, record in enumerate(records, start=1):
            if not isinstance(record, dict) or "record_id" not in record:
                continue
            found = problems(record)
            assert not found, (f"{path} line {number}", found)
            checked += 1
    return checked
