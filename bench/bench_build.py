"""Benchmark: what a build costs, side by side with what the pages alone cost.

Every figure is the CPU time (user + system, the process and every process it
waited for: git, Chromium) or the peak resident memory of a whole
``mkdocs build`` process, taken with ``os.wait4``. The builds of one
comparison run interleaved, round after round, and the median of the rounds
is reported, so that load from elsewhere on the machine falls on both sides.

Ratios printed, each with the target it is held to:

1. **floor**: a cold build of the trial site without PDFs against a bare
   Material build of the same pages. The bench makes that bare site itself:
   each built page's article HTML becomes the page's Markdown, and the
   configuration is the project's without mkdocs-macros and the hooks (same
   theme, palette, search separator, style sheets). Two more builds show
   where the difference lies: the bare site with mkdocs-macros switched on
   and an empty module (what the plugin costs by itself, rendering each page
   as a template), and the bare site with the hook that keeps the theme's
   compiled templates between builds (which the trial site uses, so that
   the ratio to it is our own code's share, with that saving set aside).
2. **size**: the 1,148-site record NCT04267848, imported from
   ``../shared/ctgov`` with ``import-ctgov``, against the seed trial (CPU and
   peak memory); and a synthetic series, the seed with 1x, 10x and 100x its
   sites and its criteria, giving the cost of each added site or criterion
   from 1x to 10x and from 10x to 100x: for the whole build, and for our
   code alone (CPU inside the plugin's entry points into ``macros``, from a
   build run in process by this file's ``--own`` mode).
3. **PDFs**: a rebuild with the checklist PDFs whose checklist did not change
   (the PDF cache is warm) against a build without PDFs.
4. **validate**: the wall time of a cold ``python -m macros validate`` of the
   seed (the median of the runs).

"Cold" is a new process; files that caches keep on disk (``.cache/``) stay
as the previous build left them, as on a developer's machine or in CI with a
kept cache. Builds without PDFs point ``TRIAL_CHROMIUM`` at a missing file.

Run: ``.venv/bin/python bench/bench_build.py [--rounds N] [--json] [--quick]``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from macros.trial.source import read  # noqa: E402

BIG_RECORD = ROOT.parent / "shared" / "ctgov" / "NCT04267848.json"
NO_CHROMIUM = "/nonexistent/chromium"
TARGETS = {
    "floor": 1.25,
    "big_cpu": 1.5,
    "big_memory": 1.5,
    "per_unit_drift": 1.2,
    "pdf_rebuild": 1.1,
    "validate_s": 0.3,
}


class _Dumper(yaml.SafeDumper):
    """Writes every repeated value out: a trial file has no anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


SINGULAR = {"sites": "site", "criteria": "criterion"}
_ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">(.*?)</article>', re.S)


@dataclass
class Run:
    cpu: float
    wall: float
    peak_mb: float


