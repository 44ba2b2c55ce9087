"""DXF site plans (CAD 总平面图) → site layers (``renewal import-dxf``).

Designers deliver AutoCAD drawings.  A *mapping file* (TOML) says which CAD layers (and
block names) become which site layer, with which field values; this module reads the
drawing with ezdxf and returns contract layers in the site CRS:

- closed polylines, circles and hatches become polygons; footprints drawn as loose lines
  and arcs are polygonised (端点 snapped to a 1 mm grid first); block references (INSERT,
  图块) are expanded, mirrored ones included; arcs are flattened so that no chord strays
  more than ``arc_tolerance_m`` metres from the true arc;
- drawing units come from ``$INSUNITS`` (毫米 is common) and are converted to metres;
- local drawing coordinates (建筑坐标) are placed in the site CRS by a least-squares
  similarity or affine fit to control points (:mod:`gis.io.dxf_fit`); each point's residual
  is reported and the import is refused when any exceeds ``crs.transform_residual_max_m``
  of the rule pack;
- text (``$DWGCODEPAGE`` ANSI_936 drawings decode as GBK) inside a footprint fills fields
  through regular expressions with named groups, e.g. ``'(?P<floors>\\d+)层'``;
- DWG is a closed binary format and is refused with a request for a DXF export.

Mapping file example::

    crs = "EPSG:4538"          # site CRS (default: crs.project_epsg of the rule pack)
    arc_tolerance_m = 0.01     # chord error when flattening arcs, m
    label_distance_m = 2.0     # labels of lines/points: nearest feature within this distance, m
    # units = "mm"             # overrides $INSUNITS when the drawing has none

    [[layers]]
    site_layer = "buildings"
    cad_layers = ["BLDG-EXIST*"]          # glob patterns on CAD layer names
    blocks = []                           # glob patterns on block names (optional)
    set = { phase = "existing" }          # default values (labels and layer names override)
    layer_pattern = 'BLDG-EXIST-(?P<floors>\\d+)F'   # named groups from the CAD layer name
    id_prefix = "E"                       # ids E1, E2 … when no label gives one
      [[layers.text]]
      cad_layers = ["BLDG-TEXT"]
      pattern = '^(?P<building_id>\\S+)\\s+(?P<floors>\\d+)层$'

Control points CSV: columns ``name, cad_x, cad_y, east, north``; ``cad_x``/``cad_y`` in
drawing units as read in CAD, ``east``/``north`` in metres in the site CRS (note that
Chinese survey tables list X = north first: map them to ``north``).

Units: coordinates in metres after import; tolerances in metres.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from pyproj import CRS
from shapely.geometry import shape

from gis.io.dxf_fit import MIN_POINTS, ControlFit, fit_control_points
from gis.problems import Note, Problem, SiteError
from gis.rules import RulePack
from gis.schema import LAYERS, canonical_layer_name

__all__ = [
    "DxfMapping",
    "LayerRule",
    "TextRule",
    "DxfImport",
    "load_mapping",
    "read_control_points",
    "read_dxf",
    "dxf_to_site_layers",
    "import_dxf",
    "DEFAULT_ARC_TOLERANCE_M",
]

#: Default chord error when flattening arcs, m (a drawing tolerance, not a planning rule).
DEFAULT_ARC_TOLERANCE_M = 0.01
#: A label belongs to the nearest line or point feature within this distance, m (a drawing
#: convention, not a planning rule); labels of polygons must lie inside them.
DEFAULT_LABEL_DISTANCE_M = 2.0
#: Grid to which loose line ends are snapped before polygonising, m (1 mm).
SNAP_GRID_M = 0.001

_TEXT_TYPES = {"TEXT", "MTEXT", "ATTRIB"}
_SKIP_TYPES = {"DIMENSION", "LEADER", "MULTILEADER", "VIEWPORT", "IMAGE", "WIPEOUT", "ATTDEF", "XLINE", "RAY"}
_UNIT_NAMES = {"mm": 4, "毫米": 4, "cm": 5, "厘米": 5, "m": 6, "米": 6, "km": 7, "in": 1, "ft": 2, "dm": 14}


# --------------------------------------------------------------------------- mapping file


class TextRule(BaseModel):
    """Text labels (TEXT, MTEXT, block ATTRIB values) that fill fields of the feature they lie in."""

    model_config = ConfigDict(extra="forbid")
    cad_layers: list[str] = ["*"]
    pattern: str

    @field_validator("pattern")
    @classmethod
    def _regex(cls, v: str) -> str:
        rx = re.compile(v)
        if not rx.groupindex:
            raise ValueError("the pattern needs named groups, e.g. '(?P<floors>\\d+)层'")
        return v


class LayerRule(BaseModel):
    """Which CAD entities become features of one site layer, and their field values."""

    model_config = ConfigDict(extra="forbid")
    site_layer: str
    cad_layers: list[str] = []
    blocks: list[str] = []
    set: dict[str, str | int | float] = {}
    layer_pattern: str | None = None
    text: list[TextRule] = []
    id_prefix: str | None = None

    @field_validator("site_layer")
    @classmethod
    def _known_layer(cls, v: str) -> str:
        name = canonical_layer_name(v)
        if name is None:
            raise ValueError(f"'{v}' is not a site layer; use one of {', '.join(LAYERS)}")
        if LAYERS[name].geometry is None:
            raise ValueError(f"'{name}' is a table without geometry and cannot come from a drawing")
        return name

    @field_validator("layer_pattern")
    @classmethod
    def _regex(cls, v: str | None) -> str | None:
        if v is not None:
            re.compile(v)
        return v


class DxfMapping(BaseModel):
    """A mapping file: CAD layers and blocks → site layers and fields."""

    model_config = ConfigDict(extra="forbid")
    crs: str | None = None
    units: str | None = None
    arc_tolerance_m: float = DEFAULT_ARC_TOLERANCE_M
    label_distance_m: float = DEFAULT_LABEL_DISTANCE_M
    layers: list[LayerRule]

    @field_validator("units")
    @classmethod
    def _units(cls, v: str | None) -> str | None:
        if v is not None and v not in _UNIT_NAMES:
            raise ValueError(f"unknown units '{v}'; use one of {', '.join(_UNIT_NAMES)}")
        return v

    @field_validator("arc_tolerance_m")
    @classmethod
    def _tol(cls, v: float) -> float:
        if not 0 < v <= 1:
            raise ValueError("arc_tolerance_m must lie in (0, 1] m")
        return v


def load_mapping(path: str | Path) -> DxfMapping:
    """Read and validate a mapping file (TOML); problems raise :class:`SiteError`."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SiteError([Problem("mapping", None, None, f"{path} does not exist", "give the path of the layer mapping file (.toml)")]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SiteError([Problem("mapping", None, None, f"{path.name} is not valid UTF-8 TOML: {exc}",
                                 "fix the TOML syntax (strings in quotes, [[layers]] tables)")]) from None
    try:
        return DxfMapping.model_validate(data)
    except ValidationError as exc:
        problems = [Problem("mapping", None, ".".join(str(p) for p in err["loc"]) or None, err["msg"],
                            "correct this entry of the mapping file") for err in exc.errors()]
        raise SiteError(problems) from None


