"""Layer builders of the review map: one function per topic, each returning a folium layer or None.

Every builder takes frames in the site's projected CRS (metres), reprojects to EPSG:4326 for
Leaflet, and HTML-escapes every attribute it shows: folium's ``GeoJsonTooltip``/``GeoJsonPopup``
write property values into ``innerHTML`` unescaped, so a building named
``<script>alert(1)</script>`` would otherwise become markup.  Display values are therefore
prepared in Python (:func:`display_frame`) as escaped text; numbers are rounded for reading
(lengths and heights to 0.1 m, hours to 0.01 h).

A builder returns ``None`` when it has nothing to draw, so the map works with whatever layers
and findings exist, including none.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium import plugins
from folium.utilities import JsCode

from gis.findings import Verdict, worst_verdict
from maps.theme import (
    CATEGORIES,
    HEIGHT_CLASS_COLOR,
    HEIGHT_CLASS_DEFAULT,
    LANE_COLOR,
    PHASE_STYLE,
    SCRAP_COLOR,
    VERDICT_COLOR,
    category_of,
    category_title,
    label,
)

__all__ = [
    "display_value",
    "display_frame",
    "geojson_layer",
    "parcels_layer",
    "net_land_layer",
    "scrap_layer",
    "simple_layer",
    "buildings_layers",
    "findings_layers",
    "lanes_layer",
    "windows_layer",
    "raster_overlays",
    "shadow_timelines",
    "finding_rows",
]

WGS84 = "EPSG:4326"
_STYLE_COLS = ("_stroke", "_fill", "_weight", "_dash", "_fillop", "_opacity")


def display_value(value: Any, *, digits: int = 1) -> str:
    """A value as escaped display text: ``—`` for missing, rounded numbers, lists joined."""
    if value is None:
        return "—"
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return "—"
        return f"{value:.0f}" if float(value).is_integer() else f"{value:.{digits}f}"
    if isinstance(value, (bool, np.bool_)):
        return "✓" if value else "✗"
    if isinstance(value, (list, tuple, set, np.ndarray)):
        return html.escape(", ".join(str(v) for v in value))
    if value is pd.NA or value is pd.NaT:
        return "—"
    return html.escape(str(value))


def display_frame(frame: gpd.GeoDataFrame, fields: Sequence[str], *, digits: dict[str, int] | None = None,
                  keep: Sequence[str] = ()) -> gpd.GeoDataFrame:
    """The fields of ``frame`` as escaped display strings, in EPSG:4326, with style columns kept.

    Missing fields are filled with ``—`` so a tooltip never shows ``undefined``.
    """
    digits = digits or {}
    out = gpd.GeoDataFrame(geometry=frame.geometry.to_crs(WGS84) if frame.crs else frame.geometry, crs=WGS84)
    for f in fields:
        col = frame[f] if f in frame.columns else pd.Series([None] * len(frame), index=frame.index)
        out[f] = [display_value(v, digits=digits.get(f, 1)) for v in col]
    for c in (*_STYLE_COLS, *keep):
        if c in frame.columns:
            out[c] = frame[c].to_numpy()
    out = out[~(out.geometry.isna() | out.geometry.is_empty)]
    return out.reset_index(drop=True)


def _style(feature: dict) -> dict:
    p = feature["properties"]
    s = {"color": p.get("_stroke", "#333"), "weight": p.get("_weight", 1.5),
         "fillColor": p.get("_fill", p.get("_stroke", "#333")), "fillOpacity": p.get("_fillop", 0.3),
         "opacity": p.get("_opacity", 1.0)}
    if p.get("_dash"):
        s["dashArray"] = p["_dash"]
    return s


def _highlight(feature: dict) -> dict:
    return {"weight": 4, "fillOpacity": 0.6}


def geojson_layer(
    frame: gpd.GeoDataFrame,
    *,
    name: str,
    fields: Sequence[str],
    lang: str,
    popup_fields: Sequence[str] | None = None,
    show: bool = True,
    digits: dict[str, int] | None = None,
    point_radius: float | None = None,
) -> folium.FeatureGroup | None:
    """One ``FeatureGroup`` holding a styled ``GeoJson`` with an escaped tooltip (and popup).

    Parameters
    ----------
    frame : GeoDataFrame
        Features in any CRS, optional style columns ``_stroke``, ``_fill``, ``_weight``,
        ``_dash``, ``_fillop``.
    fields : list of str
        Tooltip fields; their aliases come from :func:`maps.theme.label`.
    popup_fields : list of str, optional
        Popup fields (click).
    point_radius : float, optional
        Draw points as circle markers of this radius (px).
    """
    if frame is None or len(frame) == 0:
        return None
    all_fields = list(dict.fromkeys([*fields, *(popup_fields or [])]))
    data = display_frame(frame, all_fields, digits=digits)
    if len(data) == 0:
        return None
    group = folium.FeatureGroup(name=html.escape(name), show=show)
    kwargs: dict[str, Any] = {}
    if point_radius is not None:
        kwargs["marker"] = folium.CircleMarker(radius=point_radius)
    tooltip = folium.GeoJsonTooltip(fields=list(fields), aliases=[html.escape(label(f, lang)) for f in fields],
                                    sticky=True)
    gj = folium.GeoJson(data, name=html.escape(name), style_function=_style, highlight_function=_highlight,
                        tooltip=tooltip, **kwargs)
    if popup_fields:
        folium.GeoJsonPopup(fields=list(popup_fields), aliases=[html.escape(label(f, lang)) for f in popup_fields],
                            localize=False, max_width=420).add_to(gj)
    gj.add_to(group)
    return group


# ---------------------------------------------------------------------- land
def parcels_layer(parcels: gpd.GeoDataFrame | None, *, lang: str) -> folium.FeatureGroup | None:
    """Parcels before (现状宗地): outlines by role (project / scrap / neighbour)."""
    if parcels is None or len(parcels) == 0:
        return None
    p = parcels.copy()
    role = p["role"] if "role" in p.columns else pd.Series("project", index=p.index)
    p["_stroke"] = role.map({"project": "#6a3d9a", "scrap": "#ff7f00", "neighbour": "#999999"}).fillna("#6a3d9a")
    p["_fill"] = p["_stroke"]
    p["_fillop"] = 0.05
    p["_weight"] = 1.5
    p["_dash"] = "6 3"
    p["area_m2"] = p.geometry.area
    return geojson_layer(p, name=label("parcels_before", lang), lang=lang,
                         fields=["parcel_id", "role", "right_type", "area_m2"])


def net_land_layer(net: gpd.GeoDataFrame | None, *, lang: str) -> folium.FeatureGroup | None:
    """Net land after (净用地), one part per polygon with its source parcels."""
    if net is None or len(net) == 0 or not isinstance(net, gpd.GeoDataFrame):
        return None
    n = net.copy()
    n["_stroke"] = "#33a02c"
    n["_fill"] = "#b2df8a"
    n["_fillop"] = 0.25
    n["_weight"] = 2.5
    if "area_m2" not in n.columns:
        n["area_m2"] = n.geometry.area
    return geojson_layer(n, name=label("net_land_after", lang), lang=lang, fields=["source_ids", "kind", "area_m2"])


def scrap_layer(scrap: gpd.GeoDataFrame | None, *, lang: str) -> folium.FeatureGroup | None:
    """Scrap plots (零星地块) coloured by class: 边角地 / 夹心地 / 插花地."""
    if scrap is None or len(scrap) == 0 or not isinstance(scrap, gpd.GeoDataFrame):
        return None
    s = scrap.copy()
    rel = s["relation"] if "relation" in s.columns else pd.Series("", index=s.index)
    s["_stroke"] = rel.map(SCRAP_COLOR).fillna("#636363")
    s["_fill"] = s["_stroke"]
    s["_fillop"] = 0.45
    s["_weight"] = 1.5
    s["relation"] = [label(r, lang) if r in SCRAP_COLOR else r for r in rel]
    reasons = f"reasons_{'zh' if lang == 'zh' else 'en'}"
    s["reasons"] = s[reasons] if reasons in s.columns else None
    return geojson_layer(s, name=label("scrap_plots", lang), lang=lang,
                         fields=["parcel_id", "relation", "area_m2", "eligible", "reasons"])


def simple_layer(frame: gpd.GeoDataFrame | None, *, key: str, fields: Sequence[str], lang: str, stroke: str,
                 fill: str | None = None, fillop: float = 0.2, weight: float = 1.5, dash: str | None = None,
                 show: bool = True) -> folium.FeatureGroup | None:
    """A plain layer in one style (roads, green, control lines, parcel issues)."""
    if frame is None or len(frame) == 0 or not isinstance(frame, gpd.GeoDataFrame):
        return None
    f = frame.copy()
    f["_stroke"], f["_fill"], f["_fillop"], f["_weight"] = stroke, fill or stroke, fillop, weight
    if dash:
        f["_dash"] = dash
    return geojson_layer(f, name=label(key, lang), lang=lang, fields=[c for c in fields], show=show)


# ---------------------------------------------------------------------- buildings
def buildings_layers(buildings: gpd.GeoDataFrame | None, *, lang: str,
                     show_existing: bool = False) -> list[folium.FeatureGroup]:
    """Buildings existing / kept / proposed / context, filled by height class (高度分类).

    Tooltips: id, name, floors, height (m), households, height class, use.  The existing
    (demolished) layer starts hidden unless ``show_existing``.
    """
    if buildings is None or len(buildings) == 0:
        return []
    out = []
    for phase in ("existing", "kept", "proposed", "context"):
        b = buildings[buildings["phase"] == phase].copy() if "phase" in buildings.columns else buildings.iloc[0:0]
        if len(b) == 0:
            continue
        st = PHASE_STYLE[phase]
        hc = b["height_class"] if "height_class" in b.columns else pd.Series(None, index=b.index)
        b["_fill"] = hc.map(HEIGHT_CLASS_COLOR).fillna(HEIGHT_CLASS_DEFAULT)
        b["_stroke"] = st["color"]
        b["_weight"] = st["weight"]
        b["_fillop"] = st["fillOpacity"]
        if st["dashArray"]:
            b["_dash"] = st["dashArray"]
        b["height_class"] = [label(v, lang) if isinstance(v, str) else v for v in hc]
        b["phase"] = label(f"ph_{phase}", lang)
        layer = geojson_layer(b, name=label(f"b_{phase}", lang), lang=lang,
                              fields=["building_id", "name", "phase", "floors", "height_m", "households",
                                      "height_class", "use"],
                              show=show_existing or phase != "existing")
        if layer is not None:
            out.append(layer)
    return out


# ---------------------------------------------------------------------- findings
def _triple_text(unit: str):
    pct = unit in ("ratio", "%")

    def tri(v: Any) -> Any:
        if not isinstance(v, (int, float)) or isinstance(v, bool) or (isinstance(v, float) and math.isnan(v)):
            return v
        if pct:
            return f"{v * 100:.2f}%"
        text = f"{v:.0f}" if float(v).is_integer() else f"{v:.2f}"
        return f"{text} {unit}".strip()

    return tri


_DIM_LABEL_JS = JsCode("""function(feature, layer) {
  layer.bindTooltip(feature.properties.dim, {permanent: true, direction: 'center', className: 'dimlabel',
                                             interactive: false});
}""")


def finding_rows(findings: Sequence[Any], *, lang: str) -> pd.DataFrame:
    """Findings as rows for the map: rule, subject, verdict (label), triple, message, source,
    category, geometry and the dimension length (m) of two-point lines."""
    rows = []
    for f in findings:
        g = f.geometry
        if g is None or g.is_empty:
            continue
        dim = None
        if g.geom_type == "LineString" and len(g.coords) == 2:
            dim = float(g.length)

        tri = _triple_text(f.unit)
        rows.append({
            "rule_id": f.rule_id,
            "subject": ", ".join(f.subject_ids),
            "verdict_code": str(f.verdict),
            "verdict": f.verdict.label(lang),
            "existing": tri(f.existing),
            "proposed": tri(f.proposed),
            "threshold": tri(f.threshold),
            "message": f.message(lang),
            "source": f.source,
            "category": category_of(f.rule_id),
            "length_m": dim,
            "geometry": g,
        })
    return pd.DataFrame(rows, columns=["rule_id", "subject", "verdict_code", "verdict", "existing", "proposed",
                                       "threshold", "message", "source", "category", "length_m", "geometry"])


def findings_layers(findings: Sequence[Any], crs: Any, *, lang: str, skip: Sequence[str] = (),
                    windows_drawn: bool = False) -> list[folium.FeatureGroup]:
    """One layer per topic (see :data:`maps.theme.CATEGORIES`) with each finding's geometry in
    its verdict colour; two-point lines (shortest gaps: spacing, setbacks, fire separation,
    lane-to-wall) are dimension lines labelled with their length in metres.

    With ``windows_drawn``, per-window sunlight findings (line/point geometry) are left to the
    windows layer.
    """
    rows = finding_rows(findings, lang=lang)
    if len(rows) == 0:
        return []
    rows.loc[rows["category"] == "sunlight", "length_m"] = None
    if windows_drawn:
        line_or_point = [g.geom_type in ("LineString", "MultiLineString", "Point", "MultiPoint")
                         for g in rows["geometry"]]
        rows = rows[~((rows["category"] == "sunlight").to_numpy() & np.array(line_or_point, dtype=bool))]
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)
    out = []
    for key in CATEGORIES:
        if key in skip:
            continue
        sub = gdf[gdf["category"] == key].copy()
        if len(sub) == 0:
            continue
        sub["_stroke"] = sub["verdict_code"].map(VERDICT_COLOR).fillna("#333")
        sub["_fill"] = sub["_stroke"]
        is_line = sub.geom_type.isin(["LineString", "MultiLineString"]).to_numpy()
        passed = (sub["verdict_code"] == "PASS").to_numpy()
        sub["_weight"] = np.where(is_line, np.where(passed, 1.5, 3.0), np.where(passed, 1.0, 2.0))
        sub["_opacity"] = np.where(passed, 0.55, 1.0)
        sub["_fillop"] = np.where(passed, 0.05, 0.12)
        sub["_dash"] = np.where(sub["length_m"].notna(), "6 3", None)
        # permanent length labels on the dimension lines that need attention; passing ones
        # show their length in the tooltip
        sub["dim"] = [None if pd.isna(v) or ok else f"{v:.1f} m" for v, ok in zip(sub["length_m"], passed, strict=True)]
        has_dim = sub["length_m"].notna().any()
        # lines and polygons go on one layer; dimension labels only on two-point lines
        layer = geojson_layer(sub, name=category_title(key, lang), lang=lang,
                              fields=["rule_id", "subject", "verdict", "length_m"] if has_dim
                              else ["rule_id", "subject", "verdict"],
                              popup_fields=["rule_id", "subject", "verdict", "existing", "proposed", "threshold",
                                            "message", "source"],
                              show=key in ("spacing", "separation", "fire_lanes", "rescue"),
                              point_radius=5)
        if layer is None:
            continue
        dims = sub[sub["dim"].notna()]
        if len(dims):
            # one permanent tooltip per line (a tooltip bound to the whole GeoJson shows only once)
            data = display_frame(dims, ["dim"])
            folium.GeoJson(data, style_function=lambda f: {"opacity": 0, "weight": 0}, interactive=False,
                           on_each_feature=_DIM_LABEL_JS).add_to(layer)
        out.append(layer)
    return out


# ---------------------------------------------------------------------- fire lanes, rescue sites
def lanes_layer(lanes: gpd.GeoDataFrame | None, *, lang: str) -> folium.FeatureGroup | None:
    """Fire lanes as drawn by the site (消防车道), by phase; widths in the tooltip."""
    if lanes is None or len(lanes) == 0:
        return None
    f = lanes.copy()
    ph = f["phase"] if "phase" in f.columns else pd.Series("both", index=f.index)
    f["_stroke"] = ph.map(LANE_COLOR).fillna("#fd8d3c")
    f["_fill"] = f["_stroke"]
    f["_fillop"] = 0.25
    f["_weight"] = np.where(f.geom_type.isin(["LineString", "MultiLineString"]), 4.0, 1.0)
    f["phase"] = [label(f"ph_{p}", lang) if isinstance(p, str) else p for p in ph]
    return geojson_layer(f, name=label("fire_lanes", lang), lang=lang, fields=["lane_id", "phase", "width_m"])


# ---------------------------------------------------------------------- sunlight
_WINDOW_COLS = ["floor", "dwelling", "hours_before", "hours_after", "threshold_h", "verdict", "obstructors"]


def _window_rows(rows: pd.DataFrame, lang: str) -> list[list[str]]:
    """The windows stacked at one plan position as rows of escaped display text (top floor first)."""
    out = []
    for _, r in rows.iterrows():
        cells = []
        for h in _WINDOW_COLS:
            v = r.get(h)
            if h == "verdict":
                cells.append(str(v) if v in Verdict.__members__ else "NOT_CHECKED")
            else:
                cells.append(display_value(v, digits=2))
        out.append(cells)
    return out


def _window_popup_js(lang: str) -> JsCode:
    """JS that binds a popup table (floor, dwelling, hours before/after, standard, verdict,
    obstructors) built from the feature's pre-escaped ``_rows``."""
    heads = "".join(f"<th>{html.escape(label(h, lang))}</th>" for h in _WINDOW_COLS)
    verdicts = {str(v): [v.label(lang), VERDICT_COLOR[str(v)]] for v in Verdict}
    return JsCode(f"""function(feature, layer) {{
  var V = {json.dumps(verdicts, ensure_ascii=False)};
  var rows = feature.properties._rows || [];
  var body = rows.map(function(r) {{
    var v = V[r[5]] || [r[5], '#8c8c8c'];
    return '<tr><td>' + r[0] + '</td><td>' + r[1] + '</td><td>' + r[2] + '</td><td>' + r[3] + '</td><td>' + r[4]
      + '</td><td style="color:' + v[1] + ';font-weight:bold">' + v[0] + '</td><td>' + r[6] + '</td></tr>';
  }}).join('');
  var head = '<b>' + (feature.properties.building_id || '') + '</b> · ' + rows.length + ' {html.escape(label("windows", lang))}';
  layer.bindPopup(head + '<table class="wintable"><tr>{heads}</tr>' + body + '</table>', {{maxWidth: 560}});
}}""")


