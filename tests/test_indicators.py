"""主要技术经济指标表 on the minimal site, against hand-computed values."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import box

from gis.indicators import indicator_table
from gis.rules import load_rules
from gis.site import site_from_layers
from gis.testing import ORIGIN, make_site_layers

RULES = load_rules()
X0, Y0 = ORIGIN


def _rows(layers):
    site = site_from_layers(layers, layers["buildings"].crs, rules=RULES)
    return {r.key: r for r in indicator_table(site, RULES)}


def test_hand_computed_indicators():
    r = _rows(make_site_layers())
    land = 120 * 100
    assert r["total_land_area_m2"].existing == pytest.approx(land)
    # before: E1 (40×12, 6 floors) + K1 (40×12, 6 floors); after: K1 + N1 (40×13, 9 floors)
    assert r["gross_floor_area_m2"].existing == pytest.approx(2 * 480 * 6)
    assert r["gross_floor_area_m2"].proposed == pytest.approx(480 * 6 + 520 * 9)
    assert r["far"].existing == pytest.approx(5760 / land)
    assert r["far"].proposed == pytest.approx(7560 / land)
    assert r["far"].condition == pytest.approx(1.8)
    assert r["density"].existing == pytest.approx(960 / land) and r["density"].proposed == pytest.approx(1000 / land)
    assert r["green_ratio"].proposed == pytest.approx(1200 / land)
    assert r["households"].existing == 48 and r["households"].proposed == 44
    assert r["max_height_m"].proposed == pytest.approx(27.3) and r["max_floors"].proposed == 9
    assert r["premium_free_area_m2"].proposed == pytest.approx(240)
    # 0.35 m²/person old-district rule uses persons/household from the pack (3.0 here)
    assert r["concentrated_green_per_person_m2"].proposed == pytest.approx(1200 / (44 * 3.0))


def test_control_lines_reduce_net_land():
    layers = make_site_layers()
    layers["control_lines"] = gpd.GeoDataFrame({"kind": ["green"]}, geometry=[box(X0, Y0, X0 + 120, Y0 + 5)], crs="EPSG:4538")
    r = _rows(layers)
    assert r["net_land_area_m2"].existing == pytest.approx(12000 - 600)
    assert r["far"].proposed == pytest.approx(7560 / 11400)


def test_area_weighted_planning_conditions():
    layers = make_site_layers()
    p = layers["parcels"].copy()
    p["far_max"] = [1.0, 2.0]
    p["height_max_m"] = [30.0, 45.0]
    layers["parcels"] = p
    r = _rows(layers)
    assert r["far"].condition == pytest.approx(1.5) and r["max_height_m"].condition == 30.0