# --------------------------------------------------------------------------- control points


def read_control_points(path: str | Path) -> pd.DataFrame:
    """Read control points: columns ``name, cad_x, cad_y, east, north`` (see module doc)."""
    path = Path(path)
    if not path.exists():
        raise SiteError([Problem("control_points", None, None, f"{path} does not exist", "give the control point CSV")])
    try:
        frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", skipinitialspace=True)
    except UnicodeDecodeError:
        frame = pd.read_csv(path, dtype=str, encoding="gb18030", skipinitialspace=True)
    frame.columns = [c.strip().lower() for c in frame.columns]
    need = ["cad_x", "cad_y", "east", "north"]
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise SiteError([Problem("control_points", None, ",".join(missing), f"missing column(s); found {list(frame.columns)}",
                                 "use the header name,cad_x,cad_y,east,north (east/north in metres in the site CRS; "
                                 "survey X is north)")])
    if "name" not in frame.columns:
        frame["name"] = [f"#{i + 1}" for i in range(len(frame))]
    problems = []
    for col in need:
        values = pd.to_numeric(frame[col], errors="coerce")
        for i in np.flatnonzero(values.isna().to_numpy()):
            problems.append(Problem("control_points", str(frame["name"].iloc[i]), col, f"'{frame[col].iloc[i]}' is not a number",
                                    "write a plain decimal number"))
        frame[col] = values
    if problems:
        raise SiteError(problems)
    return frame[["name", *need]]