def run(command: list[str], env: dict[str, str], cwd: Path = ROOT) -> Run:
    """Run ``command`` to the end; its CPU (with its children's), wall time and peak memory."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    stderr = process.stderr.read() if process.stderr else b""
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        tail = stderr.decode(errors="replace").strip().splitlines()[-5:]
        raise SystemExit(f"bench: {' '.join(command)} failed:\n" + "\n".join(tail))
    return Run(usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024)


def base_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH="1700000000")
    env.pop("CI", None)
    # Python's default: compiled modules are written to __pycache__ and read
    # back, as on a developer's machine or in CI. An environment that sets
    # PYTHONDONTWRITEBYTECODE recompiles this project's modules in every
    # process (about 0.1 s a build), which a bare Material build never pays.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("TRIAL_DATA", None)
    env.update(extra)
    return env


class Bench:
    def __init__(self, work: Path, rounds: int) -> None:
        self.work = work
        self.rounds = rounds
        self.python = sys.executable

    # -- the sites ---------------------------------------------------------
    def build_command(self, config: Path, site: str) -> list[str]:
        return [self.python, "-m", "mkdocs", "build", "-q", "-f", str(config),
                "-d", str(self.work / site)]

    def trial_build(self, name: str, trial: Path | None = None, pdfs: bool = False) -> Callable[[], Run]:
        extra = {} if pdfs else {"TRIAL_CHROMIUM": NO_CHROMIUM}
        if trial is not None:
            extra["TRIAL_DATA"] = str(trial)
        env = base_env(**extra)
        command = self.build_command(ROOT / "mkdocs.yml", name)
        return lambda: run(command, env)

    def own_cpu(self, trial: Path, site: str) -> float:
        """CPU seconds spent in this project's code during one build (median of the rounds).

        A build run in a process of its own by this file's ``--own`` mode,
        which wraps the plugin's entry points into ``macros`` (loading and
        validating with its imports, every page macro, the files written
        after the build) with a CPU clock.
        """
        env = base_env(TRIAL_CHROMIUM=NO_CHROMIUM, TRIAL_DATA=str(trial))
        command = [self.python, __file__, "--own", str(self.work / site)]
        spent = []
        for _ in range(max(3, self.rounds // 2)):
            output = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
            if output.returncode != 0:
                raise SystemExit(f"bench: own-code build failed:\n{output.stderr[-2000:]}")
            spent.append(float(output.stdout.strip().splitlines()[-1]))
        return statistics.median(spent)

    def bare_site(self, built: Path, variant: str = "") -> Path:
        """A bare Material project with the built pages' article HTML as its Markdown.

        ``variant`` "macros" adds mkdocs-macros with an empty module; "cached"
        adds the hook that keeps the theme's compiled templates.
        """
        folder = self.work / f"bare{'-' + variant if variant else ''}"
        docs = folder / "docs"
        shutil.copytree(ROOT / "docs", docs, ignore=shutil.ignore_patterns("*.md"))
        config = yaml.safe_load(_without_env_tags((ROOT / "mkdocs.yml").read_text("utf-8")))
        for page in _nav_pages(config["nav"]):
            source = built / (page[:-3] + "/index.html" if page != "index.md" else "index.html")
            match = _ARTICLE.search(source.read_text("utf-8"))
            if match is None:
                raise SystemExit(f"bench: no article in {source}")
            (docs / page).write_text(match.group(1), encoding="utf-8")
        for key in ("hooks", "watch", "site_url"):
            config.pop(key, None)
        config["theme"].pop("custom_dir", None)
        config["docs_dir"] = str(docs)
        plugins = [p for p in config["plugins"] if not (isinstance(p, dict) and "macros" in p)]
        if variant == "cached":
            config["hooks"] = [str(ROOT / "macros" / "site" / "theme_cache.py")]
        if variant == "macros":
            (folder / "empty_macros.py").write_text(
                "def define_env(env):\n    pass\n", encoding="utf-8"
            )
            plugins.append({"macros": {"module_name": "empty_macros"}})
        config["plugins"] = plugins
        target = folder / "mkdocs.yml"
        target.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")
        return target

    def bare_build(self, config: Path, name: str) -> Callable[[], Run]:
        env = base_env(TRIAL_CACHE_DIR=str(config.parent / ".cache"))
        command = self.build_command(config, name)
        return lambda: run(command, env, cwd=config.parent)

    # -- measuring ---------------------------------------------------------
    def interleaved(self, builds: dict[str, Callable[[], Run]], rounds: int | None = None) -> dict[str, Run]:
        """Each build once per round, in turn; the median CPU, wall and peak of each."""
        for build in builds.values():  # warm the disk cache and any on-disk caches
            build()
        runs: dict[str, list[Run]] = {name: [] for name in builds}
        for _ in range(rounds or self.rounds):
            for name, build in builds.items():
                runs[name].append(build())
        return {
            name: Run(
                statistics.median(r.cpu for r in rs),
                statistics.median(r.wall for r in rs),
                statistics.median(r.peak_mb for r in rs),
            )
            for name, rs in runs.items()
        }


def _without_env_tags(text: str) -> str:
    return re.sub(r"!ENV\s+\S+", "''", text)


def _nav_pages(nav: list[Any]) -> list[str]:
    pages: list[str] = []
    for entry in nav:
        value = next(iter(entry.values())) if isinstance(entry, dict) else entry
        if isinstance(value, list):
            pages.extend(_nav_pages(value))
        else:
            pages.append(value)
    return pages


def scaled_trial(factor_sites: int, factor_criteria: int, target: Path) -> Path:
    """The seed with its sites and its criteria repeated; every copy named apart."""
    data = read(ROOT / "data" / "trial.yaml").data
    sites = data["contacts_locations"]["locations"]
    data["contacts_locations"]["locations"] = [
        {**site, "facility": f"{site['facility']} {copy}" if copy else site["facility"]}
        for copy in range(factor_sites)
        for site in sites
    ]
    eligibility = data["eligibility"]
    for kind in ("inclusion", "exclusion"):
        criteria = eligibility[kind]
        eligibility[kind] = [
            {**criterion, "id": f"{criterion['id']}x{copy}" if copy else criterion["id"]}
            for copy in range(factor_criteria)
            for criterion in criteria
        ]
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False)
    target.write_text(text, "utf-8")
    return target


def import_record(record: Path, target: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "macros", "import-ctgov", str(record), "-o", str(target)],
        cwd=ROOT, check=True, env=base_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return target


def units(trial: Path) -> tuple[int, int]:
    data = read(trial).data
    sites = len(data["contacts_locations"]["locations"])
    eligibility = data["eligibility"]
    return sites, len(eligibility["inclusion"]) + len(eligibility["exclusion"])


def measure(work: Path, rounds: int, quick: bool) -> dict[str, Any]:
    bench = Bench(work, rounds)
    report: dict[str, Any] = {"rounds": rounds}

    # 1. The floor.
    trial = bench.trial_build("trial")
    trial()
    floor = bench.interleaved({
        "trial": trial,
        **{
            f"bare{'_' + variant if variant else ''}": bench.bare_build(
                bench.bare_site(work / "trial", variant), f"bare-{variant or 'plain'}-site"
            )
            for variant in ("", "macros", "cached")
        },
    })
    report["floor"] = {name: vars(r) for name, r in floor.items()}
    report["floor_ratio"] = floor["trial"].cpu / floor["bare"].cpu
    report["plugin_ratio"] = floor["bare_macros"].cpu / floor["bare"].cpu
    report["floor_ratio_cached"] = floor["trial"].cpu / floor["bare_cached"].cpu

    # 2. Size: the big record, then the synthetic series.
    if BIG_RECORD.is_file():
        big_trial = import_record(BIG_RECORD, work / "NCT04267848.yaml")
        big = bench.interleaved({"seed": trial, "big": bench.trial_build("big", big_trial)})
        report["big"] = {name: vars(r) for name, r in big.items()}
        report["big_cpu_ratio"] = big["big"].cpu / big["seed"].cpu
        report["big_memory_ratio"] = big["big"].peak_mb / big["seed"].peak_mb
    else:
        report["big"] = f"skipped: {BIG_RECORD.name} not found in ../shared/ctgov"
    factors = (1, 10) if quick else (1, 10, 100)
    files = {f: scaled_trial(f, f, work / f"scaled-{f}x.yaml") for f in factors}
    timed = bench.interleaved(
        {f"{f}x": bench.trial_build(f"scaled-{f}", path) for f, path in files.items()},
        rounds=max(3, rounds // 2),
    )
    own = {f"{f}x": bench.own_cpu(path, f"own-{f}") for f, path in files.items()}
    counts = {f: sum(units(path)) for f, path in files.items()}
    steps = []
    for low, high in itertools.pairwise(factors):
        added = counts[high] - counts[low]
        steps.append({
            "from": f"{low}x", "to": f"{high}x", "added": added,
            "ms_each": 1000 * (timed[f"{high}x"].cpu - timed[f"{low}x"].cpu) / added,
            "own_ms_each": 1000 * (own[f"{high}x"] - own[f"{low}x"]) / added,
        })
    series: dict[str, Any] = {
        "units": {f"{f}x": dict(zip(("sites", "criteria"), units(p), strict=True))
                  for f, p in files.items()},
        "cpu_s": {name: r.cpu for name, r in timed.items()},
        "own_cpu_s": own,
        "steps": steps,
    }
    if len(steps) == 2:
        for key in ("ms_each", "own_ms_each"):
            first, second = (step[key] for step in steps)
            if min(first, second) > 0:
                series[f"drift_{key}"] = max(first, second) / min(first, second)
    report["series"] = series

    # 3. PDFs: a rebuild whose checklist did not change, against no PDFs.
    with_pdfs = bench.trial_build("pdf", pdfs=True)
    with_pdfs()  # prints, filling the cache
    pdf = bench.interleaved({"with_pdfs": with_pdfs, "without_pdfs": trial})
    report["pdf"] = {name: vars(r) for name, r in pdf.items()}
    report["pdf_rebuild_ratio"] = pdf["with_pdfs"].cpu / pdf["without_pdfs"].cpu

    # 4. A cold validate.
    validate = [
        run([sys.executable, "-m", "macros", "validate"], base_env()).wall
        for _ in range(max(5, rounds))
    ]
    report["validate_s"] = statistics.median(validate)
    return report


def show(report: dict[str, Any]) -> None:
    def line(label: str, value: float, target: float | None = None, unit: str = "x") -> None:
        verdict = ""
        if target is not None:
            verdict = f"   (target <= {target:g}{unit}: {'met' if value <= target else 'NOT met'})"
        print(f"  {label:<58} {value:7.2f}{unit}{verdict}")

    floor = report["floor"]
    print(f"Build CPU, medians of {report['rounds']} interleaved rounds (user+sys, children included)")
    print(f"  trial site, no PDFs            {floor['trial']['cpu']:6.2f} s")
    print(f"  bare Material, same pages      {floor['bare']['cpu']:6.2f} s")
    print(f"  bare + mkdocs-macros, no trial {floor['bare_macros']['cpu']:6.2f} s")
    print(f"  bare + theme template cache    {floor['bare_cached']['cpu']:6.2f} s")
    line("1. trial / bare Material", report["floor_ratio"], TARGETS["floor"])
    line("   (bare + mkdocs-macros rendering the same pages) / bare", report["plugin_ratio"])
    line("   trial / (bare + the theme template cache the trial site uses)",
         report["floor_ratio_cached"])
    if isinstance(report["big"], dict):
        big = report["big"]
        print(f"  NCT04267848 {big['big']['cpu']:.2f} s, {big['big']['peak_mb']:.0f} MB;"
              f" seed {big['seed']['cpu']:.2f} s, {big['seed']['peak_mb']:.0f} MB")
        line("2. NCT04267848 / seed, CPU", report["big_cpu_ratio"], TARGETS["big_cpu"])
        line("   NCT04267848 / seed, peak memory", report["big_memory_ratio"], TARGETS["big_memory"])
    else:
        print(f"  2. {report['big']}")
    series = report["series"]
    sizes = "; ".join(
        f"{name} {u['sites']} sites, {u['criteria']} criteria" for name, u in series["units"].items()
    )
    print(f"  seed scaled: {sizes}")
    print("     build CPU " + ", ".join(f"{k} {v:.2f} s" for k, v in series["cpu_s"].items())
          + "; our code " + ", ".join(f"{k} {v:.2f} s" for k, v in series["own_cpu_s"].items()))
    for step in series["steps"]:
        print(f"     {step['from']} -> {step['to']}: {step['ms_each']:.2f} ms per added site or "
              f"criterion, {step['own_ms_each']:.2f} ms of it in our code ({step['added']} added)")
    if "drift_ms_each" in series:
        line("   cost per site or criterion, larger step / smaller", series["drift_ms_each"],
             TARGETS["per_unit_drift"])
        line("   our code's cost per site or criterion, larger / smaller", series["drift_own_ms_each"],
             TARGETS["per_unit_drift"])
    pdf = report["pdf"]
    print(f"  rebuild with PDFs (cache warm) {pdf['with_pdfs']['cpu']:.2f} s; "
          f"without PDFs {pdf['without_pdfs']['cpu']:.2f} s")
    line("3. rebuild with unchanged PDFs / without PDFs", report["pdf_rebuild_ratio"],
         TARGETS["pdf_rebuild"])
    line("4. cold `python -m macros validate`, wall", report["validate_s"], TARGETS["validate_s"], " s")


def own_code_build(site_dir: Path) -> float:
    """Build once in this process; the CPU seconds spent inside ``macros``' entry points."""
    os.chdir(ROOT)
    import logging

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    import macros

    spent = [0.0]

    def clocked(func: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return func(*args, **kwargs)
            finally:
                spent[0] += time.process_time() - start

        return wrapper

    define_env = macros.define_env

    def define_and_clock(env: Any) -> None:
        clocked(define_env)(env)
        for name, func in list(env.macros.items()):
            if getattr(func, "__module__", "").startswith("macros."):
                env.macros[name] = clocked(func)

    macros.define_env = define_and_clock
    macros.on_post_build = clocked(macros.on_post_build)
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    build(load_config(str(ROOT / "mkdocs.yml"), site_dir=str(site_dir)))
    return spent[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument("--quick", action="store_true", help="synthetic series up to 10x only")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--own", metavar="SITE_DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.own:
        print(f"{own_code_build(Path(args.own)):.6f}")
        return 0
    with tempfile.TemporaryDirectory(prefix="trial-bench-") as tmp:
        report = measure(Path(tmp), args.rounds, args.quick)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        show(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
