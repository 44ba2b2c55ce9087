"""The review map (审查图) for the joint-review meeting: one self-contained folium page.

:func:`build_review_map` builds a :class:`folium.Map` from a :class:`gis.pipeline.ReviewResult`
(every layer optional: it works with whatever findings and outputs exist, including none);
:func:`render_review_html` renders it to one HTML text with Leaflet and every plugin inlined
(:mod:`maps.offline`).  Writing the file is the package writer's job
(:func:`gis.io.package.write_review_package`).

Layers (each in the layer control): parcels before, net land after, scrap-plot classes,
buildings existing / kept / proposed / context by height class, findings by topic (dimension
lines with lengths for spacing, setbacks and fire separation), fire lanes and rescue sites,
windows by verdict, ground sunlight hours (before / after, warped to Web Mercator), shadows
through the standard day on a time slider; a title block, a legend, Fullscreen and a
measuring tool.  No basemap by default (no network in meeting rooms and CI).
"""

from __future__ import annotations

import html
import os
import warnings
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
from branca.element import MacroElement
from folium import plugins
from folium.template import Template
from rasterio.errors import RasterioError

from maps import layers as L
from maps.offline import inline_assets
from maps.theme import HEIGHT_CLASS_COLOR, PHASE_STYLE, SCRAP_COLOR, VERDICT_COLOR, label

__all__ = ["build_review_map", "render_review_html", "build_compare_map", "render_compare_html", "basemap_tiles",
           "GCJ02_HOSTS"]

# Tile hosts serving GCJ-02 ("Mars") coordinates: CGCS2000 / WGS 84 data lands hundreds of metres off.
GCJ02_HOSTS = ("autonavi", "amap", "gaode", "map.qq.com", "tencent", "baidu", "bdimg", "bdstatic")

_TIANDITU = ("https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
             "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}"
             "&TILECOL={{x}}&tk={key}")


class _Html(MacroElement):
    """A fixed block of (already escaped) HTML in the page body, plus optional CSS and JS."""

    _template = Template("""
{% macro header(this, kwargs) %}{% if this.css %}<style>{{ this.css }}</style>{% endif %}{% endmacro %}
{% macro html(this, kwargs) %}{{ this.content }}{% endmacro %}
{% macro script(this, kwargs) %}{{ this.js | replace("MAP", this._parent.get_name()) }}{% endmacro %}
""")

    def __init__(self, content: str = "", *, css: str = "", js: str = "") -> None:
        super().__init__()
        self._name = "ReviewHtml"
        self.content, self.css, self.js = content, css, js


_CSS = """
.review-box { position: absolute; z-index: 1000; background: rgba(255,255,255,.93); padding: 6px 10px;
  border: 1px solid #999; border-radius: 4px; font: 12px/1.35 "Noto Sans CJK SC", "Microsoft YaHei",
  "PingFang SC", sans-serif; color: #222; box-shadow: 0 1px 4px rgba(0,0,0,.3); }
.review-title { top: 10px; left: 55px; max-width: 460px; }
.review-title h1 { font-size: 15px; margin: 0 0 3px; }
.review-title .warn { color: #b30000; font-weight: bold; }
.review-legend { top: 150px; left: 55px; max-height: calc(100vh - 300px); overflow-y: auto; }
.review-legend summary { cursor: pointer; font-weight: bold; }
.review-legend h4 { margin: 4px 0 2px; font-size: 12px; }
.review-legend .sw { display: inline-block; width: 14px; height: 10px; margin-right: 4px; vertical-align: middle;
  border: 1px solid #555; }
.review-legend .ln { display: inline-block; width: 18px; height: 0; margin-right: 4px; vertical-align: middle;
  border-top: 2px solid #000; }
.leaflet-tooltip.dimlabel { background: rgba(255,255,255,.85); border: 0; box-shadow: none; padding: 0 3px;
  font: bold 11px sans-serif; color: #111; }
.leaflet-tooltip.dimlabel:before { display: none; }
.foliumpopup th, .foliumtooltip th { text-align: left; padding-right: 6px; }
"""