# --------------------------------------------------------------------------- reading


@dataclass
class _Entity:
    """A drawing entity flattened out of blocks, with the layer and block it counts as."""

    entity: Any
    layer: str
    block: str | None
    handle: str


@dataclass
class DxfImport:
    """The result of reading a drawing: contract layers in the site CRS, and what was done."""

    layers: dict[str, gpd.GeoDataFrame]
    crs: CRS
    notes: list[Note] = field(default_factory=list)
    fit: ControlFit | None = None
    units_to_m: float = 1.0


def _is_dwg(path: Path) -> bool:
    if path.suffix.lower() == ".dwg":
        return True
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"AC10"
    except OSError:
        return False


def read_dxf(path: str | Path):
    """Open a DXF drawing with ezdxf; DWG and unreadable files raise :class:`SiteError`.

    ``$DWGCODEPAGE`` decides the text encoding of pre-2007 drawings (ANSI_936 → GBK);
    text that still does not decode is reported.
    """
    import ezdxf

    path = Path(path)
    if not path.exists():
        raise SiteError([Problem("dxf", None, None, f"{path} does not exist", "give the path of the DXF site plan")])
    if _is_dwg(path):
        raise SiteError([Problem("dxf", None, None, f"{path.name} is a DWG drawing, a closed binary format that cannot be read",
                                 "in AutoCAD use 另存为 (Save As) → AutoCAD DXF (*.dxf), then import the .dxf")])
    try:
        return ezdxf.readfile(path)
    except (OSError, ezdxf.DXFError) as exc:
        raise SiteError([Problem("dxf", None, None, f"{path.name} cannot be read as DXF: {exc}",
                                 "re-export the drawing from CAD as DXF (AutoCAD 2000–2018 DXF)")]) from None


def _flatten(doc) -> list[_Entity]:
    """Model-space entities with block references expanded (recursively); entities on layer
    ``0`` inside a block take the layer of the block reference, as CAD displays them."""
    out: list[_Entity] = []

    def walk(entities, inherited_layer: str | None, block: str | None, depth: int, prefix: str) -> None:
        for e in entities:
            kind = e.dxftype()
            layer = e.dxf.get("layer", "0")
            if layer == "0" and inherited_layer is not None:
                layer = inherited_layer
            handle = prefix + (e.dxf.get("handle") or "?")
            if kind == "INSERT":
                name = e.dxf.name
                for a in e.attribs:
                    alayer = a.dxf.get("layer", "0")
                    out.append(_Entity(a, layer if alayer == "0" else alayer, name, handle + "/" + a.dxf.get("tag", "")))
                if depth < 16:
                    try:
                        virtual = list(e.virtual_entities())
                    except Exception:  # non-uniform scaling of arcs etc.: skip with a note below
                        virtual = []
                        out.append(_Entity(None, layer, name, handle))
                    walk(virtual, layer, name, depth + 1, handle + ">")
                continue
            out.append(_Entity(e, layer, block, handle))

    walk(doc.modelspace(), None, None, 0, "")
    return out


def _units_factor(doc, mapping: DxfMapping, notes: list[Note]) -> float:
    from ezdxf import units as u

    if mapping.units is not None:
        code = _UNIT_NAMES[mapping.units]
        source = f"mapping file units = '{mapping.units}'"
    else:
        code = int(doc.header.get("$INSUNITS", 0))
        source = f"$INSUNITS = {code}"
    if code == 0:
        raise SiteError([Problem("dxf", None, "$INSUNITS", "the drawing declares no units ($INSUNITS = 0, unitless)",
                                 "set units = \"mm\" (or \"m\") in the mapping file, or set INSUNITS in CAD")])
    try:
        factor = float(u.conversion_factor(code, u.InsertUnits.Meters))
    except Exception:
        raise SiteError([Problem("dxf", None, "$INSUNITS", f"unsupported drawing units code {code}",
                                 "set units = \"mm\" or \"m\" in the mapping file")]) from None
    name = u.decode(code)
    notes.append(Note("units", f"图纸单位 {name}（{source}），坐标乘以 {factor:g} 换算为米",
                      f"drawing units {name} ({source}); coordinates × {factor:g} to metres", layer="dxf"))
    return factor


