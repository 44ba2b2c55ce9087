"""A hand-built review result for the map tests: every number here is chosen, not computed.

Site: ``gis.testing.make_site_layers`` (EPSG:4538 near Urumqi), with the kept building renamed
``<script>alert(1)</script>`` and the proposed one ``<img src=x onerror=alert(2)>``.
Findings: one spacing dimension line of exactly 28 m (FAIL), one fire-lane polygon (PASS), one
project-level finding without geometry.  Outputs: three windows stacked at two plan positions,
shadows at 09:00/10:00/11:00 true solar time for both scenes, a 10 × 10 m ground-hours raster.
"""

from __future__ import annotations

from datetime import datetime

import geopandas as gpd
import numpy as np
import rasterio
from rasterio.transform import from_origin
from shapely.geometry import LineString, Point, box

from gis.findings import Finding, Verdict
from gis.indicators import indicator_table
from gis.pipeline import ReviewResult
from gis.registry import CheckContext
from gis.rules import load_rules
from gis.site import site_from_layers
from gis.testing import ORIGIN, make_site_layers

X0, Y0 = ORIGIN
EVIL = "<script>alert(1)</script>"
EVIL_IMG = "<img src=x onerror=alert(2)>"
RASTER_BOUNDS = (X0 - 10.0, Y0 - 10.0, X0 + 130.0, Y0 + 150.0)  # EPSG:4538, m


def _raster(path):
    x0, y0, x1, y1 = RASTER_BOUNDS
    nx, ny = int((x1 - x0) / 10), int((y1 - y0) / 10)
    before = np.tile(np.linspace(0.0, 8.0, nx, dtype=np.float32), (ny, 1))
    after = before - 1.0
    after[0, 0] = np.nan  # one nodata cell (under a building)
    with rasterio.open(path, "w", driver="GTiff", width=nx, height=ny, count=3, dtype="float32", crs="EPSG:4538",
                       transform=from_origin(x0, y1, 10.0, 10.0), nodata=np.nan) as dst:
        dst.write(np.stack([before, after, after - before]))
    return path


def make_result(tmp_path, *, empty: bool = False) -> ReviewResult:
    rules = load_rules()
    layers = make_site_layers()
    b = layers["buildings"].copy()
    b.loc[b["building_id"] == "K1", "name"] = EVIL
    b.loc[b["building_id"] == "N1", "name"] = EVIL_IMG
    layers["buildings"] = b
    layers["fire_lanes"] = gpd.GeoDataFrame(
        {"lane_id": ["L1"], "phase": ["proposed"], "width_m": [4.0]},
        geometry=[box(X0 - 5, Y0 + 40, X0 + 125, Y0 + 44)], crs="EPSG:4538")
    site = site_from_layers(layers, layers["parcels"].crs, rules=rules, source=str(tmp_path / "demo_site.gpkg"))
    ctx = CheckContext(site=site, rules=rules)
    findings: list[Finding] = []
    if not empty:
        findings = [
            Finding("SP-01", ("N1", "C1"), Verdict.FAIL, "间距不足", "spacing too small", existing=None, proposed=28.0,
                    threshold=30.0, unit="m", source="GB 50180-2018 4.0.9",
                    geometry=LineString([(X0 + 30, Y0 + 73), (X0 + 30, Y0 + 101)])),  # 28 m
            Finding("FL-05", ("lane1",), Verdict.PASS, "车道宽度满足", "lane width met", proposed=4.0, threshold=4.0,
                    unit="m", source="GB 55037-2022 3.4.5", geometry=box(X0 - 5, Y0 + 40, X0 + 125, Y0 + 44)),
            Finding("FAR-01", ("project",), Verdict.PASS, "容积率满足", "FAR met", existing=0.5, proposed=0.6,
                    threshold=1.8, unit="ratio", source="规划条件"),
        ]
        windows = gpd.GeoDataFrame(
            {"window_id": ["K1-F1-W1", "K1-F2-W1", "N1-F1-W1"], "building_id": ["K1", "K1", "N1"],
             "floor": [1, 2, 1], "dwelling": ["101", "201", None], "phase": ["kept", "kept", "proposed"],
             "hours_before": [2.5, 3.0, np.nan], "hours_after": [1.5, 2.5, 2.0], "threshold_h": [2.0, 2.0, 2.0],
             "rule_id": ["SUN-04", "SUN-04", "SUN-03"], "verdict": ["FAIL", "PASS", "PASS"],
             "obstructors": ["N1:60", None, None]},
            geometry=[Point(X0 + 90, Y0 + 32), Point(X0 + 90, Y0 + 32), Point(X0 + 30, Y0 + 73)], crs="EPSG:4538")
        ctx.add_layer("windows", windows, title_zh="窗", title_en="Windows")
        shadows = gpd.GeoDataFrame(
            {"scene": ["before"] * 3 + ["after"] * 3, "tst": ["09:00", "10:00", "11:00"] * 2,
             "bjt": ["11:20", "12:20", "13:20"] * 2},
            geometry=[box(X0 + 10, Y0 + 32, X0 + 50, Y0 + 60 - k) for k in range(3)] * 2, crs="EPSG:4538")
        ctx.add_layer("shadows", shadows, title_zh="阴影", title_en="Shadows")
        net = gpd.GeoDataFrame({"source_ids": ["P1,P2"], "kind": ["net"], "area_m2": [12000.0]},
                               geometry=[box(X0, Y0, X0 + 120, Y0 + 100)], crs="EPSG:4538")
        ctx.add_layer("net_land", net, title_zh="净地", title_en="Net land")
        ctx.products["sunlight_raster"] = _raster(tmp_path / "sunlight.tif")
    return ReviewResult(site=site, rules=rules, findings=findings,
                        indicators=indicator_table(site, rules, products=ctx.products), context=ctx, checks=[],
                        created=datetime(2026, 1, 20, 9, 30))
