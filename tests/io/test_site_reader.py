"""Site loading from each format: GeoPackage, GeoJSON folder, Shapefiles (with/without .cpg), Chinese names."""

from __future__ import annotations

import geopandas as gpd
import pyogrio
import pytest

from gis.io.site_reader import detect_dbf_encoding, read_site_layers
from gis.rules import load_rules
from gis.site import load_site
from gis.testing import make_site_layers, write_site

RULES = load_rules()


def _folder(tmp_path, driver, suffix, names=None, **kw):
    folder = tmp_path / "site"
    folder.mkdir()
    for name, frame in make_site_layers().items():
        out = (names or {}).get(name, name)
        if isinstance(frame, gpd.GeoDataFrame):
            pyogrio.write_dataframe(frame, folder / f"{out}{suffix}", driver=driver, **kw)
        else:
            frame.to_csv(folder / f"{out}.csv", index=False)
    return folder


def test_geopackage(tmp_path):
    site = load_site(write_site(make_site_layers(), tmp_path / "s.gpkg"), rules=RULES)
    assert set(site.layers) >= {"parcels", "buildings", "dwellings", "roads", "planning_units", "green"}
    assert site.buildings.loc[site.buildings.building_id == "E1", "name"].iloc[0] == "1号楼"


def test_chinese_layer_names(tmp_path):
    layers = make_site_layers()
    aliases = {"parcels": "宗地", "buildings": "建筑", "dwellings": "户", "roads": "道路", "planning_units": "详细规划单元", "green": "绿地"}
    path = write_site({aliases[k]: v for k, v in layers.items()}, tmp_path / "s.gpkg")
    site = load_site(path, rules=RULES)
    assert len(site.buildings) == 4 and len(site.layer("dwellings")) == 4


def test_geojson_folder(tmp_path):
    site = load_site(_folder(tmp_path, "GeoJSON", ".geojson"), rules=RULES)
    assert len(site.parcels) == 2


def test_shapefile_with_cpg(tmp_path):
    folder = _folder(tmp_path, "ESRI Shapefile", ".shp", encoding="GBK")
    assert (folder / "buildings.cpg").exists()
    site = load_site(folder, rules=RULES)
    assert "1号楼" in set(site.buildings["name"])
    assert not any(n.kind == "encoding" for n in site.notes)


@pytest.mark.parametrize("encoding,expected", [("GBK", "GB18030"), ("UTF-8", "UTF-8")])
def test_shapefile_without_cpg_detected(tmp_path, encoding, expected):
    folder = _folder(tmp_path, "ESRI Shapefile", ".shp", encoding=encoding)
    for cpg in folder.glob("*.cpg"):
        cpg.unlink()
    assert detect_dbf_encoding(folder / "buildings.dbf") == expected
    site = load_site(folder, rules=RULES)
    assert "1号楼" in set(site.buildings["name"])
    notes = [n.message_en for n in site.notes if n.kind == "encoding" and n.layer == "buildings"]
    assert notes and expected in notes[0]


def test_undecodable_dbf_reported(tmp_path):
    folder = _folder(tmp_path, "ESRI Shapefile", ".shp", encoding="UTF-8")
    (folder / "buildings.cpg").unlink()
    dbf = folder / "buildings.dbf"
    data = bytearray(dbf.read_bytes())
    i = data.find("1号楼".encode())
    data[i:i + 2] = b"\xff\xfe"  # bytes that are neither UTF-8 nor GB18030
    dbf.write_bytes(bytes(data))
    raw = read_site_layers(folder)
    assert any(p.layer == "buildings" and "neither UTF-8 nor GB18030" in p.what for p in raw.problems)


def test_unknown_layer_is_noted_with_suggestion(tmp_path):
    layers = make_site_layers()
    layers["buildngs"] = layers.pop("buildings")
    raw = read_site_layers(write_site(layers, tmp_path / "s.gpkg"))
    assert any("did you mean 'buildings'" in n.message_en for n in raw.notes)


def test_input_is_read_only(tmp_path):
    path = write_site(make_site_layers(), tmp_path / "s.gpkg")
    before = path.read_bytes()
    mtime = path.stat().st_mtime_ns
    load_site(path, rules=RULES)
    assert path.read_bytes() == before and path.stat().st_mtime_ns == mtime
