"""Building model: heights from floors, height classes at their edges, scenes, replacement."""

from __future__ import annotations

import numpy as np
import pytest

from gis.buildings import height_class
from gis.rules import load_rules
from gis.site import site_from_layers
from gis.testing import make_site_layers

RULES = load_rules()


@pytest.fixture(scope="module")
def site():
    layers = make_site_layers()
    return site_from_layers(layers, layers["buildings"].crs, rules=RULES)


def test_heights_from_floors(site):
    b = site.buildings.set_index("building_id")
    assert b.loc["E1", "height_m"] == pytest.approx(6 * 2.8 + 0.3)  # existing default storey height + roof
    assert b.loc["N1", "height_m"] == pytest.approx(9 * 3.0 + 0.3)  # GB 55038-2025 minimum for new housing
    assert b.loc["N1", "height_source"] == "floors" and b.loc["K1", "height_source"] == "given"
    assert b.loc["C1", "floors"] == 6  # derived from 18 m
    assert b.loc["K1", "storey_height_m"] == pytest.approx((17.1 - 0.3) / 6)
    assert b.loc["E1", "gfa_m2"] == pytest.approx(40 * 12 * 6)


@pytest.mark.parametrize(
    "h,use,expected",
    [(27.0, "residential", "multi"), (27.01, "residential", "high2"), (54.0, "residential", "high2"),
     (54.1, "residential", "high1"), (100.0, "residential", "high1"), (100.5, "residential", "super"),
     (24.0, "public", "multi"), (24.5, "public", "high2"), (50.5, "public", "high1")],
)
def test_height_class_edges(h, use, expected):
    assert height_class(np.array([h]), np.array([use]), rules=RULES)[0] == expected


def test_scenes(site):
    assert set(site.scene("before")["building_id"]) == {"E1", "K1", "C1"}
    assert set(site.scene("after")["building_id"]) == {"K1", "N1", "C1"}
    assert set(site.project_buildings("after")["building_id"]) == {"K1", "N1"}
    with pytest.raises(ValueError):
        site.scene("during")


def test_replaced_by_dwellings(site):
    assert site.replaced_by() == {"N1": ["E1"]}


def test_nine_floors_at_three_metres_cross_27(site):
    b = site.buildings.set_index("building_id")
    assert b.loc["N1", "height_class"] == "high2" and b.loc["E1", "height_class"] == "multi"
