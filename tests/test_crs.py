"""CRS handling: GK zones, zone prefixes, geographic input, missing and mixed CRSs, legacy datums."""

from __future__ import annotations

import math

import pytest
from pyproj import Transformer
from shapely import affinity
from typer.testing import CliRunner

from gis import crs as crslib
from gis.cli import app
from gis.rules import load_rules
from gis.site import load_site
from gis.testing import make_site_layers, write_site

runner = CliRunner()
RULES = load_rules()


def test_gk3_codes():
    assert crslib.gk3_epsg_for_lon(87.6) == 4538
    assert crslib.gk3_epsg_for_lon(120.15) == 4549
    assert crslib.gk3_epsg_for_lon(75.2) == 4534 and crslib.gk3_epsg_for_lon(134.9) == 4554
    assert crslib.gk3_zone_prefixed_epsg(29) == 4517
    with pytest.raises(ValueError):
        crslib.gk3_epsg_for_lon(10.0)


def test_urumqi_reference_point():
    # RULES.md §7: (87.6 E, 43.8 N) → E 548 285 m, N 4 851 775 m in EPSG:4538; E 29 548 285 m in 4517.
    x, y = Transformer.from_crs(4490, 4538, always_xy=True).transform(87.6, 43.8)
    assert (round(x), round(y)) == (548285, 4851775)
    x29, _ = Transformer.from_crs(4490, 4517, always_xy=True).transform(87.6, 43.8)
    assert round(x29) == 29548285


def test_grid_convergence_matches_closed_form():
    # Meridian convergence γ ≈ Δλ·sin φ (first-order), here 0.6°·sin 43.8° ≈ 0.415°.
    x, y = Transformer.from_crs(4490, 4538, always_xy=True).transform(87.6, 43.8)
    gamma = crslib.grid_north_azimuth_deg(crslib.CRS.from_epsg(4538), x, y)
    assert gamma == pytest.approx(0.6 * math.sin(math.radians(43.8)), abs=0.003)


def _layers_in(crs_code: str, dx: float = 0.0):
    layers = make_site_layers()
    for name, frame in layers.items():
        if hasattr(frame, "geometry"):
            frame = frame.copy()
            frame["geometry"] = frame.geometry.map(lambda g: affinity.translate(g, dx, 0) if g is not None else g)
            layers[name] = frame.set_crs(crs_code, allow_override=True)
    return layers


def _problems(path, tmp_path):
    result = runner.invoke(app, ["check", str(path), "--out", str(tmp_path / "o"), "--quiet", "--lang", "en"])
    return result, [ln for ln in result.output.splitlines() if " — fix: " in ln]


def test_zone_prefixed_crs_accepted(tmp_path):
    path = write_site(_layers_in("EPSG:4517", dx=29_000_000), tmp_path / "s.gpkg")
    site = load_site(path, rules=RULES)
    assert site.crs.to_epsg() == 4517
    assert site.lon == pytest.approx(87.6, abs=0.01)


def test_prefixed_eastings_with_cm_crs_refused(tmp_path):
    path = write_site(_layers_in("EPSG:4538", dx=29_000_000), tmp_path / "s.gpkg")
    result, lines = _problems(path, tmp_path)
    assert result.exit_code == 2
    assert any("zone prefix 29" in ln and "EPSG:4517" in ln for ln in lines), lines


def test_cm_eastings_with_prefixed_crs_refused(tmp_path):
    path = write_site(_layers_in("EPSG:4517"), tmp_path / "s.gpkg")
    result, lines = _problems(path, tmp_path)
    assert result.exit_code == 2 and any("expects eastings with the zone prefix 29" in ln for ln in lines)


def test_geographic_input_projected_to_gk_zone(tmp_path):
    layers = {n: (f.to_crs(4326) if hasattr(f, "geometry") else f) for n, f in make_site_layers().items()}
    path = write_site(layers, tmp_path / "s.gpkg")
    site = load_site(path, rules=RULES)
    assert site.crs.to_epsg() == 4538
    assert any(n.kind == "crs" and "EPSG:4538" in n.message_en for n in site.notes)
    # Areas survive the round trip through degrees within a few cm².
    assert site.buildings.loc[site.buildings.building_id == "E1", "footprint_area_m2"].iloc[0] == pytest.approx(480.0, abs=0.05)


def test_missing_crs_refused(tmp_path):
    layers = {n: (f.set_crs(None, allow_override=True) if hasattr(f, "geometry") else f) for n, f in make_site_layers().items()}
    path = write_site(layers, tmp_path / "s.gpkg")
    result, lines = _problems(path, tmp_path)
    assert result.exit_code == 2 and any("buildings .crs: layer has no coordinate reference system" in ln for ln in lines)


def test_mixed_crs_refused(tmp_path):
    layers = make_site_layers()
    layers["roads"] = layers["roads"].to_crs(4326)
    path = write_site(layers, tmp_path / "s.gpkg")
    result, lines = _problems(path, tmp_path)
    assert result.exit_code == 2 and any("layers use different CRSs" in ln and "roads" in ln for ln in lines)


@pytest.mark.parametrize("epsg", [2374, 2426])  # Xian 1980 / Beijing 1954, 3° GK CM 87E
def test_legacy_datum_refused(tmp_path, epsg):
    path = write_site(_layers_in(f"EPSG:{epsg}"), tmp_path / "s.gpkg")
    result, lines = _problems(path, tmp_path)
    assert result.exit_code == 2 and any("Ballpark" in ln and "7-parameter" in ln for ln in lines), lines


def test_swapped_axes_refused(tmp_path):
    layers = make_site_layers()
    for name, frame in layers.items():
        if hasattr(frame, "geometry"):
            layers[name] = frame.set_geometry(frame.geometry.map(lambda g: affinity.affine_transform(g, [0, 1, 1, 0, 0, 0])))
    path = write_site(layers, tmp_path / "s.gpkg")
    result, lines = _problems(path, tmp_path)
    assert result.exit_code == 2 and any("swapped" in ln for ln in lines), lines


def test_wgs84_utm_accepted(tmp_path):
    layers = {n: (f.to_crs(32645) if hasattr(f, "geometry") else f) for n, f in make_site_layers().items()}
    site = load_site(write_site(layers, tmp_path / "s.gpkg"), rules=RULES)
    assert site.crs.to_epsg() == 32645 and site.lat == pytest.approx(43.8, abs=0.01)
