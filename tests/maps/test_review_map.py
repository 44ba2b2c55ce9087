"""Structure of the rendered review map: layers, tooltip fields, legend, offline, escaping."""

from __future__ import annotations

import json
import re
import warnings

import folium
import pytest
from folium import plugins
from maps_fixture import EVIL, EVIL_IMG, RASTER_BOUNDS, X0, Y0
from pyproj import Transformer

from maps import build_review_map, render_review_html
from maps.offline import CDN_ASSETS, VENDOR_DIR, OfflineAssetError, external_refs, inline_assets
from maps.review import basemap_tiles


def _geojsons(m: folium.Map) -> list[folium.GeoJson]:
    out = []

    def walk(el):
        for child in el._children.values():
            if isinstance(child, folium.GeoJson):
                out.append(child)
            walk(child)

    walk(m)
    return out


def _layer(m: folium.Map, name: str):
    for child in m._children.values():
        if getattr(child, "layer_name", None) == name:
            return child
    raise AssertionError(f"no layer {name!r}; have {[getattr(c, 'layer_name', None) for c in m._children.values()]}")


@pytest.fixture
def page(result):
    return render_review_html(result, lang="zh")


def _control_names(html: str) -> list[str]:
    block = re.search(r"overlays\s*:\s*\{(.*?)\}", html, re.S).group(1)
    return [json.loads(f'"{k}"') for k in re.findall(r'"((?:[^"\\]|\\.)*)"\s*:', block)]


def test_layer_names_in_the_control(result):
    m = build_review_map(result, lang="zh")
    control = _control_names(m.get_root().render())
    for name in ["现状宗地", "方案净用地", "建筑·现状（拆除）", "建筑·保留", "建筑·新建", "建筑·周边", "消防车道",
                 "核查·间距与退界（尺寸线）", "核查·消防车道（宽度、尽端、回车场）", "窗日照结论",
                 "地面日照时数·方案", "地面日照时数·现状", "阴影·现状（大寒日）", "阴影·方案（大寒日）"]:
        assert name in control, name
    en = _control_names(build_review_map(result, lang="en").get_root().render())
    assert "Buildings · proposed" in en and "Window sunlight verdicts" in en


def test_building_tooltip_fields_and_aliases(result):
    m = build_review_map(result, lang="zh")
    tip = _layer(m, "建筑·新建")
    gj = next(c for c in tip._children.values() if isinstance(c, folium.GeoJson))
    tooltip = next(c for c in gj._children.values() if isinstance(c, folium.GeoJsonTooltip))
    assert tooltip.fields == ["building_id", "name", "phase", "floors", "height_m", "households", "height_class", "use"]
    assert tooltip.aliases[:6] == ["建筑编号", "名称", "状态", "层数", "高度 (m)", "户数"]
    props = gj.data["features"][0]["properties"]
    # N1: 9 floors at the default storey height of the rule pack; 20 households (conftest)
    assert props["building_id"] == "N1" and props["floors"] == "9" and props["households"] == "20"
    assert props["phase"] == "新建"


def test_attribute_text_is_escaped(result, page):
    m = build_review_map(result, lang="zh")
    names = {f["properties"].get("building_id"): f["properties"].get("name")
             for gj in _geojsons(m) for f in gj.data.get("features", [])
             if "building_id" in f["properties"] and "name" in f["properties"]}
    assert names["K1"] == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert names["N1"] == "&lt;img src=x onerror=alert(2)&gt;"
    # in the page the data sits in JS with JSON escapes; no raw markup form of the names anywhere
    assert EVIL not in page and EVIL_IMG not in page
    assert json.dumps(EVIL)[1:-1].replace("<", "\\u003c").replace(">", "\\u003e") not in page
    assert "\\u0026lt;script\\u0026gt;alert(1)" in page


