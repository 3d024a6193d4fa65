"""Upload throughput: S3Store.put_file next to a plain boto3 upload_file of the same files.

    .venv/bin/python -m benchmarks.upload_throughput [--files 4] [--size-mib 32] [--small 32]
        [--rounds 3] [--endpoint-url URL --bucket NAME]

Without --endpoint-url, moto's ThreadedMotoServer is started on a free 127.0.0.1 port in this
process (so both sides share its CPU and GIL, alike). Each round uploads every file once with
each method, to fresh keys, alternating which goes first. S3Store does more per file than
upload_file: it hashes the file (SHA-256) before sending, sends a SHA-256 checksum with every
part, writes conditionally and confirms the object with a HEAD; upload_file sends botocore's
default CRC32 checksum and nothing else. Prints MiB/s per method and round, and the medians.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3

from pipelines.storage import StoreOptions, open_store

MIB = 1024 * 1024


def make_files(folder: Path, count: int, size: int, prefix: str) -> list[Path]:
    files = []
    for n in range(count):
        path = folder / f"{prefix}-{n:03d}.warc.gz"
        with open(path, "wb") as out:
            for _ in range(0, size, MIB):
                out.write(os.urandom(min(MIB, size)))
            out.truncate(size)
        files.append(path)
    return files


def timed(upload: Callable[[Path, str], Any], files: list[Path], run: str) -> float:
    """MiB/s for uploading `files` one after another (as the crawl's upload threads do)."""
    start = time.perf_counter()
    for path in files:
        upload(path, f"bench/{run}/{path.name}")
    seconds = time.perf_counter() - start
    return sum(p.stat().st_size for p in files) / MIB / seconds


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=4, help="large files (multipart)")
    parser.add_argument("--size-mib", type=int, default=32, help="size of each large file")
    parser.add_argument("--small", type=int, default=32, help="1 MiB files (single PUT)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--endpoint-url", help="an S3 endpoint instead of moto")
    parser.add_argument("--bucket", help="an existing bucket (with --endpoint-url)")
    return parser.parse_args(argv)


@contextlib.contextmanager
def s3_endpoint(endpoint_url: str | None) -> Iterator[str]:
    """`endpoint_url`, or that of a moto server started in this process for the duration."""
    if endpoint_url is not None:
        yield endpoint_url
        return
    # Imported here: moto is a test dependency, and not needed against a real endpoint.
    from moto.server import ThreadedMotoServer

    for name, value in (
        ("AWS_ACCESS_KEY_ID", "bench"),
        ("AWS_SECRET_ACCESS_KEY", "bench"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ):
        os.environ.setdefault(name, value)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with s3_endpoint(args.endpoint_url) as endpoint:
        client = boto3.client("s3", endpoint_url=endpoint)
        bucket = args.bucket or f"bench-{uuid.uuid4().hex[:12]}"
        if not args.bucket:
            client.create_bucket(Bucket=bucket)
        store = open_store(f"s3://{bucket}/", StoreOptions(endpoint_url=endpoint))

        def ours(path: Path, key: str) -> None:
            store.put_file(path, key)

        def plain(path: Path, key: str) -> None:
            client.upload_file(str(path), bucket, key)

        methods: dict[str, Callable[[Path, str], Any]] = {
            "S3Store.put_file": ours,
            "boto3 upload_file": plain,
        }
        with tempfile.TemporaryDirectory() as tmp:
            sets = {
                f"{args.files} x {args.size_mib} MiB": make_files(
                    Path(tmp), args.files, args.size_mib * MIB, "large"
                ),
                f"{args.small} x 1 MiB": make_files(Path(tmp), args.small, MIB, "small"),
            }
            where = "external" if args.endpoint_url is not None else "moto, in process"
            print(f"endpoint {endpoint} ({where})")
            for label, files in sets.items():
                report(label, files, methods, args.rounds)
    return 0


def report(
    label: str, files: list[Path], methods: dict[str, Callable[[Path, str], Any]], rounds: int
) -> None:
    results: dict[str, list[float]] = {name: [] for name in methods}
    for round_number in range(rounds):
        order = list(methods) if round_number % 2 == 0 else list(reversed(methods))
        for name in order:
            run = f"{name.split()[0]}-{round_number}-{uuid.uuid4().hex[:6]}"
            results[name].append(timed(methods[name], files, run))
    for name, speeds in results.items():
        rounds_text = ", ".join(f"{s:6.1f}" for s in speeds)
        print(
            f"{label:>14}  {name:<18} median {statistics.median(speeds):6.1f} MiB/s"
            f"   (rounds: {rounds_text})"
        )


if __name__ == "__main__":
    sys.exit(main())
