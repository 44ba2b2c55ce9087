"""Shadow outlines on the ground at chosen times (逐时阴影, for the map's time slider).

The shadow of a prism of roof elevation ``top`` on ground at ``ground_z`` is the Minkowski
sum of its footprint with the segment from 0 to ``L·(−u)``, ``L = (top − ground_z)/tan α``:
the union of the footprint and, for every edge, the quadrilateral it sweeps.

Units: metres in the site grid; times in true solar time (h).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pvlib
import shapely

from gis.sunlight.solar import SunPath, tst_to_utc

_COLS = ["scene", "tst", "bjt", "building_id", "altitude_deg", "azimuth_deg"]

__all__ = ["shadow_polygons", "shadow_outlines"]


def shadow_polygons(footprints, tops: np.ndarray, *, ux: float, uy: float, tan_alt: float,
                    ground_z: float = 0.0) -> np.ndarray:
    """Ground shadow polygon of each footprint for one sun direction.

    Parameters
    ----------
    footprints : array of shapely polygons
    tops : ndarray
        Roof elevations (m).
    ux, uy : float
        Horizontal unit vector towards the sun (grid frame).
    tan_alt : float
        tan(sun altitude) > 0.
    ground_z : float
        Ground elevation of the shadow plane (m).
    """
    out = []
    for fp, top in zip(footprints, tops, strict=True):
        length = max(0.0, (float(top) - ground_z) / tan_alt)
        dx, dy = -ux * length, -uy * length
        pieces = [fp]
        for ring in [fp.exterior] if fp.geom_type == "Polygon" else [p.exterior for p in fp.geoms]:
            xy = shapely.get_coordinates(ring)
            a, b = xy[:-1], xy[1:]
            quads = np.stack([a, b, b + [dx, dy], a + [dx, dy], a], axis=1)
            pieces.extend(shapely.polygons(quads))
        out.append(shapely.union_all(shapely.make_valid(np.array(pieces, dtype=object))))
    return np.array(out, dtype=object)


def shadow_outlines(
    buildings: gpd.GeoDataFrame,
    path: SunPath,
    *,
    tst_hours: list[float],
    grid_north_azimuth_deg: float = 0.0,
    ground_z: float = 0.0,
    scene: str = "",
    dissolve: bool = True,
) -> gpd.GeoDataFrame:
    """Shadow outlines at chosen true-solar times (sun positions from SPA at those instants).

    Parameters
    ----------
    buildings : GeoDataFrame
        Footprints with ``building_id``, ``height_m`` and ``base_elev_m``.
    path : SunPath
        Gives the day, the site and the refraction switch.
    tst_hours : list of float
        True solar times (h), e.g. ``[9, 10, …, 15]``; times with the sun below the horizon
        give no outline.
    scene : str
        Label written to the ``scene`` column ("before"/"after").
    dissolve : bool
        One outline per time (union of all buildings) instead of one per building.

    Returns
    -------
    GeoDataFrame
        ``scene``, ``tst`` ("HH:MM"), ``bjt`` (Beijing time "HH:MM"), ``building_id`` (None when
        dissolved), ``altitude_deg``, ``azimuth_deg``; geometry = shadow polygon.
    """
    tops = (pd.to_numeric(buildings.get("base_elev_m", 0.0), errors="coerce").fillna(0.0).to_numpy()
            + buildings["height_m"].to_numpy(float)) if len(buildings) else np.zeros(0)
    rows, geoms = [], []
    hours = np.asarray(tst_hours, dtype=float)
    if len(hours) == 0:
        return gpd.GeoDataFrame(pd.DataFrame(rows, columns=_COLS), geometry=[], crs=buildings.crs)
    # exact SPA positions at the requested instants (not interpolated: times outside the band are valid)
    utc = tst_to_utc(path.date, hours, lon=path.lon, lat=path.lat)
    sp = pvlib.solarposition.spa_python(utc, path.lat, path.lon)
    alts = sp["apparent_elevation" if path.refraction else "elevation"].to_numpy()
    azs = sp["azimuth"].to_numpy()
    bjts = utc.tz_convert("Asia/Shanghai").strftime("%H:%M")
    for h, alt, az, bjt in zip(hours, alts, azs, bjts, strict=True):
        alt, az = float(alt), float(az)
        if alt <= 0 or len(buildings) == 0:
            continue
        a = np.radians(az - grid_north_azimuth_deg)
        polys = shadow_polygons(buildings.geometry.to_numpy(), tops, ux=np.sin(a), uy=np.cos(a),
                                tan_alt=np.tan(np.radians(alt)), ground_z=ground_z)
        m = int(round(h * 60.0))
        label = f"{m // 60:02d}:{m % 60:02d}"
        if dissolve:
            rows.append((scene, label, bjt, None, alt, az))
            geoms.append(shapely.union_all(polys))
        else:
            for bid, g in zip(buildings["building_id"], polys, strict=True):
                rows.append((scene, label, bjt, bid, alt, az))
                geoms.append(g)
    frame = pd.DataFrame(rows, columns=_COLS)
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=buildings.crs)