def windows_layer(windows: gpd.GeoDataFrame | None, *, lang: str,
                  obstruction: pd.DataFrame | None = None) -> folium.FeatureGroup | None:
    """Windows coloured by verdict (满足 / 不恶化 / 不满足) with a popup of hours before, after,
    the standard (h) and the obstructing buildings.

    Windows stacked at one plan position (the same sill on every floor) are one marker coloured
    by the worst verdict among them; its popup lists every floor, top floor first.
    """
    if windows is None or len(windows) == 0 or not isinstance(windows, gpd.GeoDataFrame):
        return None
    w = windows[~(windows.geometry.isna() | windows.geometry.is_empty)].copy()
    if len(w) == 0:
        return None
    if "verdict" not in w.columns:
        w["verdict"] = "NOT_CHECKED"
    w["verdict"] = w["verdict"].astype(str)
    if "obstructors" not in w.columns and obstruction is not None and len(obstruction):
        ob = obstruction.groupby("window_id")["obstructor_id"].agg(lambda s: ", ".join(map(str, s)))
        w["obstructors"] = w["window_id"].map(ob)
    pt = w.geometry.representative_point()
    bid = w["building_id"].astype(str) if "building_id" in w.columns else pd.Series("", index=w.index)
    w["_key"] = bid + "@" + pt.x.round(1).astype(str) + "," + pt.y.round(1).astype(str)
    if "floor" in w.columns:
        w = w.sort_values("floor", ascending=False, kind="stable")
    rows = []
    for _, g in w.groupby("_key", sort=False):
        worst = str(worst_verdict(Verdict(v) for v in g["verdict"] if v in Verdict.__members__))
        n_fail = int((g["verdict"] == "FAIL").sum())
        rows.append({
            "building_id": g["building_id"].iloc[0] if "building_id" in g.columns else None,
            "windows": len(g),
            "failing": n_fail,
            "hours_after": g["hours_after"].min() if "hours_after" in g.columns else None,
            "verdict": Verdict(worst).label(lang),
            "_rows": _window_rows(g, lang),
            "_stroke": VERDICT_COLOR.get(worst, "#8c8c8c"),
            "_fill": VERDICT_COLOR.get(worst, "#8c8c8c"),
            "_fillop": 0.9,
            "_weight": 4.0 if g.geom_type.iloc[0] in ("LineString", "MultiLineString") else 1.0,
            "geometry": g.geometry.iloc[0],
        })
    grouped = gpd.GeoDataFrame(rows, geometry="geometry", crs=w.crs)
    fields = ["building_id", "windows", "failing", "hours_after", "verdict"]
    data = display_frame(grouped, fields, digits={"hours_after": 2}, keep=["_rows"])
    group = folium.FeatureGroup(name=html.escape(label("windows_layer", lang)), show=True)
    gj = folium.GeoJson(data, name=html.escape(label("windows_layer", lang)), style_function=_style,
                        highlight_function=_highlight, marker=folium.CircleMarker(radius=4),
                        on_each_feature=_window_popup_js(lang),
                        tooltip=folium.GeoJsonTooltip(fields=fields,
                                                      aliases=[html.escape(label(f, lang)) for f in fields]))
    gj.add_to(group)
    return group


