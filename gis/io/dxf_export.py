"""Site layers → a DXF drawing (for designers, and to test the DXF import by round trip).

Each spatial layer becomes CAD layers named ``SITE-<LAYER>`` (``SITE-BUILDINGS-EXISTING``
… for layers with a ``phase``).  Polygons are written as closed LWPOLYLINEs (as HATCHes
when they have holes), lines as open
LWPOLYLINEs, points as POINTs.  Each feature gets a text label ``field=value;…`` at a point
inside it on ``<its CAD layer>-TEXT`` (existing and proposed footprints overlap on a
rebuilt site, so labels are kept apart by phase), and :func:`export_site_dxf` returns the mapping
(:class:`gis.io.dxf.DxfMapping`) that reads the drawing back.

Coordinates are written in local drawing units: ``(site − origin) / unit_m``, optionally
rotated, as designers' 建筑坐标 are.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from gis.io.dxf import DxfMapping, LayerRule, TextRule
from gis.schema import LAYERS

__all__ = ["export_site_dxf", "LABEL_FIELDS"]

_UNITS = {"mm": (4, 0.001), "cm": (5, 0.01), "m": (6, 1.0)}

#: Fields written into the text label of each feature, by layer (default: every contract
#: field present except ``phase``, which the CAD layer name carries).
LABEL_FIELDS: dict[str, tuple[str, ...]] = {}


def _cad_layer(name: str, phase: str | None) -> str:
    return f"SITE-{name.upper()}" + (f"-{str(phase).upper()}" if phase else "")


def export_site_dxf(
    layers: dict[str, pd.DataFrame],
    path: str | Path,
    *,
    units: str = "mm",
    origin: tuple[float, float] = (0.0, 0.0),
    rotation_deg: float = 0.0,
    dxfversion: str = "R2010",
    encoding: str | None = None,
) -> tuple[Path, DxfMapping]:
    """Write site layers into a DXF drawing in local coordinates.

    Parameters
    ----------
    layers : dict of str to GeoDataFrame
        Site layers in a projected CRS (metres); attribute-only tables are skipped.
    path : str or Path
        The ``.dxf`` file to write.
    units : {"mm", "cm", "m"}
        Drawing units, written to ``$INSUNITS``.
    origin : (float, float)
        Site coordinates (m) of the drawing origin.
    rotation_deg : float
        Rotation of the drawing relative to the site grid, degrees counter-clockwise.
    dxfversion : str
        DXF version, e.g. ``"R2000"`` (with ``encoding="gbk"`` for an ANSI_936 drawing).
    encoding : str, optional
        Text encoding of pre-2007 drawings.

    Returns
    -------
    (Path, DxfMapping)
        The drawing and a mapping that imports it back.
    """
    import ezdxf

    code, unit_m = _UNITS[units]
    doc = ezdxf.new(dxfversion, units=code)
    if encoding:
        doc.encoding = encoding
    msp = doc.modelspace()
    c, s = math.cos(math.radians(-rotation_deg)), math.sin(math.radians(-rotation_deg))
    ox, oy = origin

    def local(xy: np.ndarray) -> np.ndarray:
        d = (xy - (ox, oy)) / unit_m
        return np.column_stack([c * d[:, 0] - s * d[:, 1], s * d[:, 0] + c * d[:, 1]])

    rules: list[LayerRule] = []
    for name, frame in layers.items():
        spec = LAYERS.get(name)
        if spec is None or spec.geometry is None or frame is None or not len(frame) or "geometry" not in frame:
            continue
        wanted = LABEL_FIELDS.get(name) or tuple(f.name for f in spec.fields if f.name != "phase")
        fields = [f for f in wanted if f in frame.columns]
        phases = frame["phase"] if "phase" in frame.columns else pd.Series([None] * len(frame), index=frame.index)
        for phase in pd.unique(phases.astype(object)):
            cad = _cad_layer(name, phase)
            text_layer = f"{cad}-TEXT"  # per phase: existing and proposed footprints overlap (原拆原建)
            for layer in (cad, text_layer):
                if layer not in doc.layers:
                    doc.layers.add(layer)
            sub = frame[phases.astype(object) == phase] if phase is not None else frame
            for _, row in sub.iterrows():
                geom = shapely.force_2d(row.geometry)
                if geom is None or geom.is_empty:
                    continue
                for part in getattr(geom, "geoms", [geom]):
                    if part.geom_type == "Polygon" and not part.interiors:
                        pts = local(np.asarray(part.exterior.coords)[:-1])
                        msp.add_lwpolyline(pts.tolist(), format="xy", close=True, dxfattribs={"layer": cad})
                    elif part.geom_type == "Polygon":  # with holes: a hatch keeps them
                        hatch = msp.add_hatch(dxfattribs={"layer": cad})
                        for k, ring in enumerate([part.exterior, *part.interiors]):
                            pts = local(np.asarray(ring.coords)[:-1])
                            hatch.paths.add_polyline_path(pts.tolist(), is_closed=True, flags=1 if k == 0 else 0)
                    elif part.geom_type == "LineString":
                        msp.add_lwpolyline(local(np.asarray(part.coords)).tolist(), format="xy", dxfattribs={"layer": cad})
                    elif part.geom_type == "Point":
                        msp.add_point(tuple(local(np.asarray(part.coords))[0]), dxfattribs={"layer": cad})
                label = ";".join(f"{f}={_fmt(row[f])}" for f in fields if _fmt(row[f]) != "")
                if label:
                    anchor = geom.representative_point() if geom.geom_type in ("Polygon", "MultiPolygon") else \
                        shapely.line_interpolate_point(geom, 0.5, normalized=True) if "Line" in geom.geom_type else geom
                    p = local(np.asarray(anchor.coords))[0]
                    msp.add_text(label, dxfattribs={"layer": text_layer, "height": 1.0 / unit_m, "insert": (p[0], p[1])})
            rules.append(LayerRule(
                site_layer=name,
                cad_layers=[cad],
                set={"phase": str(phase)} if phase is not None else {},
                text=[TextRule(cad_layers=[f"{cad}-TEXT"], pattern=f"(?:^|;){f}=(?P<{f}>[^;]+)") for f in fields],
            ))
    path = Path(path)
    doc.saveas(path)
    return path, DxfMapping(units=units, layers=rules)


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