def test_no_external_urls(page):
    assert external_refs(page) == []
    assert not re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page.split("<body>")[0].split("<script>")[0])
    assert "L is not defined" not in page
    assert "leaflet@1.9.3/dist/leaflet.js */" in page  # Leaflet inlined
    assert "jquery" not in page.lower().split("<body>")[0][:2000]


def test_inliner_refuses_unknown_cdn_and_every_vendored_file_exists():
    with pytest.raises(OfflineAssetError):
        inline_assets('<html><head><script src="https://example.com/x.js"></script></head></html>')
    for rel in CDN_ASSETS.values():
        assert (VENDOR_DIR / rel).is_file(), rel
    for pkg in {rel.split("/")[0] for rel in CDN_ASSETS.values()}:
        assert (VENDOR_DIR / pkg / "LICENSE").is_file(), pkg


def test_title_block_and_legend(page):
    assert 'id="review-title"' in page and 'id="review-legend"' in page
    assert "demo_site" in page and "2026-01-20 09:30" in page and "EPSG:4538" in page
    for text in ["满足", "不恶化", "不满足", "多层", "二类高层", "一类高层", "超高层", "边角地", "夹心地", "插花地",
                 "地面日照时数 (h)"]:
        assert text in page, text
    assert "Fullscreen" in page or "fullscreen" in page
    assert "L.Control.Measure" in page or "measureControl" in page.replace("Measure", "measure")


def test_dimension_line_is_labelled_with_its_length(result):
    m = build_review_map(result, lang="zh")
    dims = [f["properties"]["dim"] for gj in _geojsons(m) for f in gj.data.get("features", [])
            if "dim" in f["properties"]]
    assert dims == ["28.0 m"]  # the finding's line runs from y+73 to y+101


def test_windows_grouped_by_position_with_worst_verdict(result):
    m = build_review_map(result, lang="zh")
    gj = next(c for c in _layer(m, "窗日照结论")._children.values() if isinstance(c, folium.GeoJson))
    feats = sorted(gj.data["features"], key=lambda f: f["properties"]["building_id"])
    assert len(feats) == 2  # two windows of K1 share one sill position
    k1, n1 = feats
    assert k1["properties"]["verdict"] == "不满足" and k1["properties"]["_stroke"] == "#d73027"
    assert k1["properties"]["windows"] == "2" and k1["properties"]["failing"] == "1"
    # popup rows, top floor first: floor, dwelling, before, after, standard, verdict, obstructors
    assert k1["properties"]["_rows"] == [["2", "201", "3", "2.50", "2", "PASS", "—"],
                                         ["1", "101", "2.50", "1.50", "2", "FAIL", "N1:60"]]
    assert n1["properties"]["verdict"] == "满足"


def test_raster_warped_to_web_mercator_with_site_bounds(result):
    m = build_review_map(result, lang="zh")
    overlay = _layer(m, "地面日照时数·方案")
    assert isinstance(overlay, folium.raster_layers.ImageOverlay)
    (s, w), (n, e) = overlay.bounds
    to_ll = Transformer.from_crs("EPSG:4538", "EPSG:4326", always_xy=True)
    x0, y0, x1, y1 = RASTER_BOUNDS
    lons, lats = to_ll.transform([x0, x1, x0, x1], [y0, y0, y1, y1])
    # the warped image covers the raster's corners to within 2 m (the warp's own pixel rounding;
    # 1e-5° ≈ 0.8 m E-W here) and exceeds them by less than one 10 m cell (≈ 1.2e-4° E-W, 0.9e-4° N-S)
    tol = 2.5e-5
    assert w <= min(lons) + tol and e >= max(lons) - tol and s <= min(lats) + tol and n >= max(lats) - tol
    assert w > min(lons) - 2e-4 and e < max(lons) + 2e-4 and s > min(lats) - 2e-4 and n < max(lats) + 2e-4
    assert overlay.url.startswith("data:image/png;base64,")