def _text_items(entities: list[_Entity]) -> list[tuple[str, str, float, float, str]]:
    """(text, layer, x, y, handle) of every TEXT, MTEXT and ATTRIB, in WCS drawing units."""
    items = []
    for it in entities:
        e = it.entity
        if e is None or e.dxftype() not in _TEXT_TYPES:
            continue
        if e.dxftype() == "MTEXT":
            text = e.plain_text()
            x, y = e.dxf.insert.x, e.dxf.insert.y
        else:
            text = e.dxf.text
            p = e.ocs().to_wcs(e.dxf.insert)
            x, y = p.x, p.y
        items.append((text.strip(), it.layer, float(x), float(y), it.handle))
    return items


def _geometry(e, distance: float):
    from ezdxf.addons import geo

    g = shape(geo.proxy(e, distance=distance).__geo_interface__)
    return shapely.force_2d(g)


def _matches(patterns: list[str], value: str | None) -> bool:
    return value is not None and any(fnmatch.fnmatchcase(value.upper(), p.upper()) for p in patterns)


def _coerce(value: str, kind: str) -> Any:
    value = value.strip()
    if kind == "int":
        f = float(value)
        if not f.is_integer():
            raise ValueError
        return int(f)
    if kind == "float":
        return float(value)
    return value


