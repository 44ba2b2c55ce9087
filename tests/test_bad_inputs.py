"""A corpus of bad inputs: each gives its own clear line and exit status 2, no traceback,
and leaves the input file byte-for-byte unchanged."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, Polygon, box
from typer.testing import CliRunner

from gis.cli import app
from gis.testing import ORIGIN, make_site_layers, write_site

X0, Y0 = ORIGIN


def _sha(path: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(path.parent.iterdir()) if path.is_dir() else [path]:
        h.update(p.read_bytes())
    return h.hexdigest()


def _set(layers, layer, idx, field, value):
    frame = layers[layer].copy()
    if field not in frame.columns:
        frame[field] = None
    frame[field] = frame[field].astype(object)
    frame.loc[idx, field] = value
    layers[layer] = frame


def _geom(layers, layer, idx, geom):
    frame = layers[layer].copy()
    frame.loc[idx, "geometry"] = geom
    layers[layer] = frame


def _shift(x, y):
    return x + X0, y + Y0


def m_missing_buildings(L):
    del L["buildings"]


def m_missing_parcels(L):
    del L["parcels"], L["planning_units"]


def m_empty_layer(L):
    L["green"] = L["green"].iloc[0:0]


def m_missing_field(L):
    L["buildings"] = L["buildings"].drop(columns=["phase"])


def m_duplicate_building_id(L):
    _set(L, "buildings", 1, "building_id", "E1")


def m_duplicate_parcel_id(L):
    _set(L, "parcels", 1, "parcel_id", "P1")


def m_bad_phase(L):
    _set(L, "buildings", 2, "phase", "planned")


def m_no_height(L):
    _set(L, "buildings", 0, "floors", None)
    _set(L, "buildings", 0, "height_m", None)


def m_negative_height(L):
    _set(L, "buildings", 1, "height_m", -17.1)


def m_absurd_floors(L):
    _set(L, "buildings", 0, "floors", 300)


def m_text_in_number(L):
    _set(L, "buildings", 0, "floors", "六")


def m_tiny_footprint(L):
    _geom(L, "buildings", 1, box(*_shift(70, 20), *_shift(71, 21.5)))


def m_point_building(L):
    _geom(L, "buildings", 1, Point(*_shift(70, 20)))


def m_bowtie(L):
    pts = [_shift(70, 20), _shift(110, 32), _shift(110, 20), _shift(70, 32), _shift(70, 20)]
    _geom(L, "buildings", 1, Polygon(pts))


def m_null_geometry(L):
    _geom(L, "green", 0, None)


def m_dwelling_unknown_building(L):
    d = L["dwellings"].copy()
    d.loc[0, "building_id"] = "E9"
    L["dwellings"] = d


def m_dwelling_negative_area(L):
    d = L["dwellings"].copy()
    d.loc[1, "property_area_m2"] = -50.0
    L["dwellings"] = d


def m_dwelling_kept_building(L):
    d = L["dwellings"].copy()
    d.loc[2, "building_id"] = "K1"
    L["dwellings"] = d


def m_unknown_unit(L):
    _set(L, "parcels", 1, "unit_id", "U7")


def m_ratio_out_of_range(L):
    _set(L, "parcels", 0, "density_max", 28.0)


def m_fire_grade(L):
    _set(L, "buildings", 0, "fire_grade", 5)


def m_storey_height(L):
    _set(L, "buildings", 2, "storey_height_m", 0.5)


def m_height_floor_mismatch(L):
    _set(L, "buildings", 1, "height_m", 90.0)


def m_overlap_after(L):
    _geom(L, "buildings", 2, box(*_shift(75, 25), *_shift(115, 38)))


def m_road_line_without_width(L):
    _set(L, "roads", 0, "red_line_width_m", None)


def m_no_project_parcel(L):
    _set(L, "parcels", 0, "role", "neighbour")
    _set(L, "parcels", 1, "role", "neighbour")


def m_households_absurd(L):
    _set(L, "buildings", 0, "households", 5000)


def m_bad_choice_green(L):
    _set(L, "green", 0, "kind", "lawn")


def m_lowest_floor(L):
    _set(L, "buildings", 0, "lowest_residential_floor", 9)


def m_multipart_building(L):
    _geom(L, "buildings", 1, box(*_shift(70, 20), *_shift(80, 32)).union(box(*_shift(100, 20), *_shift(110, 32))))


# (mutation, expected fragments of the one line that must name it)
CORPUS = [
    (m_missing_buildings, ["buildings", "required layer is missing"]),
    (m_missing_parcels, ["parcels", "required layer is missing"]),
    (m_empty_layer, ["green", "layer is empty"]),
    (m_missing_field, ["buildings", ".phase", "required field is missing"]),
    (m_duplicate_building_id, ["buildings [E1]", ".building_id", "used by 2 features"]),
    (m_duplicate_parcel_id, ["parcels [P1]", ".parcel_id", "used by 2 features"]),
    (m_bad_phase, ["buildings [N1]", ".phase", "'planned' is not one of"]),
    (m_no_height, ["buildings [E1]", ".floors", "neither floors nor height_m"]),
    (m_negative_height, ["buildings [K1]", ".height_m", "out of range"]),
    (m_absurd_floors, ["buildings [E1]", ".floors", "300 floors is implausible"]),
    (m_text_in_number, ["buildings [E1]", ".floors", "'六' is not a number"]),
    (m_tiny_footprint, ["buildings [K1]", ".geometry", "footprint area 1.50 m²"]),
    (m_point_building, ["buildings [K1]", ".geometry", "is a Point, expected Polygon"]),
    (m_bowtie, ["buildings [K1]", ".geometry", "cannot be repaired unambiguously"]),
    (m_null_geometry, ["green [G1]", ".geometry", "has no geometry"]),
    (m_dwelling_unknown_building, ["dwellings [E9/1-1-01]", ".building_id", "not in the buildings layer"]),
    (m_dwelling_negative_area, ["dwellings", ".property_area_m2", "out of range"]),
    (m_dwelling_kept_building, ["dwellings [K1/1-2-01]", ".building_id", "phase 'kept'"]),
    (m_unknown_unit, ["parcels [P2]", ".unit_id", "'U7' is not in planning_units"]),
    (m_ratio_out_of_range, ["parcels [P1]", ".density_max", "out of range"]),
    (m_fire_grade, ["buildings [E1]", ".fire_grade", "out of range"]),
    (m_storey_height, ["buildings [N1]", ".storey_height_m", "outside the plausible storey height"]),
    (m_height_floor_mismatch, ["buildings [K1]", ".height_m", "m per storey"]),
    (m_overlap_after, ["buildings [K1, N1]", "overlap", "after scene"]),
    (m_road_line_without_width, ["roads [R1]", ".red_line_width_m", "needs red_line_width_m"]),
    (m_no_project_parcel, ["parcels", ".role", "no parcel has role = project"]),
    (m_households_absurd, ["buildings [E1]", ".households", "implausible"]),
    (m_bad_choice_green, ["green [G1]", ".kind", "'lawn' is not one of"]),
    (m_lowest_floor, ["buildings [E1]", ".lowest_residential_floor", "above the top floor"]),
    (m_multipart_building, ["buildings [K1]", ".geometry", "separate parts"]),
]

runner = CliRunner()


def _run_check(path: Path, tmp_path: Path):
    return runner.invoke(app, ["check", str(path), "--out", str(tmp_path / "out"), "--quiet", "--lang", "en"])


def _problem_lines(output: str) -> list[str]:
    return [ln for ln in output.splitlines() if " — fix: " in ln]


@pytest.mark.parametrize("mutate,expected", CORPUS, ids=[m.__name__[2:] for m, _ in CORPUS])
def test_bad_input_reported(tmp_path, mutate, expected):
    layers = make_site_layers()
    mutate(layers)
    path = write_site(layers, tmp_path / "site.gpkg")
    before = _sha(path)
    result = _run_check(path, tmp_path)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = _problem_lines(result.output)
    assert any(all(frag in ln for frag in expected) for ln in lines), "\n".join(lines)
    assert _sha(path) == before
    assert not (tmp_path / "out" / "results.gpkg").exists()


def test_corpus_is_large_enough():
    assert len(CORPUS) >= 20


def test_twenty_kinds_at_once_in_one_run(tmp_path):
    """All independent bad inputs in one site: every one reported, one line each, exit 2, from a real process."""
    layers = make_site_layers()
    combinable = [m for m, _ in CORPUS if m not in (m_missing_buildings, m_missing_parcels, m_missing_field, m_no_project_parcel,
                                                     m_point_building, m_overlap_after, m_height_floor_mismatch, m_negative_height,
                                                     m_tiny_footprint, m_multipart_building, m_duplicate_building_id)]
    for mutate in combinable:
        mutate(layers)
    path = write_site(layers, tmp_path / "bad.gpkg")
    before = _sha(path)
    proc = subprocess.run([sys.executable, "-m", "gis.cli", "check", str(path), "--out", str(tmp_path / "o"), "--quiet", "--lang", "en"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = _problem_lines(proc.stderr)
    assert len(lines) >= 18, proc.stderr
    for ln in lines:
        assert "\n" not in ln and ": " in ln
    assert _sha(path) == before


def test_missing_file_and_not_a_gpkg(tmp_path):
    result = _run_check(tmp_path / "nope.gpkg", tmp_path)
    assert result.exit_code == 2 and "does not exist" in result.output
    junk = tmp_path / "junk.gpkg"
    junk.write_text("this is not a geopackage")
    result = _run_check(junk, tmp_path)
    assert result.exit_code == 2 and "cannot be opened as a GeoPackage" in result.output
    assert junk.read_text() == "this is not a geopackage"


def test_unrepairable_vs_repaired_geometry(tmp_path):
    """A self-touching ring (an inverted hole) is repaired and reported as a note, not an error."""
    layers = make_site_layers()
    ring = [(70, 20), (110, 20), (110, 32), (90, 32), (95, 26), (85, 26), (90, 32), (70, 32), (70, 20)]
    poly = Polygon([_shift(*p) for p in ring])
    assert not poly.is_valid
    _geom(layers, "buildings", 1, poly)
    path = write_site(layers, tmp_path / "site.gpkg")
    result = runner.invoke(app, ["validate", str(path), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "repaired unambiguously" in result.output


def test_lines_need_width_but_polygons_do_not(tmp_path):
    layers = make_site_layers()
    layers["fire_lanes"] = gpd.GeoDataFrame(
        {"lane_id": ["L1", "L2"], "phase": ["both", "both"], "width_m": [None, None]},
        geometry=[LineString([_shift(0, 45), _shift(120, 45)]), box(*_shift(0, 50), *_shift(120, 54))],
        crs="EPSG:4538",
    )
    path = write_site(layers, tmp_path / "site.gpkg")
    result = _run_check(path, tmp_path)
    lines = _problem_lines(result.output)
    assert result.exit_code == 2
    assert len(lines) == 1 and "fire_lanes [L1] .width_m" in lines[0]


def test_dwellings_table_from_csv_in_folder(tmp_path):
    layers = make_site_layers()
    folder = tmp_path / "site"
    folder.mkdir()
    for name, frame in layers.items():
        if isinstance(frame, gpd.GeoDataFrame):
            frame.to_file(folder / f"{name}.geojson", driver="GeoJSON")
    pd.DataFrame(layers["dwellings"]).assign(property_area_m2=["48", "五十", "70", "90"]).to_csv(folder / "dwellings.csv", index=False)
    result = _run_check(folder, tmp_path)
    assert result.exit_code == 2
    assert any("dwellings [E1/1-1-02] .property_area_m2: '五十' is not a number" in ln for ln in _problem_lines(result.output))
