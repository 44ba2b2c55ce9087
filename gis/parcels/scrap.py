"""Scrap plots (零星地块): 边角地 / 夹心地 / 插花地 classification (RULES.md §5, LC-01 … LC-04).

Seed policy 六(二)1: "城市更新项目中的'边角地''夹心地''插花地'等零星土地，以及不具备单独建设条件的土地，
可与周边用地整合开发利用".  A candidate scrap plot joins the net land when

1. its area is below ``land.scrap_max_area_m2`` (3 亩 ≈ 2,000 m², LC-01);
2. it cannot be developed alone (LC-02): after its own setbacks (``land.own_setback_m``) no rectangle of
   the minimum building footprint (``land.min_footprint_width_m`` × ``land.min_footprint_length_m``) fits,
   or it has no road frontage;
3. it has one of the three relations to the project land (LC-03):

   * 夹心地 (sandwiched): fills a hole of the project land, or is enclosed by it (shared boundary ≥
     ``land.enclosed_shared_ratio`` of its perimeter);
   * 插花地 (interlocked): shared boundary ≥ ``land.interlock_shared_ratio`` of its perimeter;
   * 边角地 (corner): touches the project land and is cut off by a road red line or a corridor (control line);

and the scrap plots together stay within ``land.scrap_share_max`` of the merged area (LC-04).  A plot that
fails a test is reported with the numbers that decided it and is not merged unless the user forces it.

Units: m, m², degrees (rectangle orientation, counter-clockwise from the grid x axis).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import affinity
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from gis.parcels._params import land_param
from gis.parcels.netland import AREA_EPS, polygon_parts

if TYPE_CHECKING:
    from gis.rules import RulePack

__all__ = [
    "RELATION_ZH",
    "FootprintFit",
    "footprint_fit",
    "classify_scrap",
    "scrap_share",
]

RELATION_ZH = {"jiaxin": "夹心地", "chahua": "插花地", "bianjiao": "边角地", "none": "无"}
RELATION_EN = {"jiaxin": "sandwiched plot", "chahua": "interlocked plot", "bianjiao": "corner plot", "none": "no relation"}

#: Orientation sweep of the footprint search (degrees).  A search resolution, not a rule number.
ANGLE_STEP_DEG = 5.0
#: The footprint is shrunk by this much (m) so that an exact fit counts as a fit despite rounding.
_FIT_EPS = 1e-3
_MITRE = {"join_style": "mitre", "mitre_limit": 10.0}


@dataclass(frozen=True)
class FootprintFit:
    """Whether a building footprint fits in a plot after its setbacks (LC-02).

    Attributes
    ----------
    buildable_area_m2 : float
        Area left after the setback (可建范围), m².
    inscribed_width_m : float
        Diameter of the largest disc inside the buildable area, m (its "width").
    fits : bool
        A ``width × length`` rectangle fits in the buildable area at some orientation.
    angle_deg : float or None
        An orientation at which it fits (degrees counter-clockwise from the grid x axis of the long side).
    """

    buildable_area_m2: float
    inscribed_width_m: float
    fits: bool
    angle_deg: float | None


def _edge_angles(poly: Polygon) -> list[float]:
    """Directions (deg, mod 180) of the edges of a polygon, longest edges first."""
    coords = np.asarray(poly.exterior.coords)
    d = np.diff(coords, axis=0)
    length = np.hypot(d[:, 0], d[:, 1])
    ang = np.degrees(np.arctan2(d[:, 1], d[:, 0])) % 180.0
    order = np.argsort(-length)
    return [float(a) for a in ang[order]]


def _erosion_nonempty(poly: BaseGeometry, length: float, width: float, angle: float) -> bool:
    """True when a ``length × width`` rectangle with its long side at ``angle`` fits inside ``poly``.

    Exact polygon test: with the rectangle ``R`` axis-aligned (``poly`` rotated by ``-angle``), the positions
    ``t`` with ``t + R ⊂ poly`` are ``poly \\ ∪_e hull(e ⊕ (−R))`` over all boundary edges ``e``.
    """
    q = affinity.rotate(poly, -angle, origin=(0.0, 0.0))
    corners = np.array([[0.0, 0.0], [-length, 0.0], [-length, -width], [0.0, -width]])
    chunks = []
    for part in polygon_parts(q):
        for ring in (part.exterior, *part.interiors):
            c = np.asarray(ring.coords)[:, :2]
            a, b = c[:-1], c[1:]
            chunks.append(np.concatenate([a[:, None, :] + corners[None], b[:, None, :] + corners[None]], axis=1))
    if not chunks:
        return False
    pts = np.concatenate(chunks)
    hulls = shapely.convex_hull(shapely.multipoints(pts))
    free = shapely.difference(q, shapely.union_all(hulls))
    return not free.is_empty and free.area > 0.0


def footprint_fit(
    geom: BaseGeometry,
    *,
    setback_m: float,
    width_m: float,
    length_m: float,
    angle_step_deg: float = ANGLE_STEP_DEG,
) -> FootprintFit:
    """Does a ``width_m × length_m`` footprint fit in ``geom`` after an inward setback of ``setback_m``?

    The plot is shrunk by the setback (mitre joins: a setback line parallel to each boundary).  The search
    tries the directions of the plot's edges and a sweep every ``angle_step_deg`` degrees; each
    orientation is tested exactly (Minkowski erosion), so the only approximation is the angle sweep.

    Parameters
    ----------
    geom : Polygon or MultiPolygon
        The plot, in metres.
    setback_m : float
        Setback from every boundary of the plot (退界), m.
    width_m, length_m : float
        Minimum building footprint (depth × length), m.
    """
    core = shapely.buffer(geom, -setback_m, **_MITRE) if setback_m > 0 else geom
    core_area = float(core.area) if core is not None else 0.0
    if core is None or core.is_empty or core_area <= AREA_EPS:
        return FootprintFit(0.0, 0.0, False, None)
    parts = polygon_parts(core)
    widths = 2.0 * shapely.length(shapely.maximum_inscribed_circle(parts, tolerance=0.001))
    short, long_ = sorted((width_m, length_m))
    short, long_ = max(short - _FIT_EPS, 0.0), max(long_ - _FIT_EPS, 0.0)
    best_w = float(widths.max())
    if best_w < short or core_area < short * long_:
        return FootprintFit(core_area, best_w, False, None)
    for part, w in zip(parts, widths, strict=True):
        if w < short or part.area < short * long_:
            continue
        tried: set[float] = set()
        candidates = _edge_angles(part) + list(np.arange(0.0, 180.0, angle_step_deg))
        for ang in candidates:
            key = round(ang % 180.0, 6)
            if key in tried:
                continue
            tried.add(key)
            if _erosion_nonempty(part, long_, short, key):
                return FootprintFit(core_area, best_w, True, key)
    return FootprintFit(core_area, best_w, False, None)


def _shared_length(geoms: np.ndarray, other: BaseGeometry | None, tol: float) -> np.ndarray:
    """Length (m) of boundary each plot shares with ``other``, gaps up to ``tol`` closed.

    ``shared = (P(a) + P(b) − P(closing(a ∪ b))) / 2``, with ``b`` = ``other`` clipped to a box 1 m around ``a``
    (the clip edges lie on both perimeters and cancel).  Exact for coincident boundaries, unlike a buffer
    test, which adds the ends of the edges that run into the tolerance zone.
    """
    out = np.zeros(len(geoms))
    if other is None or other.is_empty or len(geoms) == 0:
        return out
    shapely.prepare(other)
    near = shapely.dwithin(geoms, other, tol)
    for i in np.flatnonzero(near):
        a = geoms[i]
        x0, y0, x1, y1 = a.bounds
        b = shapely.clip_by_rect(other, x0 - 1.0, y0 - 1.0, x1 + 1.0, y1 + 1.0)
        u = shapely.union(a, b)
        if tol > 0:
            u = shapely.union(shapely.buffer(shapely.buffer(u, tol / 2, **_MITRE), -tol / 2, **_MITRE), u)
        out[i] = max(0.0, (a.length + b.length - u.length) / 2.0)
    return out


def _holes_of(geom: BaseGeometry | None) -> BaseGeometry:
    if geom is None or geom.is_empty:
        return Polygon()
    rings = [Polygon(r) for p in polygon_parts(geom) for r in p.interiors]
    return shapely.union_all(rings) if rings else Polygon()


def classify_scrap(
    scrap: gpd.GeoDataFrame,
    project_land: BaseGeometry,
    *,
    roads: BaseGeometry | None = None,
    corridors: BaseGeometry | None = None,
    force: Iterable[str] = (),
    scrap_max_area_m2: float | None = None,
    min_footprint_width_m: float | None = None,
    min_footprint_length_m: float | None = None,
    own_setback_m: float | None = None,
    interlock_shared_ratio: float | None = None,
    enclosed_shared_ratio: float | None = None,
    snap_tol_m: float | None = None,
    id_field: str = "parcel_id",
    rules: RulePack | None = None,
) -> gpd.GeoDataFrame:
    """Classify candidate scrap plots (边角地 / 夹心地 / 插花地) with the numbers that decided each.

    Parameters
    ----------
    scrap : GeoDataFrame
        Candidate plots (``role = scrap``) with ``parcel_id``; polygons in metres.
    project_land : geometry
        The merged project land (the ``project`` parcels, gaps closed), m.
    roads : geometry, optional
        Union of the road red-line areas (道路红线范围); touching it gives road frontage.
    corridors : geometry, optional
        Union of corridor areas (control lines: green belts, rivers, infrastructure corridors).
    force : iterable of str
        Parcel ids the user forces into the net land although a test fails (run option ``force_scrap``).
    scrap_max_area_m2, min_footprint_width_m, min_footprint_length_m, own_setback_m,
    interlock_shared_ratio, enclosed_shared_ratio, snap_tol_m : float, optional
        Rule numbers (``land.*``); taken from the rule pack when omitted.

    Returns
    -------
    GeoDataFrame
        One row per plot: ``parcel_id``, ``area_m2``, ``below_area``; ``buildable_area_m2``,
        ``inscribed_width_m``, ``footprint_fits``, ``fit_angle_deg``; ``road_frontage_m``,
        ``developable_alone``; ``perimeter_m``, ``shared_m``, ``shared_ratio``, ``hole_ratio``,
        ``corridor_contact_m``; ``relation`` (``jiaxin``/``chahua``/``bianjiao``/``none``) and
        ``relation_zh``; ``eligible`` (all tests pass), ``forced``, ``merged`` (eligible or forced);
        ``reasons_zh``/``reasons_en`` (the failed tests with their numbers, "; "-separated).
    """
    max_area = float(land_param(scrap_max_area_m2, "scrap_max_area_m2", rules))
    fp_w = float(land_param(min_footprint_width_m, "min_footprint_width_m", rules))
    fp_l = float(land_param(min_footprint_length_m, "min_footprint_length_m", rules))
    setback = float(land_param(own_setback_m, "own_setback_m", rules))
    r_inter = float(land_param(interlock_shared_ratio, "interlock_shared_ratio", rules))
    r_encl = float(land_param(enclosed_shared_ratio, "enclosed_shared_ratio", rules))
    tol = float(land_param(snap_tol_m, "snap_tol_m", rules))
    forced_ids = {str(f) for f in force}

    geoms = scrap.geometry.to_numpy()
    ids = scrap[id_field].astype(str).to_numpy()
    n = len(geoms)
    area = shapely.area(geoms) if n else np.empty(0)
    perim = shapely.length(geoms) if n else np.empty(0)

    shared = _shared_length(geoms, project_land, tol)
    frontage = _shared_length(geoms, roads, tol)
    corridor = _shared_length(geoms, corridors, tol)
    holes = _holes_of(project_land)
    hole_area = shapely.area(shapely.intersection(geoms, holes)) if n and not holes.is_empty else np.zeros(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        shared_ratio = np.where(perim > 0, shared / perim, 0.0)
        hole_ratio = np.where(area > 0, hole_area / area, 0.0)

    below = area < max_area
    fits = [footprint_fit(g, setback_m=setback, width_m=fp_w, length_m=fp_l) if b else None for g, b in zip(geoms, below, strict=True)]

    rows: list[dict[str, Any]] = []
    for i in range(n):
        fit = fits[i]
        has_frontage = frontage[i] > tol
        footprint_ok = bool(fit.fits) if fit is not None else True
        developable = footprint_ok and has_frontage
        if hole_ratio[i] >= 0.5 or shared_ratio[i] >= r_encl:
            relation = "jiaxin"
        elif shared_ratio[i] >= r_inter:
            relation = "chahua"
        elif shared[i] > tol and (has_frontage or corridor[i] > tol):
            relation = "bianjiao"
        else:
            relation = "none"
        zh: list[str] = []
        en: list[str] = []
        if not below[i]:
            zh.append(f"面积{area[i]:,.1f} m² 不小于零星地块上限 {max_area:,.0f} m²")
            en.append(f"area {area[i]:,.1f} m² is not below the scrap-plot limit {max_area:,.0f} m²")
        if developable and fit is not None:
            zh.append(
                f"可单独建设：退界{setback:g} m后可布置{fp_w:g}×{fp_l:g} m建筑（方向{fit.angle_deg:.0f}°），且临路{frontage[i]:.1f} m"
            )
            en.append(
                f"developable alone: after {setback:g} m setbacks a {fp_w:g} × {fp_l:g} m footprint fits "
                f"(at {fit.angle_deg:.0f}°) and it has {frontage[i]:.1f} m of road frontage"
            )
        if relation == "none":
            if shared[i] <= tol:
                zh.append("与项目用地不相邻（共边0 m）")
                en.append("not adjacent to the project land (0 m shared boundary)")
            else:
                zh.append(
                    f"与项目用地共边{shared[i]:.1f} m（占周长{shared_ratio[i]:.0%}，小于插花地{r_inter:.0%}），且未被道路或廊道隔断"
                )
                en.append(
                    f"shares {shared[i]:.1f} m with the project land ({shared_ratio[i]:.0%} of its perimeter, below the "
                    f"{r_inter:.0%} of an interlocked plot) and is not cut off by a road or corridor"
                )
        eligible = bool(below[i]) and not developable and relation != "none"
        forced = ids[i] in forced_ids
        if forced and not eligible:
            zh.append("用户强制纳入")
            en.append("forced into the net land by the user")
        rows.append(
            {
                id_field: ids[i],
                "area_m2": float(area[i]),
                "below_area": bool(below[i]),
                "buildable_area_m2": fit.buildable_area_m2 if fit is not None else math.nan,
                "inscribed_width_m": fit.inscribed_width_m if fit is not None else math.nan,
                "footprint_fits": fit.fits if fit is not None else None,
                "fit_angle_deg": fit.angle_deg if fit is not None and fit.angle_deg is not None else math.nan,
                "road_frontage_m": float(frontage[i]),
                "developable_alone": bool(developable),
                "perimeter_m": float(perim[i]),
                "shared_m": float(shared[i]),
                "shared_ratio": float(shared_ratio[i]),
                "hole_ratio": float(hole_ratio[i]),
                "corridor_contact_m": float(corridor[i]),
                "relation": relation,
                "relation_zh": RELATION_ZH[relation],
                "eligible": eligible,
                "forced": forced,
                "merged": eligible or forced,
                "reasons_zh": "；".join(zh),
                "reasons_en": "; ".join(en),
            }
        )
    columns = [
        id_field, "area_m2", "below_area", "buildable_area_m2", "inscribed_width_m", "footprint_fits", "fit_angle_deg",
        "road_frontage_m", "developable_alone", "perimeter_m", "shared_m", "shared_ratio", "hole_ratio",
        "corridor_contact_m", "relation", "relation_zh", "eligible", "forced", "merged", "reasons_zh", "reasons_en",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    return gpd.GeoDataFrame(frame, geometry=list(geoms), crs=scrap.crs)


def scrap_share(
    merged_scrap_area_m2: float,
    merged_area_m2: float,
    *,
    scrap_share_max: float | None = None,
    rules: RulePack | None = None,
) -> dict[str, float | bool]:
    """Share cap of scrap plots in the merged land (LC-04): Σ scrap ≤ ``scrap_share_max`` × merged area.

    Returns ``share`` (fraction), ``limit`` (fraction), ``ok`` and ``excess_m2``: the scrap area (m²) that
    must be left out to meet the cap, ``(S − r·M) / (1 − r)`` (leaving out ``x`` m² lowers both ``S`` and
    ``M``), 0 when within it.
    """
    limit = float(land_param(scrap_share_max, "scrap_share_max", rules))
    share = merged_scrap_area_m2 / merged_area_m2 if merged_area_m2 > 0 else 0.0
    over = merged_scrap_area_m2 - limit * merged_area_m2
    excess = max(0.0, over / (1.0 - limit)) if limit < 1.0 else 0.0
    return {"share": share, "limit": limit, "ok": share <= limit + 1e-12, "excess_m2": excess}