def dxf_to_site_layers(
    path: str | Path,
    mapping: DxfMapping,
    *,
    rules: RulePack,
    control: pd.DataFrame | None = None,
    fit_method: str = "similarity",
    crs: str | None = None,
) -> DxfImport:
    """Read a DXF site plan into contract layers in the site CRS.

    Parameters
    ----------
    path : str or Path
        The ``.dxf`` drawing.
    mapping : DxfMapping
        CAD layers/blocks → site layers and fields (:func:`load_mapping`).
    rules : RulePack
        Gives the default site CRS (``crs.project_epsg``) and the control-point residual
        limit (``crs.transform_residual_max_m``, m).
    control : DataFrame, optional
        Control points (:func:`read_control_points`).  Without them the drawing coordinates,
        converted to metres, are taken to be site CRS coordinates already.
    fit_method : {"similarity", "affine"}
        Fit to the control points.
    crs : str, optional
        Site CRS; overrides the mapping file and the rule pack.

    Returns
    -------
    DxfImport

    Raises
    ------
    SiteError
        With every problem found (unreadable file, units, control points beyond tolerance,
        unparsable labels, open outlines), one per line.
    """
    doc = read_dxf(path)
    notes: list[Note] = []
    problems: list[Problem] = []
    codepage = doc.header.get("$DWGCODEPAGE", "")
    if doc.dxfversion < "AC1021" and codepage and codepage.upper() != "ANSI_1252":
        notes.append(Note("encoding", f"图纸文字按 $DWGCODEPAGE = {codepage} 以 {doc.encoding} 解码",
                          f"drawing text decoded as {doc.encoding} ($DWGCODEPAGE = {codepage})", layer="dxf"))
    factor = _units_factor(doc, mapping, notes)
    site_crs = CRS.from_user_input(crs or mapping.crs or f"EPSG:{rules.crs.project_epsg.value}")

    fit: ControlFit | None = None
    if control is not None:
        if len(control) < MIN_POINTS.get(fit_method, 2):
            raise SiteError([Problem("control_points", None, None,
                                     f"a {fit_method} fit needs at least {MIN_POINTS.get(fit_method, 2)} points, got {len(control)}",
                                     "survey more control points (2 for similarity, 3 for affine; one more lets the fit be checked)")])
        src = control[["cad_x", "cad_y"]].to_numpy(float) * factor
        dst = control[["east", "north"]].to_numpy(float)
        try:
            fit = fit_control_points(src, dst, method=fit_method, names=list(control["name"].astype(str)))
        except ValueError as exc:
            raise SiteError([Problem("control_points", None, None, str(exc), "use distinct, well spread control points")]) from None
        limit = float(rules.crs.transform_residual_max_m.value)
        bad = [(n, r) for n, r in zip(fit.names, fit.residuals_m, strict=True) if r > limit]
        if bad:
            raise SiteError([Problem("control_points", n, None, f"residual {r:.3f} m exceeds {limit} m "
                                     f"({fit_method} fit, rms {fit.rms_m:.3f} m, scale {fit.scale:.5f})",
                                     "check this point's drawing and surveyed coordinates (east/north swapped? wrong units?) "
                                     "or drop it") for n, r in bad])
        lines_zh = "；".join(f"{n} {r * 1000:.1f} mm" for n, r in zip(fit.names, fit.residuals_m, strict=True))
        lines_en = "; ".join(f"{n} {r * 1000:.1f} mm" for n, r in zip(fit.names, fit.residuals_m, strict=True))
        notes.append(Note("crs", f"控制点{'相似' if fit_method == 'similarity' else '仿射'}变换配准：残差 {lines_zh}；"
                                 f"比例 {fit.scale:.6f}，旋转 {fit.rotation_deg:.4f}°",
                          f"{fit_method} fit to control points: residuals {lines_en}; scale {fit.scale:.6f}, "
                          f"rotation {fit.rotation_deg:.4f}°", layer="control_points"))
        if fit.redundancy == 0:
            notes.append(Note("crs", "控制点数量恰为最少，残差必为 0，无法检核；建议再加一个控制点",
                              "the minimum number of control points gives zero residuals by construction and cannot be "
                              "checked; add one more point", layer="control_points"))
        if fit.mirrored:  # a plan is never a mirror image of the ground
            raise SiteError([Problem("control_points", None, "east,north", "the affine fit mirrors the drawing",
                                     "check whether east and north are swapped (survey X is north) and fix the CSV")], notes)
        if abs(fit.scale - 1.0) > 0.01:
            notes.append(Note("crs", f"配准比例 {fit.scale:.4f} 偏离 1 超过 1%：请核对图纸单位",
                              f"fit scale {fit.scale:.4f} is more than 1% from 1: check the drawing units", layer="control_points"))

    def to_site(geom):
        def tf(xy: np.ndarray) -> np.ndarray:
            xy = xy * factor
            return fit.apply(xy) if fit is not None else xy

        return shapely.transform(geom, tf)

    entities = _flatten(doc)
    failed_blocks = sorted({it.block for it in entities if it.entity is None})
    if failed_blocks:
        notes.append(Note("dxf", f"图块无法展开（非等比缩放）：{', '.join(failed_blocks)}",
                          f"blocks that could not be expanded (non-uniform scale): {', '.join(failed_blocks)}", layer="dxf"))
    texts = _text_items(entities)
    distance = mapping.arc_tolerance_m / factor
    skipped: Counter[str] = Counter()
    frames: dict[str, list[pd.DataFrame]] = {}

    for r_i, rule in enumerate(mapping.layers):
        spec = LAYERS[rule.site_layer]
        allowed = set(spec.geometry or ())
        polys, lines, src_layers = [], [], []
        for it in entities:
            e = it.entity
            if e is None or e.dxftype() in _TEXT_TYPES:
                continue
            if not (_matches(rule.cad_layers, it.layer) or _matches(rule.blocks, it.block)):
                continue
            kind = e.dxftype()
            if kind in _SKIP_TYPES or (kind == "POINT" and "Point" not in allowed):
                skipped[kind] += 1
                continue
            try:
                g = _geometry(e, distance)
            except Exception:
                skipped[kind] += 1
                continue
            g = to_site(g)
            if g.is_empty:
                continue
            if g.geom_type in ("Polygon", "MultiPolygon"):
                parts = list(getattr(g, "geoms", [g]))
                if "Polygon" in allowed:
                    polys.extend((p, it) for p in parts)
                else:
                    lines.extend((p.exterior, it) for p in parts)
            elif g.geom_type in ("LineString", "MultiLineString", "LinearRing"):
                parts = list(getattr(g, "geoms", [g]))
                if "LineString" in allowed:
                    lines.extend((shapely.LineString(p.coords), it) for p in parts)
                else:
                    lines.extend((p, it) for p in parts)
            elif g.geom_type == "Point" and "Point" in allowed:
                polys.append((g, it))
            else:
                skipped[kind] += 1
        features: list[tuple[Any, str, str]] = [(g, it.layer, it.handle) for g, it in polys]
        if "LineString" in allowed:
            features += [(g, it.layer, it.handle) for g, it in lines]
        elif lines:
            # Loose lines/arcs (散线) outlining polygons: snap ends to 1 mm and polygonise.
            src_layers = sorted({it.layer for _, it in lines})
            geoms = shapely.set_precision(np.array([g for g, _ in lines]), SNAP_GRID_M)
            merged = shapely.union_all(geoms)
            faces, _cuts, dangles, _invalid = shapely.polygonize_full([merged])
            faces = [f for f in getattr(faces, "geoms", []) if f.area > 0]
            n_dangles = len(getattr(dangles, "geoms", []))
            if n_dangles:
                d0 = dangles.geoms[0]
                x, y = d0.coords[0]
                problems.append(Problem(rule.site_layer, None, "geometry",
                                        f"{n_dangles} loose line(s) on CAD layer(s) {', '.join(src_layers)} do not close an outline "
                                        f"(e.g. the line starting at {x:.3f}, {y:.3f})",
                                        "close the outline in CAD (snap the endpoints, or draw a closed polyline)"))
            # A face inside another face's outline is a courtyard (天井), not a footprint.
            shells = [shapely.Polygon(f.exterior) for f in faces]
            faces_u = [f for f in faces if not any(o is not f and s.contains(f) for o, s in zip(faces, shells, strict=True))]
            lw = "+".join(src_layers)
            features += [(f, lw, f"lines:{lw}#{k + 1}") for k, f in enumerate(faces_u)]
            if faces_u:
                notes.append(Note("repair", f"{rule.site_layer}：CAD 图层 {lw} 的 {len(lines)} 条散线围合成 {len(faces_u)} 个多边形",
                                  f"{rule.site_layer}: {len(lines)} loose lines on CAD layer(s) {lw} polygonised into "
                                  f"{len(faces_u)} polygon(s)", layer=rule.site_layer))
        if not features:
            notes.append(Note("layer", f"映射 {r_i + 1}（{rule.site_layer}）未匹配任何 CAD 图元",
                              f"mapping entry {r_i + 1} ({rule.site_layer}) matched no CAD entity", layer=rule.site_layer))
            continue
        frames.setdefault(rule.site_layer, []).append(
            _attributes(rule, spec, features, texts, to_site, problems, label_distance_m=mapping.label_distance_m)
        )

    if skipped:
        kinds = ", ".join(f"{k} × {n}" for k, n in sorted(skipped.items()))
        notes.append(Note("dxf", f"未转换的图元：{kinds}", f"entities not converted: {kinds}", layer="dxf"))
    if problems:
        raise SiteError(problems, notes)
    layers: dict[str, gpd.GeoDataFrame] = {}
    for name, parts in frames.items():
        frame = pd.concat(parts, ignore_index=True)
        spec = LAYERS[name]
        if spec.id_field and spec.id_field in frame:
            frame[spec.id_field] = _fill_ids(frame[spec.id_field], name)
        layers[name] = gpd.GeoDataFrame(frame, geometry="geometry", crs=site_crs)
    return DxfImport(layers=layers, crs=site_crs, notes=notes, fit=fit, units_to_m=factor)