def raster_overlays(path: Any, *, lang: str, vmax: float | None = None
                    ) -> tuple[list[folium.raster_layers.ImageOverlay], Any]:
    """Ground sunlight hours (地面日照时数) warped to Web Mercator, as PNG image overlays.

    Reads ``sunlight.tif`` (bands hours before, after, difference; h); returns the overlays
    (after shown, before hidden) and the branca colormap used (for the legend).
    """
    import branca.colormap as cm
    import rasterio
    from rasterio.warp import Resampling, calculate_default_transform, reproject, transform_bounds

    with rasterio.open(path) as src:
        dst_crs = "EPSG:3857"
        transform, width, height = calculate_default_transform(src.crs, dst_crs, src.width, src.height,
                                                               *src.bounds)
        bands = {}
        for b, key in ((2, "raster_after"), (1, "raster_before")):
            if b > src.count:
                continue
            out = np.full((height, width), np.nan, dtype=np.float32)
            reproject(source=rasterio.band(src, b), destination=out, src_transform=src.transform,
                      src_crs=src.crs, dst_transform=transform, dst_crs=dst_crs, resampling=Resampling.nearest,
                      src_nodata=np.nan, dst_nodata=np.nan)
            bands[key] = out
        left, bottom, right, top = transform_bounds(dst_crs, WGS84, transform.c, transform.f + transform.e * height,
                                                    transform.c + transform.a * width, transform.f)
    finite = [a[np.isfinite(a)] for a in bands.values()]
    top_h = vmax if vmax is not None else max([float(a.max()) for a in finite if a.size] + [1.0])
    top_h = max(1.0, math.ceil(top_h))
    cmap = cm.LinearColormap(["#2c1e5c", "#3b528b", "#21908d", "#5dc963", "#fde725"], vmin=0, vmax=top_h,
                             caption=label("hours_legend", lang))
    overlays = []
    for key, arr in bands.items():
        rgba = np.zeros((*arr.shape, 4), dtype=np.uint8)
        ok = np.isfinite(arr)
        if ok.any():
            cols = np.array([cmap.rgba_bytes_tuple(float(x)) for x in np.linspace(0, top_h, 256)], dtype=np.uint8)
            idx = np.clip((arr[ok] / top_h * 255).round().astype(int), 0, 255)
            rgba[ok, :3] = cols[idx, :3]
            rgba[ok, 3] = 150
        overlays.append(folium.raster_layers.ImageOverlay(
            rgba, bounds=[[bottom, left], [top, right]], name=label(key, lang), mercator_project=False,
            show=key == "raster_after", interactive=False, zindex=2))
    return overlays, cmap