def basemap_tiles(basemap: str | None, *, key: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """Tile-layer specs for an optional basemap (needs a network) and a warning text, if any.

    Parameters
    ----------
    basemap : {None, "osm", "tianditu"} or str
        ``None``: none (default, offline).  ``"tianditu"``: 天地图 vector + labels (CGCS2000-
        aligned; needs a key: ``key`` or the ``TIANDITU_KEY`` environment variable).  Any other
        string is an XYZ URL template ``…/{z}/{x}/{y}…``; a GCJ-02 host (Gaode/AMap, Tencent,
        Baidu) gets a warning because the data would be drawn hundreds of metres off.
    """
    if not basemap:
        return [], None
    if basemap == "osm":
        return [{"tiles": "OpenStreetMap", "name": "OpenStreetMap"}], None
    if basemap == "tianditu":
        key = key or os.environ.get("TIANDITU_KEY")
        if not key:
            raise ValueError("the 天地图 (tianditu) basemap needs a key: set TIANDITU_KEY or pass key=…")
        return [
            {"tiles": _TIANDITU.format(layer=layer, key=key), "attr": "天地图 Tianditu", "name": name,
             "subdomains": "01234567", "overlay": overlay}
            for layer, name, overlay in (("vec", "天地图", False), ("cva", "天地图注记", True))
        ], None
    warn = None
    if any(h in basemap.lower() for h in GCJ02_HOSTS):
        warn = "gcj_warning"
        warnings.warn("the basemap uses GCJ-02 coordinates: CGCS2000/WGS 84 data will be offset by hundreds "
                      "of metres", stacklevel=2)
    return [{"tiles": basemap, "attr": "basemap", "name": "basemap"}], warn


def _title_html(result: Any, *, lang: str, warn: str | None, problems: list[str] = ()) -> str:
    site, rules = result.site, result.rules
    name = site.name or (Path(site.source).stem if site.source else "—")
    pack = rules.meta.title_zh if lang == "zh" else rules.meta.title_en
    counts = result.counts
    cnt = " · ".join(
        f'<span style="color:{VERDICT_COLOR[str(v)]}">■</span> {html.escape(v.label(lang))} {n}'
        for v, n in counts.items())
    epsg = site.crs.to_epsg()
    lines = [
        f"<h1>{html.escape(label('title', lang))}</h1>",
        f"<div>{html.escape(label('project', lang))}: <b>{html.escape(name)}</b></div>",
        f"<div>{html.escape(label('rule_pack', lang))}: {html.escape(pack)} "
        f"({html.escape(rules.meta.name)} {html.escape(str(rules.meta.version))})</div>",
        f"<div>{html.escape(label('date', lang))}: {result.created:%Y-%m-%d %H:%M} · EPSG:{epsg}</div>",
        f"<div>{cnt}</div>",
    ]
    if warn:
        lines.append(f'<div class="warn">{html.escape(label(warn, lang))}</div>')
    lines += [f'<div class="warn">{html.escape(p)}</div>' for p in problems]
    return f'<div class="review-box review-title" id="review-title">{"".join(lines)}</div>'


def _legend_html(*, lang: str, cmap: Any = None) -> str:
    def sw(color: str, text: str, *, border: str = "#555", dash: bool = False) -> str:
        style = f"background:{color};border-color:{border}" + (";border-style:dashed" if dash else "")
        return f'<div><span class="sw" style="{style}"></span>{html.escape(text)}</div>'

    parts = [f"<h4>{html.escape(label('verdicts', lang))}</h4>"]
    from gis.findings import Verdict

    parts += [sw(VERDICT_COLOR[str(v)], v.label(lang)) for v in Verdict]
    parts.append(f"<h4>{html.escape(label('height_classes', lang))}</h4>")
    parts += [sw(c, label(k, lang)) for k, c in HEIGHT_CLASS_COLOR.items()]
    parts.append(f"<h4>{html.escape(label('phase', lang))}</h4>")
    parts += [sw("#fff", label(f"ph_{p}", lang), border=s["color"], dash=bool(s["dashArray"]))
              for p, s in PHASE_STYLE.items()]
    parts.append(f"<h4>{html.escape(label('scrap_plots', lang))}</h4>")
    parts += [sw(c, label(k, lang)) for k, c in SCRAP_COLOR.items()]
    if cmap is not None:
        parts.append(f"<h4>{html.escape(label('hours_legend', lang))}</h4>")
        cmap.width = 250
        parts.append(f'<div class="gradient">{cmap._repr_html_()}</div>')
    return (f'<div class="review-box review-legend" id="review-legend"><details open><summary>'
            f'{html.escape(label("legend", lang))}</summary>{"".join(parts)}</details></div>')


def _output(result: Any, name: str) -> Any:
    out = result.context.outputs.get(name)
    return None if out is None else out.data


def _bounds(site: Any) -> list[list[float]] | None:
    """Lat/lon bounds of the parcels and buildings (roads and context can reach far)."""
    frames = [f for k, f in site.layers.items() if k in ("parcels", "buildings")
              and isinstance(f, gpd.GeoDataFrame) and len(f)]
    if not frames:
        return None
    b = gpd.GeoSeries([f.to_crs(L.WGS84).union_all() for f in frames], crs=L.WGS84).total_bounds
    return [[float(b[1]), float(b[0])], [float(b[3]), float(b[2])]]


def build_review_map(result: Any, *, lang: str = "zh", basemap: str | None = None,
                     basemap_key: str | None = None) -> folium.Map:
    """The review map of one review result.

    Parameters
    ----------
    result : gis.pipeline.ReviewResult
        Site (projected CRS, metres), findings and the outputs other checks added
        (``net_land``, ``scrap_plots``, ``parcel_issues``, ``windows``, ``shadows`` …) and products
        (``sunlight_raster``: path of ``sunlight.tif``).  Every one is optional.
    lang : {"zh", "en"}
        Language of layer names, tooltips and legend.
    basemap : str, optional
        See :func:`basemap_tiles`; ``None`` (default) draws no basemap.
    basemap_key : str, optional
        Key for 天地图.

    Returns
    -------
    folium.Map
        With only Leaflet's own JS/CSS in the page head (no jQuery/Bootstrap); render it with
        :func:`render_review_html` for a self-contained page.
    """
    site = result.site
    tiles, warn = basemap_tiles(basemap, key=basemap_key)
    m = folium.Map(tiles=None, control_scale=True, zoom_start=17, max_zoom=22, zoom_snap=0.25, zoom_delta=0.5,
                   location=[site.lat, site.lon], prefer_canvas=False)
    # Only Leaflet: drop jQuery, Bootstrap, awesome-markers, Font Awesome (instance attributes,
    # never the class-level lists folium shares between maps).
    m.default_js = [j for j in m.default_js if j[0] == "leaflet"]
    m.default_css = [c for c in m.default_css if c[0] == "leaflet_css"]
    for spec in tiles:
        folium.TileLayer(**spec, max_zoom=22, max_native_zoom=18).add_to(m)

    layers: list[Any] = []
    layers.append(L.parcels_layer(site.layer("parcels"), lang=lang))
    layers.append(L.net_land_layer(_output(result, "net_land"), lang=lang))
    layers.append(L.scrap_layer(_output(result, "scrap_plots"), lang=lang))
    layers.append(L.simple_layer(_output(result, "parcel_issues"), key="parcel_issues", lang=lang,
                                 fields=["kind", "parcel_ids", "area_m2"], stroke="#e7298a", fillop=0.5, show=True))
    layers.append(L.simple_layer(site.layer("control_lines"), key="control_lines", lang=lang, fields=["kind"],
                                 stroke="#e31a1c", fillop=0.08, dash="8 4", show=False))
    layers.append(L.simple_layer(site.layer("roads"), key="roads", lang=lang,
                                 fields=["road_id", "name"], stroke="#bdbdbd", weight=3, show=False))
    layers.append(L.simple_layer(site.layer("green"), key="green", lang=lang, fields=["kind"],
                                 stroke="#41ab5d", fillop=0.3, weight=0.5, show=False))
    layers.extend(L.buildings_layers(site.buildings if "buildings" in site.layers else None, lang=lang))
    layers.append(L.lanes_layer(site.layer("fire_lanes"), lang=lang))
    layers.append(L.simple_layer(site.layer("rescue_sites"), key="rescue_sites", lang=lang,
                                 fields=["site_id", "building_id", "phase"], stroke="#ff7f00", fillop=0.35))
    windows = L.windows_layer(_output(result, "windows"), lang=lang,
                              obstruction=_output(result, "sunlight_obstruction"))
    layers.extend(L.findings_layers(result.findings, site.crs, lang=lang, windows_drawn=windows is not None))
    layers.append(windows)
    cmap = None
    raster = result.context.products.get("sunlight_raster")
    problems: list[str] = []
    if raster and Path(raster).is_file():
        try:
            overlays, cmap = L.raster_overlays(raster, lang=lang)
            layers.extend(overlays)
        except (OSError, ValueError, RasterioError) as exc:  # a broken file must not cost the whole map
            problems.append(f"{label('raster_unreadable', lang)} {Path(raster).name}: {exc}")
    for layer in layers:
        if layer is not None:
            layer.add_to(m)
    timelines, slider = L.shadow_timelines(_output(result, "shadows"), lang=lang)
    for tl in timelines:
        tl.add_to(m)
    if slider is not None:
        slider.add_to(m)

    plugins.Fullscreen(position="topleft").add_to(m)
    plugins.MeasureControl(position="topleft", primary_length_unit="meters", primary_area_unit="sqmeters",
                           secondary_length_unit=None, secondary_area_unit=None).add_to(m)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    # Timeline layers always add themselves to the map; hide the ones not shown on opening.
    js = "".join(f"{tl.get_name()}.remove();" for tl in timelines if not tl.show)
    js += "if (MAP.attributionControl) { MAP.attributionControl.setPrefix('Leaflet'); }"
    if slider is not None:  # open at true solar noon (or the last time before it)
        noon = max([t for t in slider.tst_minutes if t <= 720.0] or [slider.options["start"]])
        js += f"{slider.get_name()}.setTime({noon});"
    _Html(_title_html(result, lang=lang, warn=warn, problems=problems) + _legend_html(lang=lang, cmap=cmap), css=_CSS,
          js=js).add_to(m)
    bounds = _bounds(site)
    if bounds:
        m.fit_bounds(bounds, padding=(20, 20))
    return m


def render_review_html(result: Any, *, lang: str = "zh", basemap: str | None = None,
                       basemap_key: str | None = None) -> str:
    """The review map as one self-contained HTML text (Leaflet and plugins inlined)."""
    m = build_review_map(result, lang=lang, basemap=basemap, basemap_key=basemap_key)
    page = m.get_root().render()
    page = page.replace('<html>', f'<html lang="{"zh-CN" if lang == "zh" else "en"}">', 1)
    return inline_assets(page)


def _leaflet_only(m: folium.Map) -> None:
    m.default_js = [j for j in m.default_js if j[0] == "leaflet"]
    m.default_css = [c for c in m.default_css if c[0] == "leaflet_css"]


def build_compare_map(result: Any, *, lang: str = "zh") -> plugins.DualMap:
    """Before (left) and after (right) side by side, the two views synchronised (DualMap).

    Left: parcels, buildings existing / kept / context, ground hours before.  Right: net land,
    scrap plots, buildings kept / proposed / context, every finding layer, windows, ground
    hours after.  Each side has its own layer control and a caption.
    """
    site = result.site
    dm = plugins.DualMap(location=[site.lat, site.lon], tiles=None, zoom_start=17, max_zoom=22, control_scale=True,
                         zoom_snap=0.25, zoom_delta=0.5)
    for m in (dm.m1, dm.m2):
        _leaflet_only(m)
    b = site.buildings if "buildings" in site.layers else None
    before = [L.parcels_layer(site.layer("parcels"), lang=lang)]
    before += L.buildings_layers(b[b["phase"] != "proposed"] if b is not None else None, lang=lang,
                                 show_existing=True)
    after = [L.net_land_layer(_output(result, "net_land"), lang=lang),
             L.scrap_layer(_output(result, "scrap_plots"), lang=lang)]
    after += L.buildings_layers(b[b["phase"] != "existing"] if b is not None else None, lang=lang)
    after.append(L.lanes_layer(site.layer("fire_lanes"), lang=lang))
    windows = L.windows_layer(_output(result, "windows"), lang=lang,
                              obstruction=_output(result, "sunlight_obstruction"))
    after += L.findings_layers(result.findings, site.crs, lang=lang, windows_drawn=windows is not None)
    after.append(windows)
    raster = result.context.products.get("sunlight_raster")
    if raster and Path(raster).is_file():
        overlays, _ = L.raster_overlays(raster, lang=lang)
        for o in overlays:
            o.show = True
        before += [o for o in overlays if o.layer_name == label("raster_before", lang)]
        after += [o for o in overlays if o.layer_name == label("raster_after", lang)]
    for m, layers, side in ((dm.m1, before, "before"), (dm.m2, after, "after")):
        for layer in layers:
            if layer is not None:
                layer.add_to(m)
        folium.LayerControl(collapsed=True, position="topright").add_to(m)
        left = "55px" if side == "before" else "calc(50% + 55px)"
        caption = (f'<div class="review-box" style="top:10px;left:{left}" id="caption-{side}">'
                   f'<b>{html.escape(label(side, lang))}</b></div>')
        _Html(caption, css=_CSS if side == "before" else "",
              js="if (MAP.attributionControl) { MAP.attributionControl.setPrefix('Leaflet'); }").add_to(m)
    plugins.Fullscreen(position="topleft").add_to(dm.m2)
    bounds = _bounds(site)
    if bounds:
        dm.fit_bounds(bounds, padding=(20, 20))
    return dm


def render_compare_html(result: Any, *, lang: str = "zh") -> str:
    """The before / after comparison as one self-contained HTML text."""
    dm = build_compare_map(result, lang=lang)
    page = dm.get_root().render()
    page = page.replace('<html>', f'<html lang="{"zh-CN" if lang == "zh" else "en"}">', 1)
    return inline_assets(page)
