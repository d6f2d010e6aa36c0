"""Benchmark: median full site build, and the share spent in this project's code.

Builds the site in process with mkdocs' own build function, several times, and
times our three entry points from the outside:

* ``define_env``: reading, validating and registering (once per build);
* every macro call: rendering HTML from the templates;
* ``on_post_build``: files written beside the pages (exports, checklist PDFs;
  the PDFs are printed by a Chromium subprocess, reported on their own).

Run: ``.venv/bin/python bench/bench_build.py [--runs N] [--json]``.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")

from mkdocs.commands.build import build  # noqa: E402
from mkdocs.config import load_config  # noqa: E402

import macros  # noqa: E402


class Clock:
    def __init__(self) -> None:
        self.spent: dict[str, float] = {"load+validate": 0.0, "render": 0.0, "post_build": 0.0}

    def timed(self, bucket: str, func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.spent[bucket] += time.perf_counter() - start

        return wrapper


def one_build(site_dir: Path) -> dict[str, float]:
    clock = Clock()
    original_define_env = macros.define_env
    original_post_build = macros.on_post_build

    def define_env(env: Any) -> None:
        clock.timed("load+validate", original_define_env)(env)
        for name, func in list(env.macros.items()):
            if getattr(func, "__module__", "").startswith("macros."):
                env.macros[name] = clock.timed("render", func)

    macros.define_env = define_env
    macros.on_post_build = clock.timed("post_build", original_post_build)
    try:
        config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(site_dir))
        start = time.perf_counter()
        build(config)
        total = time.perf_counter() - start
    finally:
        macros.define_env = original_define_env
        macros.on_post_build = original_post_build
    return {"total": total, **clock.spent}


def _cold_build() -> dict[str, float]:
    import subprocess

    out = subprocess.run(
        [sys.executable, __file__, "--one"], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    if args.one:  # one build in this fresh process, imports included
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps(one_build(Path(tmp) / "site")))
        return 0
    cold = [_cold_build() for _ in range(args.cold_runs)]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        one_build(Path(tmp) / "warmup")
        for i in range(args.runs):
            results.append(one_build(Path(tmp) / f"site{i}"))
    median = {key: statistics.median(r[key] for r in results) for key in results[0]}
    cold_median = {key: statistics.median(r[key] for r in cold) for key in cold[0]}
    cold_ours = cold_median["load+validate"] + cold_median["render"]
    ours = median["load+validate"] + median["render"]
    without_post = median["total"] - median["post_build"]
    report = {
        "runs": args.runs,
        "median_build_s": round(median["total"], 4),
        "median_build_without_post_build_s": round(without_post, 4),
        "load_validate_s": round(median["load+validate"], 4),
        "render_s": round(median["render"], 4),
        "post_build_s": round(median["post_build"], 4),
        "own_code_share_of_pages_build": round(ours / without_post, 4),
        "own_code_share_of_build": round((ours + median["post_build"]) / median["total"], 4),
        "cold_runs": args.cold_runs,
        "cold_median_build_s": round(cold_median["total"], 4),
        "cold_own_code_s": round(cold_ours, 4),
        "cold_own_code_share_of_pages_build": round(
            cold_ours / (cold_median["total"] - cold_median["post_build"]), 4
        ),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"Full site build, median of {args.runs} in-process builds")
    print(f"  total                         {report['median_build_s'] * 1000:8.1f} ms")
    print(f"  pages only (no post-build)    {report['median_build_without_post_build_s'] * 1000:8.1f} ms")
    print(f"  ours: load + validate         {report['load_validate_s'] * 1000:8.1f} ms")
    print(f"  ours: rendering (macros)      {report['render_s'] * 1000:8.1f} ms")
    print(f"  ours: post-build (exports, PDFs via Chromium) {report['post_build_s'] * 1000:8.1f} ms")
    print(f"  our share of the page build   {report['own_code_share_of_pages_build']:8.1%}")
    print(f"  our share incl. post-build    {report['own_code_share_of_build']:8.1%}")
    print(f"First build in a fresh process (imports of pydantic and the model included), "
          f"median of {args.cold_runs}")
    print(f"  total                         {report['cold_median_build_s'] * 1000:8.1f} ms")
    print(f"  ours                          {report['cold_own_code_s'] * 1000:8.1f} ms")
    print(f"  our share of the page build   {report['cold_own_code_share_of_pages_build']:8.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
