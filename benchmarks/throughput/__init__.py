"""Throughput, CPU and memory of whole crawls on real pages, side by side in one run.

    .venv/bin/python -m benchmarks.throughput [--pages 2000] [--runs 2] [--modes bare,full]

`make bench` runs it (and installs nginx, from Debian's packages, when it is missing). See
``benchmarks.throughput.__main__`` for what is measured and how.
"""
