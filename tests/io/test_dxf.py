"""DXF import: drawings built here with ezdxf (mm units, a mirrored block, loose lines and an
arc, GBK text, control points), checked against hand-computed coordinates; and a round trip
site → DXF → site within 1 mm."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon
from typer.testing import CliRunner

from gis.cli import app
from gis.io.dxf import DxfMapping, dxf_to_site_layers, import_dxf, load_mapping
from gis.io.dxf_export import export_site_dxf
from gis.io.dxf_fit import fit_control_points
from gis.problems import SiteError
from gis.rules import load_rules
from gis.site import load_site
from gis.testing import ORIGIN, make_site_layers

ezdxf = pytest.importorskip("ezdxf")

RULES = load_rules()
ANGLE = 30.0  # drawing rotated 30° counter-clockwise relative to the site grid


def to_site(x_mm: float, y_mm: float) -> tuple[float, float]:
    """Hand-written placement of the test drawing: mm → m, rotate by ANGLE, shift to ORIGIN."""
    c, s = math.cos(math.radians(ANGLE)), math.sin(math.radians(ANGLE))
    x, y = x_mm / 1000, y_mm / 1000
    return ORIGIN[0] + c * x - s * y, ORIGIN[1] + s * x + c * y


L_SHAPE = [(0, 0), (20000, 0), (20000, 10000), (10000, 10000), (10000, 15000), (0, 15000)]  # mm


def make_drawing(path, *, codepage_gbk: bool = True, units: int = 4):
    """A small 总平面图 in mm: a project parcel (hatch), an L-shaped unit block inserted
    mirrored (proposed), an existing block drawn as loose lines with a round end (arc),
    and a GBK text label inside each building."""
    doc = ezdxf.new("R2000", units=units)
    if codepage_gbk:
        doc.encoding = "gbk"
    msp = doc.modelspace()
    for name in ("宗地", "BLDG-NEW", "BLDG-EXIST", "BLDG-TEXT"):
        doc.layers.add(name)
    hatch = msp.add_hatch(dxfattribs={"layer": "宗地"})
    hatch.paths.add_polyline_path([(-10000, -10000), (150000, -10000), (150000, 80000), (-10000, 80000)], is_closed=True)
    msp.add_text("宗地 P1", dxfattribs={"layer": "BLDG-TEXT", "insert": (140000, 70000), "height": 2000})
    blk = doc.blocks.new("UNIT-L")
    blk.add_lwpolyline(L_SHAPE, close=True)  # on layer 0: takes the INSERT's layer
    # Mirrored insert: x' = 100000 − x, y' = 50000 + y
    msp.add_blockref("UNIT-L", (100000, 50000), dxfattribs={"layer": "BLDG-NEW", "xscale": -1})
    msp.add_text("新1号楼 9层", dxfattribs={"layer": "BLDG-TEXT", "insert": (95000, 52000), "height": 2000})
    # Existing block as loose lines: 20 m × 10 m with a semicircular east end of radius 5 m
    for a, b in [((0, 0), (20000, 0)), ((0, 0), (0, 10000)), ((0, 10000), (20000, 10000))]:
        msp.add_line(a, b, dxfattribs={"layer": "BLDG-EXIST"})
    msp.add_arc((20000, 5000), 5000, -90, 90, dxfattribs={"layer": "BLDG-EXIST"})
    msp.add_text("1号楼 6层", dxfattribs={"layer": "BLDG-TEXT", "insert": (5000, 5000), "height": 2000})
    doc.saveas(path)
    return path


MAPPING = """
crs = "EPSG:4538"
arc_tolerance_m = 0.01

[[layers]]
site_layer = "宗地"
cad_layers = ["宗地"]
set = { unit_id = "U1" }
  [[layers.text]]
  cad_layers = ["BLDG-TEXT"]
  pattern = '宗地 (?P<parcel_id>\\S+)'

[[layers]]
site_layer = "buildings"
cad_layers = ["BLDG-NEW"]
set = { phase = "proposed" }
id_prefix = "N"
  [[layers.text]]
  cad_layers = ["BLDG-TEXT"]
  pattern = '(?P<name>\\S+号楼)\\s+(?P<floors>\\d+)层'

