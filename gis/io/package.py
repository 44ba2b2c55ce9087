"""Writing the review package: ``results.gpkg``, ``report.html``, ``report.xlsx``, ``review.html``
(the offline review map) and ``review_compare.html`` (before | after side by side); more files
as modules add them.

Every file is written under a temporary name in the output folder and moved into place, so
a reader never sees a half-written file and an interrupted run leaves the previous package
intact.  Input files are never touched.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from gis.findings import findings_to_frame
from gis.indicators import indicators_frame

__all__ = ["OutputError", "atomic_write", "write_results_gpkg", "write_review_package", "OUTPUT_FILES"]

OUTPUT_FILES = ("results.gpkg", "report.html", "report.xlsx", "review.html", "review_compare.html")


class OutputError(ValueError):
    """The review package cannot be written where asked (it would overwrite the input, …)."""


def atomic_write(target: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` and move the result to ``target`` atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    tmp_path.unlink()  # GDAL wants to create the file itself
    try:
        write(tmp_path)
        # mkstemp's private 0600 mode is not what a shared review folder wants.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()
    return target


def _clean_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Make columns GeoPackage-friendly: nested values to JSON text, no index surprises."""
    out = frame.copy()
    for col in out.columns:
        if col == getattr(out, "_geometry_column_name", None):
            continue
        if out[col].dtype == object:
            sample = out[col].dropna()
            if len(sample) and sample.map(lambda v: isinstance(v, (list, dict, tuple, set))).any():
                out[col] = out[col].map(lambda v: None if v is None else json.dumps(list(v) if isinstance(v, (set, tuple)) else v,
                                                                                    ensure_ascii=False, default=str))
            elif len(sample) and not sample.map(lambda v: isinstance(v, str)).all():
                out[col] = out[col].map(lambda v: None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))
    return out.reset_index(drop=True)


def _write_layer(path: Path, name: str, frame: pd.DataFrame, crs) -> None:
    frame = _clean_columns(frame)
    if isinstance(frame, gpd.GeoDataFrame):
        if frame.crs is None:
            frame = frame.set_crs(crs)
        types = set(frame.geometry.dropna().geom_type)
        kwargs = {"geometry_type": "Unknown"} if len(types) != 1 else {"promote_to_multi": False}
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", **kwargs)
    else:
        pyogrio.write_dataframe(pd.DataFrame(frame), path, layer=name, driver="GPKG")


def write_results_gpkg(result, target: Path) -> Path:
    """Write ``results.gpkg``: findings, buildings (with derived heights/classes), indicators,
    notes and every layer or table the checks added."""
    site = result.site

    def write(tmp: Path) -> None:
        _write_layer(tmp, "findings", findings_to_frame(result.findings, site.crs), site.crs)
        keep = [c for c in site.buildings.columns if c != "geometry"] + ["geometry"]
        _write_layer(tmp, "buildings", site.buildings[keep], site.crs)
        if result.indicators:
            _write_layer(tmp, "indicators", indicators_frame(result.indicators), site.crs)
        notes = pd.DataFrame([{"kind": n.kind, "layer": n.layer, "feature_id": n.feature_id,
                               "message_zh": n.message_zh, "message_en": n.message_en} for n in site.notes],
                             columns=["kind", "layer", "feature_id", "message_zh", "message_en"])
        if len(notes):
            _write_layer(tmp, "notes", notes, site.crs)
        for out in result.context.outputs.values():
            if len(out.data):
                _write_layer(tmp, out.name, out.data, site.crs)

    return atomic_write(target, write)


def write_review_package(result, out_dir: str | Path, *, lang: str = "zh", basemap: str | None = None,
                         basemap_key: str | None = None) -> dict[str, Path]:
    """Write the review package into ``out_dir`` and return the written files by name.

    ``basemap`` (default none: the map works offline) and ``basemap_key`` are passed to
    :func:`maps.review.build_review_map`.  Refuses to write over the input site.
    """
    from gis.io.xlsx import write_report_xlsx
    from gis.report import render_report, report_tables

    out_dir = Path(out_dir)
    source = Path(result.site.source).resolve() if result.site.source else None
    for name in OUTPUT_FILES:
        if source is not None and (out_dir / name).resolve() == source:
            raise OutputError(f"output {out_dir / name} would overwrite the input site; choose another --out folder")
    files = {"results.gpkg": write_results_gpkg(result, out_dir / "results.gpkg")}
    products = result.context.products
    if "sunlight_ground" in products:
        from gis.sunlight.io import write_sunlight_tif

        grid, before, after = products["sunlight_ground"]
        products["sunlight_raster"] = write_sunlight_tif(out_dir / "sunlight.tif", grid, before, after, crs=result.site.crs,
                                                         tags=products.get("sunlight_ground_tags"))
    html = render_report(result, lang=lang)
    files["report.html"] = atomic_write(out_dir / "report.html", lambda p: p.write_text(html, encoding="utf-8"))
    tables = report_tables(result, lang=lang)
    files["report.xlsx"] = atomic_write(out_dir / "report.xlsx", lambda p: write_report_xlsx(tables, p, lang=lang))
    from maps.review import render_compare_html, render_review_html

    review = render_review_html(result, lang=lang, basemap=basemap, basemap_key=basemap_key)
    files["review.html"] = atomic_write(out_dir / "review.html", lambda p: p.write_text(review, encoding="utf-8"))
    compare = render_compare_html(result, lang=lang)  # before | after side by side, synchronised
    files["review_compare.html"] = atomic_write(out_dir / "review_compare.html",
                                                lambda p: p.write_text(compare, encoding="utf-8"))
    for name, path in result.context.products.get("files", {}).items():
        files[name] = Path(path)
    raster = result.context.products.get("sunlight_raster")
    if raster and Path(raster).is_file():
        files.setdefault(Path(raster).name, Path(raster))
    return files
