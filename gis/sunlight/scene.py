"""Obstruction scene: buildings as extruded prisms (挤出体) for the sunlight kernels.

A building is a vertical prism over its footprint from the ground up to the roof at
``base_elev_m + height_m`` (m, site vertical datum).  Below its base the prism is taken to
continue down (a building on higher ground brings its ground with it), so a sun ray is
blocked by a building iff it crosses one of the footprint's edges at a height below the
roof.  Footprint holes (courtyards) and multipart footprints are kept: every ring edge is
an edge of the prism.

Coordinates are those of the site CRS (projected, metres).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

__all__ = ["Prisms", "prisms_from_buildings", "prisms_to_triangles"]


@dataclass(frozen=True)
class Prisms:
    """Edges of extruded footprints, as flat arrays for numba kernels.

    Attributes
    ----------
    ax, ay, bx, by : ndarray of float64, shape (n_edges,)
        Edge end points (m), in ring order.  Edges are oriented so that the building's
        interior is on the **left** of A→B (exterior rings counter-clockwise, holes clockwise).
    edge_building : ndarray of int64, shape (n_edges,)
        Index of the edge's building in ``building_ids``.
    building_ids : ndarray of object, shape (n_buildings,)
        The buildings' ids.
    top : ndarray of float64, shape (n_buildings,)
        Roof elevation (m).
    base : ndarray of float64, shape (n_buildings,)
        Ground elevation (m) at the building.
    cx, cy, radius : ndarray of float64, shape (n_buildings,)
        Bounding circle of each footprint (m), for culling.
    edge_start : ndarray of int64, shape (n_buildings + 1,)
        Edges of building ``i`` are ``edge_start[i]:edge_start[i+1]``.
    """

    ax: np.ndarray
    ay: np.ndarray
    bx: np.ndarray
    by: np.ndarray
    edge_building: np.ndarray
    building_ids: np.ndarray
    top: np.ndarray
    base: np.ndarray
    cx: np.ndarray
    cy: np.ndarray
    radius: np.ndarray
    edge_start: np.ndarray

    @property
    def n_buildings(self) -> int:
        return len(self.building_ids)

    @property
    def n_edges(self) -> int:
        return len(self.ax)

    def subset(self, mask: np.ndarray) -> Prisms:
        """Prisms of the buildings selected by a boolean mask or an index array."""
        idx = np.arange(self.n_buildings)[mask] if np.asarray(mask).dtype == bool else np.asarray(mask)
        counts = np.diff(self.edge_start)[idx]
        e_idx = (
            np.concatenate([np.arange(self.edge_start[i], self.edge_start[i + 1]) for i in idx])
            if len(idx)
            else np.zeros(0, dtype=np.int64)
        )
        return Prisms(
            ax=self.ax[e_idx], ay=self.ay[e_idx], bx=self.bx[e_idx], by=self.by[e_idx],
            edge_building=np.repeat(np.arange(len(idx)), counts).astype(np.int64),
            building_ids=self.building_ids[idx], top=self.top[idx], base=self.base[idx],
            cx=self.cx[idx], cy=self.cy[idx], radius=self.radius[idx],
            edge_start=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        )

    def with_heights(self, heights: dict[object, float] | pd.Series) -> Prisms:
        """Copy with new roof elevations ``base + height`` for the given building ids (m)."""
        top = self.top.copy()
        pos = {b: i for i, b in enumerate(self.building_ids)}
        for b, h in dict(heights).items():
            top[pos[b]] = self.base[pos[b]] + float(h)
        return Prisms(self.ax, self.ay, self.bx, self.by, self.edge_building, self.building_ids, top,
                      self.base, self.cx, self.cy, self.radius, self.edge_start)

    @staticmethod
    def concat(parts: list[Prisms]) -> Prisms:
        """All buildings of several prism sets (ids are kept as given)."""
        parts = [p for p in parts if p.n_buildings]
        if not parts:
            return _empty()
        offs = np.cumsum([0] + [p.n_buildings for p in parts[:-1]])
        eoffs = np.cumsum([0] + [p.n_edges for p in parts[:-1]])
        return Prisms(
            ax=np.concatenate([p.ax for p in parts]), ay=np.concatenate([p.ay for p in parts]),
            bx=np.concatenate([p.bx for p in parts]), by=np.concatenate([p.by for p in parts]),
            edge_building=np.concatenate([p.edge_building + o for p, o in zip(parts, offs, strict=True)]),
            building_ids=np.concatenate([p.building_ids for p in parts]),
            top=np.concatenate([p.top for p in parts]), base=np.concatenate([p.base for p in parts]),
            cx=np.concatenate([p.cx for p in parts]), cy=np.concatenate([p.cy for p in parts]),
            radius=np.concatenate([p.radius for p in parts]),
            edge_start=np.concatenate(
                [[0]] + [p.edge_start[1:] + o for p, o in zip(parts, eoffs, strict=True)]
            ).astype(np.int64),
        )


def _empty() -> Prisms:
    f = np.zeros(0)
    return Prisms(f, f, f, f, np.zeros(0, np.int64), np.zeros(0, object), f, f, f, f, f, np.zeros(1, np.int64))


def prisms_from_buildings(
    buildings: pd.DataFrame,
    *,
    id_col: str = "building_id",
    height_col: str = "height_m",
    base_col: str = "base_elev_m",
) -> Prisms:
    """Extruded prisms from building footprints.

    Parameters
    ----------
    buildings : geopandas.GeoDataFrame
        Footprint polygons (m) with an id, a height above ground ``height_col`` (m) and a
        ground elevation ``base_col`` (m; 0 when the column is absent).
    id_col, height_col, base_col : str
        Column names.

    Returns
    -------
    Prisms
    """
    if len(buildings) == 0:
        return _empty()
    geoms = shapely.orient_polygons(np.asarray(buildings.geometry.values), exterior_cw=False)
    heights = pd.to_numeric(buildings[height_col], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(heights) | (heights <= 0)
    if bad.any():
        ids = list(buildings[id_col].to_numpy()[bad][:5])
        raise ValueError(
            f"layer 'buildings': building(s) {ids} have no positive '{height_col}'; "
            "give height_m or floors so the sunlight scene can extrude them"
        )
    base = (
        pd.to_numeric(buildings[base_col], errors="coerce").fillna(0.0).to_numpy(dtype=float)
        if base_col in buildings
        else np.zeros(len(buildings))
    )
    # ring -> part -> building
    parts, part_idx = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    ring_bld = part_idx[ring_part]
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    # edges between consecutive coordinates of the same ring (rings are closed)
    same = coord_ring[:-1] == coord_ring[1:]
    a = coords[:-1][same]
    b = coords[1:][same]
    e_bld = ring_bld[coord_ring[:-1][same]]
    keep = np.any(a != b, axis=1)
    a, b, e_bld = a[keep], b[keep], e_bld[keep]
    order = np.argsort(e_bld, kind="stable")
    a, b, e_bld = a[order], b[order], e_bld[order]
    n = len(buildings)
    counts = np.bincount(e_bld, minlength=n)
    bounds = shapely.bounds(geoms)
    cx = 0.5 * (bounds[:, 0] + bounds[:, 2])
    cy = 0.5 * (bounds[:, 1] + bounds[:, 3])
    radius = 0.5 * np.hypot(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
    return Prisms(
        ax=a[:, 0].copy(), ay=a[:, 1].copy(), bx=b[:, 0].copy(), by=b[:, 1].copy(),
        edge_building=e_bld.astype(np.int64),
        building_ids=np.asarray(buildings[id_col].to_numpy(), dtype=object),
        top=base + heights, base=base, cx=cx, cy=cy, radius=radius,
        edge_start=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
    )


def prisms_to_triangles(
    prisms: Prisms, footprints: list | np.ndarray, *, floor_z: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Triangle mesh of the prisms (walls, roofs, floors) for ray tracers such as Embree.

    Parameters
    ----------
    prisms : Prisms
    footprints : sequence of shapely polygons
        The footprints, in the order of ``prisms.building_ids``.
    floor_z : float, optional
        Elevation of the prisms' bottoms (m); default 1 m below the lowest base, which
        reproduces the "prism continues down" model for rays that start above it.

    Returns
    -------
    vertices : ndarray (n, 3, 3) float64 (shift to a local origin before casting to float32)
        Triangles.
    tri_building : ndarray (n,) int64
        Building index of each triangle.
    """
    z0 = (float(prisms.base.min()) - 1.0) if floor_z is None else floor_z
    tris = []
    owner = []
    # walls: two triangles per edge
    ztop = prisms.top[prisms.edge_building]
    a0 = np.column_stack([prisms.ax, prisms.ay, np.full(prisms.n_edges, z0)])
    b0 = np.column_stack([prisms.bx, prisms.by, np.full(prisms.n_edges, z0)])
    a1 = np.column_stack([prisms.ax, prisms.ay, ztop])
    b1 = np.column_stack([prisms.bx, prisms.by, ztop])
    tris.append(np.stack([a0, b0, b1], axis=1))
    tris.append(np.stack([a0, b1, a1], axis=1))
    owner += [prisms.edge_building, prisms.edge_building]
    # roofs and floors from a constrained triangulation of each footprint
    for i, poly in enumerate(footprints):
        tri = shapely.constrained_delaunay_triangles(poly)
        for t in shapely.get_parts(tri):
            xy = shapely.get_coordinates(t)[:3]
            for z in (prisms.top[i], z0):
                tris.append(np.column_stack([xy, np.full(3, z)])[None])
                owner.append(np.array([i]))
    return np.concatenate(tris).astype(np.float64), np.concatenate(owner).astype(np.int64)