def test_shadow_timeline_times_in_minutes_of_true_solar_time(result):
    m = build_review_map(result, lang="zh")
    timelines = [c for c in m._children.values() if isinstance(c, plugins.Timeline)]
    assert [t.layer_name for t in timelines] == ["阴影·现状（大寒日）", "阴影·方案（大寒日）"]
    props = [f["properties"] for f in timelines[1].data["features"]]
    assert [(p["start"], p["end"]) for p in props] == [(540.0, 600.0), (600.0, 660.0), (660.0, 720.0)]
    slider = next(c for c in m._children.values() if isinstance(c, plugins.TimelineSlider))
    assert slider.options["start"] == 540.0 and slider.options["end"] == 720.0


def test_map_works_with_no_findings_or_outputs(empty_result):
    page = render_review_html(empty_result, lang="en")
    assert external_refs(page) == []
    names = _control_names(page)
    assert "Buildings · kept" in names and "Window sunlight verdicts" not in names
    assert "var image_overlay_" not in page and "var timeline_" not in page and "L.timelineSliderControl(" not in page


def test_basemap_options(monkeypatch):
    assert basemap_tiles(None) == ([], None)
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    with pytest.raises(ValueError, match="TIANDITU_KEY"):
        basemap_tiles("tianditu")
    tiles, warn = basemap_tiles("tianditu", key="k")
    assert len(tiles) == 2 and "tk=k" in tiles[0]["tiles"] and warn is None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _, warn = basemap_tiles("https://webrd01.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}&style=8")
    assert warn == "gcj_warning" and any("GCJ-02" in str(w.message) for w in caught)


def test_basemap_page_still_has_no_external_src(result):
    page = render_review_html(result, lang="zh", basemap="osm")
    assert external_refs(page) == []  # tiles load at run time from JS, never from a src/href in the file
    assert "tile.openstreetmap.org" in page


def test_point_findings_and_site_coordinates(result):
    # the dimension line lands where the site puts it (EPSG:4538 → lon/lat)
    m = build_review_map(result, lang="zh")
    line = next(f for gj in _geojsons(m) for f in gj.data.get("features", []) if f["properties"].get("dim"))
    (lon0, lat0), (lon1, lat1) = line["geometry"]["coordinates"]
    to_ll = Transformer.from_crs("EPSG:4538", "EPSG:4326", always_xy=True)
    assert (lon0, lat0) == pytest.approx(to_ll.transform(X0 + 30, Y0 + 73), abs=1e-9)
    assert (lon1, lat1) == pytest.approx(to_ll.transform(X0 + 30, Y0 + 101), abs=1e-9)


def test_compare_map_before_left_after_right(result):
    from maps import build_compare_map, render_compare_html

    dm = build_compare_map(result, lang="zh")
    page = render_compare_html(result, lang="zh")
    assert external_refs(page) == []
    assert "leaflet.sync@0.2.4/L.Map.Sync.js */" in page
    names = {c.layer_name for c in dm.m1._children.values() if hasattr(c, "layer_name")}
    assert {"现状宗地", "建筑·现状（拆除）", "建筑·保留", "地面日照时数·现状"} <= names
    assert "建筑·新建" not in names and "窗日照结论" not in names
    names2 = {c.layer_name for c in dm.m2._children.values() if hasattr(c, "layer_name")}
    assert {"方案净用地", "建筑·新建", "窗日照结论", "地面日照时数·方案", "核查·间距与退界（尺寸线）"} <= names2
    assert "建筑·现状（拆除）" not in names2
    for m in (dm.m1, dm.m2):  # each side has its own layer control
        assert any(isinstance(c, folium.LayerControl) for c in m._children.values())


def test_unreadable_raster_is_reported_on_the_map_not_raised(result, tmp_path):
    bad = tmp_path / "broken.tif"
    bad.write_bytes(b"not a tiff")
    result.context.products["sunlight_raster"] = bad
    page = render_review_html(result, lang="en")
    assert "Ground-hours raster unreadable, not shown: broken.tif" in page
    assert "var image_overlay_" not in page
