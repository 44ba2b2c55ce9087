"""Benchmark: merge and classify 10,000 synthetic parcels (target < 10 s on 2 cores).

Run: ``.venv/bin/python benchmarks/parcels.py [--n 10000] [--write]``.  With ``--write`` the result is
written to the parcels section of ``benchmarks/RESULTS.md`` with the machine and the date.

The synthetic site is a square grid of 18–22 m plots (EPSG:4538 metres) with digitising noise: 3 cm gaps
between some neighbours (closed), a few 20 cm gaps (reported), a few 0.5 m overlaps (refused); 10 % of the
plots are scrap candidates (``role = scrap``); a road centreline crosses the grid.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import time
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
from shapely.geometry import LineString, box

from gis.parcels.land import analyse_land
from gis.rules import load_rules

RESULTS = Path(__file__).with_name("RESULTS.md")


def synthetic(n: int, seed: int = 1) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n)))
    xs = np.concatenate([[0.0], np.cumsum(rng.uniform(18, 22, side))])
    ys = np.concatenate([[0.0], np.cumsum(rng.uniform(18, 22, side))])
    geoms, roles, ids = [], [], []
    for k in range(n):
        i, j = divmod(k, side)
        x0, x1, y0, y1 = xs[j], xs[j + 1], ys[i], ys[i + 1]
        r = rng.random()
        if r < 0.05:
            x1 -= 0.03  # closed gap
        elif r < 0.051:
            x1 -= 0.20  # reported gap
        elif r < 0.052:
            x1 += 0.50  # overlap
        geoms.append(box(x0 + 548_000, y0 + 4_851_000, x1 + 548_000, y1 + 4_851_000))
        roles.append("scrap" if rng.random() < 0.10 else "project")
        ids.append(f"P{k:05d}")
    parcels = gpd.GeoDataFrame({"parcel_id": ids, "role": roles, "area_registered_m2": [g.area for g in geoms]},
                               geometry=geoms, crs="EPSG:4538")
    mid = ys[side // 2] + 4_851_000
    roads = gpd.GeoDataFrame({"road_id": ["R1"], "red_line_width_m": [12.0]},
                             geometry=[LineString([(548_000 - 10, mid), (548_000 + xs[-1] + 10, mid)])], crs="EPSG:4538")
    return parcels, roads


def run(n: int) -> dict:
    rules = load_rules()
    parcels, roads = synthetic(n)
    t0 = time.perf_counter()
    la = analyse_land(parcels, roads=roads, rules=rules)
    dt = time.perf_counter() - t0
    nl = la.net_land
    return {
        "n": n,
        "seconds": dt,
        "scrap": len(la.scrap),
        "merged_scrap": int(la.scrap["merged"].sum()),
        "issues": nl.issues["kind"].value_counts().to_dict(),
        "net_area_m2": nl.net_area_m2,
        "parts": nl.n_parts,
    }


def write(res: dict) -> None:
    cpu = platform.processor() or platform.machine()
    line = (
        f"- {datetime.now():%Y-%m-%d %H:%M}, {platform.node()} ({cpu}, {os.cpu_count()} cores, Python {platform.python_version()}): "
        f"{res['n']:,} parcels ({res['scrap']} scrap candidates, {res['merged_scrap']} merged) merged and classified in "
        f"**{res['seconds']:.2f} s** (target < 10 s); issues {res['issues']}; net land {res['net_area_m2']:,.0f} m² in {res['parts']} parts."
    )
    head = "## parcels\n\n`.venv/bin/python benchmarks/parcels.py --write` — merge + classify synthetic parcels (gis.parcels.land.analyse_land).\n\n"
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n\n"
    pattern = re.compile(r"## parcels\n.*?(?=\n## |\Z)", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda m: m.group(0).rstrip("\n") + "\n" + line + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + head + line + "\n"
    RESULTS.write_text(text, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--write", action="store_true", help="append the result to benchmarks/RESULTS.md")
    args = ap.parse_args()
    res = run(args.n)
    print(res)
    if args.write:
        write(res)


if __name__ == "__main__":
    main()
