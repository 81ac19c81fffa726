"""``python -m bench [--only NAME] [--quick] [--json] [--write-readme]``: run the benchmarks, print one table.

Every module ``bench/bench_<name>.py`` is a benchmark; ``--only`` keeps those whose name contains
the text. Progress goes to stderr, the table (or JSON) to stdout. The exit status is 1 when a
benchmark crashed (its row says so and its traceback is on stderr), whatever the verdicts.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import pkgutil
import sys
import time
import traceback
from pathlib import Path

from .figure import Figure, Skip
from .report import Run, write_readme

HERE = Path(__file__).parent
PREFIX = "bench_"


def discover(only: str | None) -> list[str]:
    """Benchmark names (``mapping`` for bench_mapping.py), sorted, filtered by ``only``."""
    modules = (m.name for m in pkgutil.iter_modules([str(HERE)]))
    names = sorted(m.removeprefix(PREFIX) for m in modules if m.startswith(PREFIX))
    return [n for n in names if only is None or only in n]


def run_one(name: str, quick: bool) -> tuple[list[Figure], bool]:
    """The benchmark's figures named ``<name>: <figure>``, and whether it crashed.

    A benchmark that raises :class:`Skip`, or needs a package that is not installed, gives one
    skipped row; one that crashes gives one skipped row saying so, and its traceback on stderr.
    """
    try:
        module = importlib.import_module(f"{__package__}.{PREFIX}{name}")
        figures: list[Figure] = module.run(quick)
    except Skip as exc:
        return [Figure.skip(name, str(exc))], False
    except ModuleNotFoundError as exc:
        return [Figure.skip(name, f"needs {exc.name}, not installed")], False
    except Exception as exc:  # noqa: BLE001 - one crashing benchmark must not take the table down
        traceback.print_exc()
        return [Figure.skip(name, f"crashed: {type(exc).__name__}: {exc}")], True
    return [dataclasses.replace(f, name=f"{name}: {f.name}") for f in figures], False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", metavar="NAME", help="run the benchmarks whose name contains NAME")
    parser.add_argument("--quick", action="store_true", help="smaller sizes: a smoke run, marked as such")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument(
        "--write-readme", action="store_true", help="also record the table in bench/README.md"
    )
    args = parser.parse_args(argv)
    if args.write_readme and (args.quick or args.only):
        parser.error("--write-readme records a full run at full size; drop --quick and --only")
    names = discover(args.only)
    if not names:
        parser.error(f"no benchmark name contains {args.only!r}")

    figures: list[Figure] = []
    crashed = False
    started = time.perf_counter()
    for name in names:
        print(f"bench: {name} ...", end="", file=sys.stderr, flush=True)
        start = time.perf_counter()
        found, failed = run_one(name, args.quick)
        figures += found
        crashed |= failed
        print(f" {time.perf_counter() - start:.1f} s", file=sys.stderr)
    print(f"bench: all done in {time.perf_counter() - started:.1f} s", file=sys.stderr)

    run = Run.here(figures, args.quick)
    print(run.json() if args.json else run.text())
    if args.write_readme:
        write_readme(HERE / "README.md", run)
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
