"""Ground sunlight hours on a grid (场地日照时数) and the concentrated-green check.

GB 50180-2018 4.0.7: in a 居住街坊 at least 1/3 of the concentrated green space (集中绿地)
must lie outside the standard shadow line (标准日照阴影线), i.e. receive at least the
standard hours (``min_hours``) on the standard day.  The ground is sampled at cell centres
``ground_grid_m`` apart, at the ground elevation, with the same occlusion kernel and
segment rules as windows (no 满窗 / sweep rule: a ground point has no wall).

Units: hours (h), metres (m), areas in m².
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from gis.sunlight.hours import segment_minutes
from gis.sunlight.occlusion import SunSteps, candidate_points, horizon
from gis.sunlight.scene import Prisms

__all__ = ["GroundGrid", "ground_grid", "ground_hours", "green_outside_shadow"]


@dataclass(frozen=True)
class GroundGrid:
    """A north-up grid of cell centres over the site (in the site CRS).

    Attributes
    ----------
    x0, y1 : float
        Upper-left corner (m).
    cell : float
        Cell size (m).
    nx, ny : int
        Columns and rows (row 0 is the northern edge).
    """

    x0: float
    y1: float
    cell: float
    nx: int
    ny: int

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Cell-centre coordinates, arrays of shape (ny, nx)."""
        xs = self.x0 + (np.arange(self.nx) + 0.5) * self.cell
        ys = self.y1 - (np.arange(self.ny) + 0.5) * self.cell
        return np.meshgrid(xs, ys)


def ground_grid(area: shapely.Geometry, *, cell_m: float, margin_m: float = 0.0) -> GroundGrid:
    """Grid covering ``area`` (e.g. the project parcels) plus a margin, ``cell_m`` metres."""
    x0, y0, x1, y1 = area.buffer(margin_m).bounds
    nx = max(1, int(np.ceil((x1 - x0) / cell_m)))
    ny = max(1, int(np.ceil((y1 - y0) / cell_m)))
    return GroundGrid(float(x0), float(y1), float(cell_m), nx, ny)


def ground_hours(
    grid: GroundGrid,
    fixed: Prisms,
    site: Prisms,
    sun: SunSteps,
    footprints: list,
    *,
    ground_z: float = 0.0,
    step_min: float,
    accumulation: str,
    n_segments: int,
    min_segment_min: float,
    h_fixed: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Sunlight hours at the ground cell centres for one scenario.

    Parameters
    ----------
    grid : GroundGrid
    fixed, site : Prisms
        Unchanged buildings and the scenario's site massing.
    sun : SunSteps
    footprints : list of shapely geometry
        Footprints of the scenario's buildings; cells whose centre is inside are ``nan``.
    ground_z : float
        Elevation of the ground points (m).
    h_fixed : ndarray, optional
        Cached horizon of ``fixed`` for the cells (from a previous call), shape (ny·nx, T).

    Returns
    -------
    hours : ndarray (ny, nx) float64
        Hours, ``nan`` under buildings.
    h_fixed : ndarray
        The fixed horizon, to pass back for the other scenario.
    """
    X, Y = grid.centres()
    xyz = np.column_stack([X.ravel(), Y.ravel(), np.full(X.size, ground_z)])
    if h_fixed is None:
        h_fixed = horizon(xyz, fixed, sun)
    up = sun.tan_alt > 0
    lit = ~(h_fixed > sun.tan_alt[None, :]) & up[None, :]
    c = candidate_points(xyz, site, sun)
    if c.any():
        lit[c] &= ~(horizon(xyz[c], site, sun) > sun.tan_alt[None, :])
    minutes = segment_minutes(lit, step_min=step_min, accumulation=accumulation, n_segments=n_segments,
                              min_segment_min=min_segment_min)
    hours = minutes / 60.0
    if footprints:
        under = shapely.contains_xy(shapely.union_all(footprints), xyz[:, 0], xyz[:, 1])
        hours[under] = np.nan
    return hours.reshape(grid.ny, grid.nx), h_fixed


def green_outside_shadow(grid: GroundGrid, hours: np.ndarray, green: gpd.GeoDataFrame, *, min_hours: float
                         ) -> np.ndarray:
    """Share of each green polygon's cells that get at least ``min_hours`` (0–1; nan if no cell).

    Parameters
    ----------
    grid : GroundGrid
    hours : ndarray (ny, nx)
        From :func:`ground_hours`.
    green : GeoDataFrame
        集中绿地 polygons.
    min_hours : float
        The standard (h): a cell with at least this many hours lies outside the standard shadow line.
    """
    X, Y = grid.centres()
    out = np.full(len(green), np.nan)
    for i, g in enumerate(green.geometry):
        inside = shapely.contains_xy(g, X, Y)
        if inside.any():
            v = hours[inside]
            v = v[np.isfinite(v)]
            out[i] = float((v >= min_hours - 1e-9).mean()) if len(v) else np.nan
    return out