def _fill_ids(ids: pd.Series, layer: str) -> pd.Series:
    prefix = {"buildings": "B", "parcels": "P"}.get(layer, layer[:1].upper())
    ids = ids.astype(object).copy()
    taken = set(ids.dropna().astype(str))
    n = 0
    for i in ids.index[ids.isna()]:
        n += 1
        while f"{prefix}{n}" in taken:
            n += 1
        ids.at[i] = f"{prefix}{n}"
        taken.add(ids.at[i])
    return ids


def _attributes(rule: LayerRule, spec, features, texts, to_site, problems: list[Problem], *,
                label_distance_m: float) -> pd.DataFrame:
    """Field values of the features of one mapping entry: constants, layer-name groups, labels."""
    geoms = [g for g, _, _ in features]
    rows: list[dict[str, Any]] = [{} for _ in features]
    kinds = {f.name: f.kind for f in spec.fields}

    def put(row: dict, key: str, raw: str, where: str, fid: str) -> None:
        try:
            value = _coerce(raw, kinds.get(key, "str"))
        except ValueError:
            problems.append(Problem(spec.name, fid, key, f"'{raw}' from {where} is not a number",
                                    "fix the label or the pattern of the mapping file"))
            return
        if key in row and row[key] != value:
            problems.append(Problem(spec.name, fid, key, f"two values: '{row[key]}' and '{value}' (from {where})",
                                    "keep one label per feature, or narrow the pattern"))
            return
        row[key] = value

    if rule.layer_pattern:
        rx = re.compile(rule.layer_pattern)
        for row, (_, layer, handle) in zip(rows, features, strict=True):
            m = rx.search(layer)
            if m:
                for k, v in m.groupdict().items():
                    if v is not None:
                        put(row, k, v, f"CAD layer name '{layer}'", f"CAD handle {handle}")
    if rule.text and texts:
        polygonal = [g.geom_type in ("Polygon", "MultiPolygon") for g in geoms]
        tree = shapely.STRtree(geoms)
        for trule in rule.text:
            rx = re.compile(trule.pattern)
            for text, layer, x, y, handle in texts:
                if not _matches(trule.cad_layers, layer):
                    continue
                m = rx.search(text)
                if not m:
                    continue
                pt = to_site(shapely.Point(x, y))
                hits = [int(h) for h in tree.query(pt, predicate="intersects") if polygonal[int(h)]]
                if hits:
                    best = min(hits, key=lambda h: geoms[h].area)  # innermost footprint
                else:
                    near = [int(h) for h in tree.query(pt, predicate="dwithin", distance=label_distance_m)
                            if not polygonal[int(h)]]
                    if not near:
                        continue
                    best = min(near, key=lambda h: geoms[h].distance(pt))
                for k, v in m.groupdict().items():
                    if v is not None:
                        put(rows[best], k, v, f"label '{text}' (CAD handle {handle})", f"CAD handle {features[best][2]}")
    for row in rows:
        for k, v in rule.set.items():
            row.setdefault(k, v)
    frame = pd.DataFrame(rows, index=range(len(rows)))
    if spec.id_field and spec.id_field not in frame:
        frame[spec.id_field] = None
    if spec.id_field and rule.id_prefix:
        missing = frame[spec.id_field].isna()
        frame.loc[missing, spec.id_field] = [f"{rule.id_prefix}{i + 1}" for i in range(int(missing.sum()))]
    frame["cad_layer"] = [layer for _, layer, _ in features]
    frame["cad_handle"] = [h for _, _, h in features]
    frame["geometry"] = geoms
    return frame


