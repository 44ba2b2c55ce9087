"""Static site plan (总平面示意图) for the report: before and after side by side (matplotlib).

The report must read without the interactive map, so it embeds this figure as a PNG.  Drawn
in the site's projected CRS (metres, grid north up) with a scale bar; buildings filled by
height class, the existing (demolished) ones dashed; failing and warning findings with a
line geometry (spacing, setbacks, separation) drawn as red / orange dimension lines.

Chinese labels use Noto Sans CJK (Debian ``fonts-noto-cjk``) when present; otherwise the
figure falls back to English labels rather than printing empty boxes.
"""

from __future__ import annotations

import base64
import io
from functools import cache
from pathlib import Path
from typing import Any

import geopandas as gpd
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from maps.theme import HEIGHT_CLASS_COLOR, HEIGHT_CLASS_DEFAULT, VERDICT_COLOR, label

__all__ = ["cjk_font", "site_plan_png", "site_plan_data_uri"]

_CJK_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
)


@cache
def cjk_font() -> str | None:
    """Family name of an installed CJK font usable by matplotlib, or None."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    for fam in ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei"):
        if fam in names:
            return fam
    for path in _CJK_CANDIDATES:
        if Path(path).is_file():
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError):  # pragma: no cover - a broken font file
                continue
            if "Noto Sans CJK SC" in {f.name for f in font_manager.fontManager.ttflist}:
                return "Noto Sans CJK SC"
    return None


def _draw(ax: Any, site: Any, which: str, lines: gpd.GeoDataFrame | None, lang: str) -> None:
    parcels = site.layer("parcels")
    if parcels is not None and len(parcels):
        parcels.boundary.plot(ax=ax, color="#6a3d9a", linewidth=0.8, linestyle="--")
    b = site.buildings
    phases = ("context", "existing", "kept") if which == "before" else ("context", "kept", "proposed")
    b = b[b["phase"].isin(phases)]
    if len(b):
        colors = b["height_class"].map(HEIGHT_CLASS_COLOR).fillna(HEIGHT_CLASS_DEFAULT) \
            if "height_class" in b.columns else HEIGHT_CLASS_DEFAULT
        b.plot(ax=ax, color=colors, edgecolor="#222", linewidth=0.6,
               alpha=0.9, linestyle="-")
        ctx = b[b["phase"] == "context"]
        if len(ctx):
            ctx.plot(ax=ax, color="#e0e0e0", edgecolor="#777", linewidth=0.5)
        for _, r in b.iterrows():
            p = r.geometry.representative_point()
            ax.annotate(str(r["building_id"]), (p.x, p.y), ha="center", va="center", fontsize=6, color="#000")
    if which == "after" and lines is not None and len(lines):
        lines.plot(ax=ax, color=lines["_color"], linewidth=1.4)
        for _, r in lines.iterrows():
            mid = r.geometry.interpolate(0.5, normalized=True)
            ax.annotate(f"{r.geometry.length:.1f} m", (mid.x, mid.y), fontsize=5.5, color=r["_color"],
                        ha="left", va="bottom")
    ax.set_title(label(which, lang), fontsize=10)
    ax.set_aspect("equal")
    ax.tick_params(labelsize=5)
    ax.ticklabel_format(useOffset=False, style="plain")


def site_plan_png(result: Any, *, lang: str = "zh", dpi: int = 150) -> bytes:
    """PNG bytes of the before / after site plan of a review result."""
    font = cjk_font()
    use_lang = lang if (lang != "zh" or font) else "en"
    rc_font = {"family": font} if font else {}
    site = result.site
    lines = None
    rows = [(f.geometry, VERDICT_COLOR[str(f.verdict)]) for f in result.findings
            if f.geometry is not None and f.geometry.geom_type == "LineString" and len(f.geometry.coords) == 2
            and str(f.verdict) in ("FAIL", "WARN") and not f.rule_id.startswith("SUN")]
    if rows:
        lines = gpd.GeoDataFrame({"_color": [c for _, c in rows]}, geometry=[g for g, _ in rows], crs=site.crs)
    import matplotlib

    # every Text (axes titles included) takes its font when created: build the figure inside
    with matplotlib.rc_context({"font." + k: v for k, v in rc_font.items()}):
        fig = Figure(figsize=(10, 5.2), dpi=dpi)
        FigureCanvasAgg(fig)
        axes = fig.subplots(1, 2, sharex=True, sharey=True)
        for ax, which in zip(axes, ("before", "after"), strict=True):
            _draw(ax, site, which, lines, use_lang)
        handles = [Patch(facecolor=c, edgecolor="#222", label=label(k, use_lang)) for k, c in HEIGHT_CLASS_COLOR.items()]
        handles.append(Patch(facecolor="#e0e0e0", edgecolor="#777", label=label("ph_context", use_lang)))
        fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=7, frameon=False)
        fig.suptitle(f"{label('site_plan', use_lang)} · EPSG:{site.crs.to_epsg()} (m)", fontsize=11)
        fig.tight_layout(rect=(0, 0.06, 1, 0.95))
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    return buf.getvalue()


def site_plan_data_uri(result: Any, *, lang: str = "zh") -> str:
    """The site plan as a ``data:image/png;base64,…`` URI for the HTML report."""
    return "data:image/png;base64," + base64.b64encode(site_plan_png(result, lang=lang)).decode("ascii")