_SLIDER_FMT = JsCode("""function(v) { var m = Math.round(v); var h = Math.floor(m / 60), mm = m % 60;
  return (h < 10 ? '0' : '') + h + ':' + (mm < 10 ? '0' : '') + mm; }""")


# [start, end): at a step time only the outline of that time shows, not the previous one too.
_INTERVAL_JS = JsCode("""function(f) { return {start: f.properties.start, end: f.properties.end,
  startExclusive: false, endExclusive: true}; }""")


def _tst_minutes(text: Any) -> float | None:
    try:
        if isinstance(text, (int, float, np.floating)):
            return float(text) * 60.0
        h, m = str(text).split(":")[:2]
        return int(h) * 60.0 + float(m)
    except (ValueError, AttributeError):
        return None


def shadow_timelines(shadows: gpd.GeoDataFrame | None, *, lang: str
                     ) -> tuple[list[plugins.Timeline], plugins.TimelineSlider | None]:
    """Shadows through the standard day on a time slider (Timeline + TimelineSlider).

    ``shadows`` carries ``scene`` (before/after), ``tst`` ("HH:MM" true solar time) and a
    shadow polygon.  Times are numbers (minutes of true solar time) so no time zone applies;
    each outline shows from its time until the next.
    """
    if shadows is None or len(shadows) == 0 or "tst" not in shadows.columns:
        return [], None
    s = shadows.copy()
    s["start"] = [_tst_minutes(t) for t in s["tst"]]
    s = s[s["start"].notna() & ~(s.geometry.isna() | s.geometry.is_empty)]
    if len(s) == 0:
        return [], None
    times = np.sort(s["start"].unique())
    step = float(np.min(np.diff(times))) if len(times) > 1 else 60.0
    nxt = {t: (times[i + 1] if i + 1 < len(times) else t + step) for i, t in enumerate(times)}
    s["end"] = s["start"].map(nxt)
    scenes = s["scene"] if "scene" in s.columns else pd.Series("after", index=s.index)
    timelines = []
    for scene, color in (("before", "#525252"), ("after", "#54278f")):
        sub = s[scenes == scene]
        if len(sub) == 0:
            continue
        data = display_frame(sub, ["tst", "bjt"], keep=["start", "end"])
        data["start"] = data["start"].astype(float)
        data["end"] = data["end"].astype(float)
        tl = plugins.Timeline(data.__geo_interface__, get_interval=_INTERVAL_JS, style=JsCode(
            f"function(f){{return {{color:'{color}', weight:1, fillColor:'{color}', fillOpacity:0.35}};}}"))
        tl.layer_name = html.escape(label(f"shadows_{scene}", lang))
        tl.show = scene == "after"
        timelines.append(tl)
    slider = plugins.TimelineSlider(auto_play=False, show_ticks=True, enable_keyboard_controls=True,
                                    playback_duration=8000, start=float(times[0]), end=float(times[-1] + step))
    slider.options["format_output"] = _SLIDER_FMT
    slider.tst_minutes = [float(t) for t in times]  # for the page to open at a chosen time
    slider.add_timelines(*timelines)
    return timelines, slider

