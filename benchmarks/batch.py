"""Benchmark of ``renewal batch``: communities per minute with 1 and 2 Dask workers.

A synthetic city of N communities (:func:`gis.batch.synthetic.make_city_layers`, default
200) is reviewed on a process LocalCluster of 1 and then 2 workers (threads_per_worker=1),
once with the full pipeline and once with ``--only`` filters (checks without sunlight).
Each run starts from an empty output folder.  Results are appended to the batch section of
``benchmarks/RESULTS.md`` with date and machine.

    .venv/bin/python benchmarks/batch.py [--n 200] [--workers 1 2] [--no-full] [--no-only]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
import time
from datetime import datetime
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")
SECTION = "## Batch (renewal batch)"
ONLY = ["buildings.*", "parcels.*", "massing.*", "fire.*", "planning.*"]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def run(city: Path, n: int, workers: int, only: list[str] | None) -> dict:
    from gis.batch import run_batch

    out = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        t0 = time.perf_counter()
        result = run_batch(city, out_dir=out, workers=workers, only=only, write_summary=True)
        seconds = time.perf_counter() - t0
        counts = result.counts()
        per = result.rows["seconds"].astype(float)
        errors = result.rows.loc[result.rows["status"].isin(["error", "input"]), "error"].dropna()
        if len(errors):
            print("most common error:", errors.str.splitlines().str[0].value_counts().head(3).to_dict(), flush=True)
        return {"workers": workers, "only": "sunlight excluded" if only else "full pipeline", "n": n, "seconds": seconds,
                "per_min": n / seconds * 60, "task_median_s": float(per.median()), "counts": counts,
                "ok": counts["pass"] + counts["fail"]}
    finally:
        shutil.rmtree(out, ignore_errors=True)


def write_results(rows: list[dict], n: int) -> None:
    stamp = datetime.now().strftime("%Y-%m-%d %H:%M")
    lines = [f"### {stamp} — {n} synthetic communities — {machine()}", "",
             "| pipeline | workers | wall time (s) | communities / min | median task (s) | outcomes |",
             "|---|---:|---:|---:|---:|---|"]
    for r in rows:
        outcome = ", ".join(f"{k} {v}" for k, v in r["counts"].items() if v)
        if r["ok"] < r["n"]:
            outcome += " (runs with errors are not comparable)"
        lines.append(f"| {r['only']} | {r['workers']} | {r['seconds']:.1f} | {r['per_min']:.1f} | {r['task_median_s']:.2f} | {outcome} |")
    block = "\n".join(lines) + "\n"
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    if SECTION not in text:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\n`.venv/bin/python benchmarks/batch.py` — process LocalCluster, " \
                                   "threads_per_worker=1, each run into an empty folder.\n"
    head, _, tail = text.partition(SECTION)
    # Insert the new block at the end of the batch section (before the next "## " heading).
    nxt = tail.find("\n## ")
    body, rest = (tail, "") if nxt < 0 else (tail[:nxt], tail[nxt:])
    text = head + SECTION + body.rstrip("\n") + "\n\n" + block + rest
    RESULTS.write_text(text, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--no-full", action="store_true", help="skip the full pipeline")
    ap.add_argument("--no-only", action="store_true", help="skip the run with --only filters")
    args = ap.parse_args()
    from gis.batch.synthetic import make_city_layers, write_city

    tmp = Path(tempfile.mkdtemp(prefix="bench-city-"))
    city = write_city(make_city_layers(args.n), tmp / "city.gpkg")
    for only in ([ONLY] if not args.no_only else []) + ([None] if not args.no_full else []):
        rows = []
        for w in args.workers:
            r = run(city, args.n, w, only)
            print(f"{r['only']:>18} workers={w}: {r['seconds']:.1f} s, {r['per_min']:.1f} communities/min, {r['counts']}", flush=True)
            rows.append(r)
        write_results(rows, args.n)  # after each pipeline, so a long run leaves partial results
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"written to {RESULTS}")


if __name__ == "__main__":  # required: Dask worker processes re-import this module under spawn
    main()