[[layers]]
site_layer = "buildings"
cad_layers = ["BLDG-EXIST"]
set = { phase = "existing" }
id_prefix = "E"
  [[layers.text]]
  cad_layers = ["BLDG-TEXT"]
  pattern = '(?P<name>\\S+号楼)\\s+(?P<floors>\\d+)层'
"""


def control_points(names=("A", "B", "C"), cad=((0, 0), (100000, 0), (0, 60000))) -> pd.DataFrame:
    rows = [(n, x, y, *to_site(x, y)) for n, (x, y) in zip(names, cad, strict=True)]
    return pd.DataFrame(rows, columns=["name", "cad_x", "cad_y", "east", "north"])


@pytest.fixture
def mapping(tmp_path):
    path = tmp_path / "layers.toml"
    path.write_text(MAPPING, encoding="utf-8")
    return load_mapping(path)


# --------------------------------------------------------------------------- control-point fit


def test_similarity_recovers_a_known_transformation():
    src = np.array([[0, 0], [100, 0], [0, 60], [37, 12]], float)
    ang, k, t = math.radians(23.0), 1.0004, np.array([548_000.0, 4_851_000.0])
    rot = k * np.array([[math.cos(ang), -math.sin(ang)], [math.sin(ang), math.cos(ang)]])
    fit = fit_control_points(src, src @ rot.T + t, method="similarity")
    assert fit.rotation_deg == pytest.approx(23.0, abs=1e-9)
    assert fit.scale == pytest.approx(1.0004, abs=1e-12)
    assert np.abs(fit.residuals_m).max() < 1e-6 and fit.redundancy == 4


def test_affine_residuals_of_one_bad_corner_are_a_quarter_each():
    # Unit square with one corner moved by e: the error lies wholly in the bilinear mode
    # (+1, −1, −1, +1)/2 that an affine map cannot absorb, so each residual is e/4.
    src = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], float)
    dst = src.copy()
    dst[3, 0] += 0.08
    fit = fit_control_points(src, dst, method="affine")
    assert fit.residuals_m == pytest.approx([0.02] * 4, abs=1e-12)
    assert fit.redundancy == 2


def test_two_points_give_zero_residuals_and_collinear_points_are_refused():
    fit = fit_control_points([[0, 0], [10, 0]], [[5, 5], [5, 15]], method="similarity")
    assert fit.rotation_deg == pytest.approx(90.0) and fit.redundancy == 0
    with pytest.raises(ValueError, match="collinear"):
        fit_control_points([[0, 0], [1, 1], [2, 2]], [[0, 0], [1, 1], [2, 2]], method="affine")


@settings(max_examples=40, deadline=None)
@given(st.floats(-180, 180), st.floats(0.5, 2.0), st.floats(-1e3, 1e3), st.floats(-1e3, 1e3))
def test_fit_then_apply_is_the_transformation(angle, k, tx, ty):
    src = np.array([[0, 0], [50, 3], [7, 40], [-20, 11]], float)
    a = math.radians(angle)
    lin = k * np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    dst = src @ lin.T + [tx, ty]
    for method in ("similarity", "affine"):
        fit = fit_control_points(src, dst, method=method)
        probe = np.array([[123.0, -45.0]])
        assert np.allclose(fit.apply(probe), probe @ lin.T + [tx, ty], atol=1e-6)


# --------------------------------------------------------------------------- drawing import


def test_mm_drawing_with_mirrored_block_loose_lines_and_gbk_text(tmp_path, mapping):
    dxf = make_drawing(tmp_path / "plan.dxf")
    assert dxf.read_bytes().count("新1号楼".encode("gbk")) == 1  # the file really is GBK
    res = dxf_to_site_layers(dxf, mapping, rules=RULES, control=control_points())
    b = res.layers["buildings"].set_index("name")
    assert set(b.index) == {"新1号楼", "1号楼"}  # GBK decoded
    assert b.loc["新1号楼", "floors"] == 9 and b.loc["1号楼", "floors"] == 6
    assert b.loc["新1号楼", "phase"] == "proposed" and b.loc["新1号楼", "building_id"] == "N1"
    # Mirrored insert: every corner (x, y) of the L lands at (100000 − x, 50000 + y) mm.
    expected = Polygon([to_site(100000 - x, 50000 + y) for x, y in L_SHAPE])
    got = b.loc["新1号楼", "geometry"]
    assert got.symmetric_difference(expected).area < 1e-6
    assert got.hausdorff_distance(expected) < 1e-6
    assert got.area == pytest.approx(20 * 10 + 10 * 5)  # 250 m² (the L: 20×10 + 10×5)
    # Loose lines + arc polygonised: 20 m × 10 m + half a disc of r = 5 m; chord error ≤ 1 cm.
    ex = b.loc["1号楼", "geometry"]
    assert ex.area == pytest.approx(200 + math.pi * 25 / 2, abs=0.2)
    centre = shapely.Point(to_site(20000, 5000))
    ring = np.asarray(ex.exterior.coords)
    d = np.array([shapely.Point(p).distance(centre) for p in ring])
    on_arc = d[d < 6.0]  # the arc's vertices (corners are ≥ 5 m from the centre … or 20.6 m away)
    assert len(on_arc) >= 10 and np.abs(on_arc - 5.0).max() < 0.001  # on the true arc, to the 1 mm snap grid
    true_outline = shapely.union_all([Polygon([to_site(x, y) for x, y in [(0, 0), (20000, 0), (20000, 10000), (0, 10000)]]),
                                      centre.buffer(5.0, quad_segs=512)])
    assert ex.hausdorff_distance(true_outline) <= 0.01 + 0.001  # chord error + the 1 mm snap grid
    assert ex.exterior.coords.__len__() < 60  # tolerance in metres, not drawing units (a mm drawing)
    p = res.layers["parcels"]
    assert list(p["parcel_id"]) == ["P1"] and p.geometry.iloc[0].area == pytest.approx(160 * 90)
    assert res.fit is not None and res.fit.scale == pytest.approx(1.0, abs=1e-9)
    kinds = " ".join(n.message_en for n in res.notes)
    assert "gbk" in kinds.lower() and "mm" in kinds and "polygonised" in kinds


def test_written_site_passes_load_site(tmp_path, mapping):
    dxf = make_drawing(tmp_path / "plan.dxf")
    out, _ = import_dxf(dxf, mapping, tmp_path / "site.gpkg", rules=RULES, control=control_points())
    site = load_site(out, rules=RULES)
    assert set(site.buildings["phase"]) == {"existing", "proposed"}
    assert site.crs.to_epsg() == 4538


def test_control_point_beyond_tolerance_is_refused_with_its_residual(tmp_path, mapping):
    dxf = make_drawing(tmp_path / "plan.dxf")
    cp = control_points(names=("A", "B", "C", "D"), cad=((0, 0), (100000, 0), (0, 60000), (100000, 60000)))
    cp.loc[3, "east"] += 0.4  # 40 cm survey blunder on D
    with pytest.raises(SiteError) as err:
        import_dxf(dxf, mapping, tmp_path / "site.gpkg", rules=RULES, control=cp)
    text = "\n".join(p.line() for p in err.value.problems)
    assert "control_points [D]" in text and "exceeds 0.05 m" in text
    assert not (tmp_path / "site.gpkg").exists()


def test_dwg_and_unitless_and_open_outline_are_clear_problems(tmp_path, mapping):
    dwg = tmp_path / "plan.dwg"
    dwg.write_bytes(b"AC1032" + bytes(100))
    with pytest.raises(SiteError, match="DXF"):
        dxf_to_site_layers(dwg, mapping, rules=RULES)
    disguised = tmp_path / "plan2.dxf"
    disguised.write_bytes(b"AC1027" + bytes(100))
    with pytest.raises(SiteError, match="DWG"):
        dxf_to_site_layers(disguised, mapping, rules=RULES)
    unitless = make_drawing(tmp_path / "u.dxf", units=0)
    with pytest.raises(SiteError, match=r"INSUNITS"):
        dxf_to_site_layers(unitless, mapping, rules=RULES)
    doc = ezdxf.new("R2010", units=6)
    doc.modelspace().add_lwpolyline([(0, 0), (10, 0), (10, 10)], dxfattribs={"layer": "BLDG-EXIST"})
    doc.modelspace().add_line((0, 10), (0, 0.5), dxfattribs={"layer": "BLDG-EXIST"})  # gap of 0.5 m
    doc.saveas(tmp_path / "open.dxf")
    with pytest.raises(SiteError) as err:
        dxf_to_site_layers(tmp_path / "open.dxf", mapping, rules=RULES)
    assert "do not close an outline" in err.value.problems[0].line()


def test_bad_mapping_names_the_entry(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text('[[layers]]\nsite_layer = "houses"\ncad_layers = ["A"]\n', encoding="utf-8")
    with pytest.raises(SiteError) as err:
        load_mapping(path)
    assert "layers.0.site_layer" in err.value.problems[0].line() and "buildings" in err.value.problems[0].line()


def test_conflicting_labels_are_reported(tmp_path, mapping):
    dxf = make_drawing(tmp_path / "plan.dxf")
    doc = ezdxf.readfile(dxf)
    doc.modelspace().add_text("新1号楼 12层", dxfattribs={"layer": "BLDG-TEXT", "insert": (96000, 53000)})
    doc.saveas(dxf)
    with pytest.raises(SiteError, match="two values"):
        dxf_to_site_layers(dxf, mapping, rules=RULES, control=control_points())


# --------------------------------------------------------------------------- round trip


def test_round_trip_site_dxf_site_within_1_mm(tmp_path):
    layers = make_site_layers()
    origin = (ORIGIN[0] - 35.0, ORIGIN[1] + 12.0)
    dxf, mapping = export_site_dxf(layers, tmp_path / "site.dxf", units="mm", origin=origin, rotation_deg=-17.0)
    assert isinstance(mapping, DxfMapping)
    # Control points: three parcel corners, their drawing coordinates computed by hand.
    c, s = math.cos(math.radians(17.0)), math.sin(math.radians(17.0))
    rows = []
    for name, (e, n) in {"A": ORIGIN, "B": (ORIGIN[0] + 120, ORIGIN[1]), "C": (ORIGIN[0], ORIGIN[1] + 100)}.items():
        dx, dy = (e - origin[0]) * 1000, (n - origin[1]) * 1000
        rows.append((name, c * dx - s * dy, s * dx + c * dy, e, n))
    cp = pd.DataFrame(rows, columns=["name", "cad_x", "cad_y", "east", "north"])
    out, res = import_dxf(dxf, mapping, tmp_path / "back.gpkg", rules=RULES, control=cp)
    assert res.fit.residuals_m.max() < 1e-6
    site = load_site(out, rules=RULES)
    for name, key in [("buildings", "building_id"), ("parcels", "parcel_id"), ("roads", "road_id"), ("green", "green_id"),
                      ("planning_units", "unit_id")]:
        a = layers[name].set_index(key)
        b = site.layer(name).set_index(key)
        assert set(a.index) == set(b.index), name
        for k in a.index:
            assert a.geometry[k].hausdorff_distance(b.geometry[k]) < 0.001, (name, k)
    back = site.buildings.set_index("building_id")
    assert back.loc["N1", "phase"] == "proposed" and back.loc["N1", "floors"] == 9
    assert back.loc["C1", "height_m"] == pytest.approx(18.0) and back.loc["E1", "households"] == 24
    assert site.layer("roads").set_index("road_id").loc["R1", "red_line_width_m"] == pytest.approx(24.0)


# --------------------------------------------------------------------------- CLI


def test_cli_import_dxf(tmp_path):
    dxf = make_drawing(tmp_path / "plan.dxf")
    (tmp_path / "m.toml").write_text(MAPPING, encoding="utf-8")
    control_points().to_csv(tmp_path / "cp.csv", index=False)
    runner = CliRunner()
    res = runner.invoke(app, ["import-dxf", str(dxf), "--map", str(tmp_path / "m.toml"), "--control", str(tmp_path / "cp.csv"),
                              "-o", str(tmp_path / "site.gpkg"), "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "Site written to" in res.output and "buildings 2" in res.output
    (tmp_path / "plan.dwg").write_bytes(b"AC1032" + bytes(10))
    res = runner.invoke(app, ["import-dxf", str(tmp_path / "plan.dwg"), "--map", str(tmp_path / "m.toml"), "-o", str(tmp_path / "x.gpkg")])
    assert res.exit_code == 2 and "Traceback" not in res.output


def test_round_trip_of_the_bundled_sample_keeps_holes_and_overlapping_phases(tmp_path):
    from gis.datasets import get_path
    from gis.io.site_reader import read_site_layers

    layers = {k: v.frame for k, v in read_site_layers(get_path("sample")).layers.items()}
    assert any(len(g.interiors) for g in layers["parcels"].geometry)  # parcel A surrounds a 夹心地
    x0, y0, x1, y1 = layers["parcels"].total_bounds
    dxf, mapping = export_site_dxf(layers, tmp_path / "s.dxf", units="mm", origin=(x0, y0))
    pts = np.array([[x0, y0], [x1, y0], [x0, y1]])
    cad = (pts - (x0, y0)) * 1000
    cp = pd.DataFrame({"name": list("ABC"), "cad_x": cad[:, 0], "cad_y": cad[:, 1], "east": pts[:, 0], "north": pts[:, 1]})
    out, _ = import_dxf(dxf, mapping, tmp_path / "back.gpkg", rules=RULES, control=cp, crs="EPSG:4538")
    site = load_site(out, rules=RULES)
    for name, key in [("parcels", "parcel_id"), ("buildings", "building_id"), ("fire_lanes", "lane_id")]:
        a, b = layers[name].set_index(key).geometry, site.layer(name).set_index(key).geometry
        assert set(a.index) == set(b.index), name
        assert max(a[k].hausdorff_distance(b[k]) for k in a.index) < 0.001, name


def test_fields_from_layer_name_and_features_from_block_names(tmp_path):
    doc = ezdxf.new("R2010", units=6)  # metres
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (30, 0), (30, 12), (0, 12)], close=True, dxfattribs={"layer": "BLDG-EXIST-6F"})
    blk = doc.blocks.new("HOUSE-A")
    blk.add_lwpolyline([(0, 0), (20, 0), (20, 10), (0, 10)], close=True)
    msp.add_blockref("HOUSE-A", (50, 0), dxfattribs={"layer": "MISC", "rotation": 90})
    doc.saveas(tmp_path / "p.dxf")
    mapping = DxfMapping.model_validate({"crs": "EPSG:4538", "layers": [
        {"site_layer": "buildings", "cad_layers": ["BLDG-EXIST-*"], "layer_pattern": r"-(?P<floors>\d+)F$",
         "set": {"phase": "existing"}, "id_prefix": "E"},
        {"site_layer": "buildings", "blocks": ["HOUSE-*"], "set": {"phase": "proposed", "floors": 3}, "id_prefix": "N"},
    ]})
    res = dxf_to_site_layers(tmp_path / "p.dxf", mapping, rules=RULES)
    b = res.layers["buildings"].set_index("building_id")
    assert b.loc["E1", "floors"] == 6 and b.loc["N1", "floors"] == 3
    # Block rotated 90° about its insertion point (50, 0): (x, y) → (50 − y, x).
    assert b.loc["N1", "geometry"].equals(Polygon([(50, 0), (50, 20), (40, 20), (40, 0)]))


def test_swapped_east_north_is_refused_by_similarity_and_by_affine(tmp_path, mapping):
    dxf = make_drawing(tmp_path / "plan.dxf")
    cp = control_points(names=("A", "B", "C", "D"), cad=((0, 0), (100000, 0), (0, 60000), (100000, 60000)))
    cp[["east", "north"]] = cp[["north", "east"]].to_numpy() - [4_851_700 - 548_200, 548_200 - 4_851_700]
    with pytest.raises(SiteError, match="exceeds 0.05 m"):
        dxf_to_site_layers(dxf, mapping, rules=RULES, control=cp)
    with pytest.raises(SiteError, match="mirrors the drawing"):
        dxf_to_site_layers(dxf, mapping, rules=RULES, control=cp, fit_method="affine")
