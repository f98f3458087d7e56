"""What every benchmark reports: a `Figure` (one row of the table), percentiles, the rows a benchmark
module run by itself prints (`print_rows`), and where the source tree and the built bundle are; and
the command line of a benchmark module run by itself (`command_parser`). Shared
by table.py and launch.py, which import it, not each other.
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLE_DIR = ROOT / "dist" / "Voice Assistant"


@dataclass(frozen=True, slots=True)
class Figure:
    name: str
    value: str
    target: str = ""
    note: str = ""


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(median, p95) of the samples."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def print_rows(figures: Iterable[Figure]) -> None:
    """The figures as a Markdown table, as the README's (a benchmark module run by itself)."""
    print("| figure | value | target |\n|---|---|---|")
    for figure in figures:
        print(f"| {figure.name} | {figure.value} | {figure.target} |")


def command_parser(module: str, doc: str | None) -> argparse.ArgumentParser:
    """`python -m module`'s parser, its help the module's docstring as written."""
    return argparse.ArgumentParser(
        prog=f"python -m {module}", description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