def import_dxf(
    path: str | Path,
    mapping: str | Path | DxfMapping,
    out: str | Path,
    *,
    rules: RulePack,
    control: str | Path | pd.DataFrame | None = None,
    fit_method: str = "similarity",
    crs: str | None = None,
    validate: bool = True,
) -> tuple[Path, DxfImport]:
    """Read a DXF site plan and write it as a site GeoPackage (atomic write).

    With ``validate`` (default) the written file is read back with
    :func:`gis.site.load_site`; when it is not a valid site the problems are raised as
    :class:`SiteError` and nothing is left at ``out``.

    Returns
    -------
    (Path, DxfImport)
        The written GeoPackage and the import details (fit residuals, notes).
    """
    import pyogrio

    from gis.io.package import atomic_write

    mapping = mapping if isinstance(mapping, DxfMapping) else load_mapping(mapping)
    if control is not None and not isinstance(control, pd.DataFrame):
        control = read_control_points(control)
    result = dxf_to_site_layers(path, mapping, rules=rules, control=control, fit_method=fit_method, crs=crs)
    out = Path(out)
    if out.resolve() == Path(path).resolve():
        raise SiteError([Problem("dxf", None, None, "the output would overwrite the drawing", "choose another -o file")])

    def write(tmp: Path) -> None:
        for name, frame in result.layers.items():
            pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG", promote_to_multi=False,
                                    geometry_type="Unknown" if frame.geom_type.nunique() > 1 else None)
        if validate:
            from gis.site import load_site

            try:
                load_site(tmp, rules=rules)
            except SiteError as exc:
                raise SiteError(exc.problems, result.notes + exc.notes) from None

    atomic_write(out, write)
    return out, result
