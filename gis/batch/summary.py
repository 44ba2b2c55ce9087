"""The city summary (全市汇总): one row per community, as GeoPackage + CSV, and an overview map.

Columns: ``community_id``, ``status`` (pass / fail / input / error), verdict counts
(``pass``, ``pass_not_worse``, ``fail``, ``warn``, ``not_checked``), ``far_before``,
``far_after``, ``far_max`` (容积率), ``households_before``/``households_after`` (户数),
``windows_failing`` (日照不达标窗数), ``buildings``, ``check_errors``, ``seconds``,
``report`` (relative link to the community's report), ``error``.  Geometry: the outline of
the community's parcels in the site CRS.

The overview map colours each community by outcome and links to its review package; it is
self-contained offline when the ``maps`` package's asset inliner is available.
"""

from __future__ import annotations

import html
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import CRS

from gis.io.package import atomic_write

__all__ = ["summary_frame", "write_city_summary", "overview_html", "OUTCOME_COLOURS", "SUMMARY_COLUMNS"]

OUTCOME_COLOURS = {"pass": "#2e7d32", "fail": "#c62828", "input": "#ef6c00", "error": "#6a1b9a"}
_OUTCOME_LABELS = {
    "pass": ("通过", "pass"), "fail": ("不通过", "fail"), "input": ("数据不可用", "unusable data"), "error": ("运行错误", "error"),
}
SUMMARY_COLUMNS = ["community_id", "status", "pass", "pass_not_worse", "fail", "warn", "not_checked", "far_before", "far_after",
                   "far_max", "households_before", "households_after", "windows_failing", "buildings", "check_errors",
                   "seconds", "report", "review_map", "error"]


def summary_frame(rows: pd.DataFrame) -> gpd.GeoDataFrame:
    """The summary rows as a GeoDataFrame in the communities' CRS (the first one given)."""
    rows = rows.copy()
    for col in SUMMARY_COLUMNS:
        if col not in rows:
            rows[col] = None
    wkt = rows["wkt"] if "wkt" in rows else pd.Series([None] * len(rows))
    geoms = [shapely.from_wkt(w) if isinstance(w, str) else None for w in wkt]
    crs_text = next((c for c in rows.get("crs", []) if isinstance(c, str)), None)
    crs = CRS.from_user_input(crs_text) if crs_text else None
    frame = gpd.GeoDataFrame(rows[SUMMARY_COLUMNS].reset_index(drop=True), geometry=geoms, crs=crs)
    for col in ("pass", "pass_not_worse", "fail", "warn", "not_checked", "windows_failing", "buildings", "check_errors"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("Int64")
    for col in ("far_before", "far_after", "far_max", "households_before", "households_after", "seconds"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    return frame.sort_values("community_id", kind="stable").reset_index(drop=True)


def overview_html(frame: gpd.GeoDataFrame, *, lang: str = "zh") -> str:
    """An overview map: communities coloured by outcome, each linking to its report."""
    import folium

    idx = 0 if lang == "zh" else 1
    shown = frame[frame.geometry.notna()]
    if shown.crs is not None and len(shown):
        shown = shown.to_crs(4326)
    m = folium.Map(tiles=None, control_scale=True)
    # Only Leaflet (as maps.review does): no jQuery/Bootstrap, so the page can be made offline.
    m.default_js = [j for j in m.default_js if j[0] == "leaflet"]
    m.default_css = [c for c in m.default_css if c[0] == "leaflet_css"]
    for _, r in shown.iterrows():
        colour = OUTCOME_COLOURS.get(r["status"], "#616161")
        label = _OUTCOME_LABELS.get(r["status"], (r["status"], r["status"]))[idx]
        link = r["review_map"] if isinstance(r.get("review_map"), str) else r["report"]
        far = "—" if pd.isna(r["far_before"]) else f"{r['far_before']:.2f} → {r['far_after']:.2f}"
        lines = [f"<b>{html.escape(str(r['community_id']))}</b>: {html.escape(label)}",
                 f"{'不通过' if lang == 'zh' else 'failing'}: {'' if pd.isna(r['fail']) else r['fail']}",
                 f"{'容积率' if lang == 'zh' else 'FAR'}: {far}"]
        if isinstance(r["error"], str):
            lines.append(html.escape(r["error"].splitlines()[0][:200]))
        if isinstance(link, str):
            lines.append(f"<a href='{html.escape(link)}' target='_blank'>{'审查报告' if lang == 'zh' else 'review'}</a>")
        gj = folium.GeoJson(
            shapely.geometry.mapping(r.geometry),
            style_function=lambda _f, c=colour: {"color": c, "fillColor": c, "weight": 1.5, "fillOpacity": 0.45},
            tooltip=f"{r['community_id']}: {label}",
        )
        gj.add_child(folium.Popup("<br>".join(lines), max_width=320))
        gj.add_to(m)
    if len(shown):
        x0, y0, x1, y1 = shown.total_bounds
        m.fit_bounds([[y0, x0], [y1, x1]])
    counts = frame["status"].value_counts()
    legend = "".join(
        f"<div><span style='display:inline-block;width:12px;height:12px;background:{c};margin-right:4px'></span>"
        f"{_OUTCOME_LABELS[s][idx]} ({int(counts.get(s, 0))})</div>" for s, c in OUTCOME_COLOURS.items())
    title = "全市老旧小区审查总览" if lang == "zh" else "City overview of the community reviews"
    m.get_root().html.add_child(folium.Element(
        f"<div style='position:fixed;top:10px;right:10px;z-index:1000;background:white;padding:8px;border:1px solid #999;"
        f"font:13px sans-serif'><b>{title}</b>{legend}</div>"))
    page = m.get_root().render()
    try:
        from maps.offline import inline_assets

        return inline_assets(page)
    except Exception:  # maps package absent or an asset not vendored: the page needs the network
        note = ("（离线资源不可用：本页需联网加载 Leaflet）" if lang == "zh"
                else "(offline assets unavailable: this page loads Leaflet from the network)")
        return page.replace("</body>", f"<p style='position:fixed;bottom:0;left:0;z-index:1000;background:#fff'>{note}</p></body>")


def write_city_summary(rows: pd.DataFrame, out_dir: str | Path, *, lang: str = "zh") -> dict[str, Path]:
    """Write ``summary.gpkg`` (layer ``communities``), ``summary.csv`` and ``overview.html``."""
    import pyogrio

    out_dir = Path(out_dir)
    frame = summary_frame(rows)
    files: dict[str, Path] = {}
    geo = frame[frame.geometry.notna()]

    def write_gpkg(tmp: Path) -> None:
        pyogrio.write_dataframe(geo if len(geo) else frame, tmp, layer="communities", driver="GPKG",
                                geometry_type="Unknown", promote_to_multi=False)
        if len(geo) < len(frame):  # communities with no readable geometry: as a table
            pyogrio.write_dataframe(pd.DataFrame(frame[frame.geometry.isna()].drop(columns="geometry")), tmp,
                                    layer="communities_without_geometry", driver="GPKG")

    files["summary.gpkg"] = atomic_write(out_dir / "summary.gpkg", write_gpkg)
    files["summary.csv"] = atomic_write(out_dir / "summary.csv",
                                        lambda p: pd.DataFrame(frame.drop(columns="geometry")).to_csv(p, index=False, encoding="utf-8-sig"))
    page = overview_html(frame, lang=lang)
    files["overview.html"] = atomic_write(out_dir / "overview.html", lambda p: p.write_text(page, encoding="utf-8"))
    return files
