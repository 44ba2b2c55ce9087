"""Coordinate reference systems for Chinese sites (CGCS2000 Gauss-Krüger) and their traps.

Conventions: every transformer is built with ``always_xy=True`` (x = easting / longitude,
y = northing / latitude), whatever the axis order the EPSG definition declares (Chinese
survey CRSs are defined north-first).  Angles are degrees clockwise from true north.

The rules enforced here (``SITE_SCHEMA.md`` §Coordinates, ``RULES.md`` §7):

- a projected CRS in metres is required; geographic input (EPSG:4326/4490) is projected
  to the CGCS2000 3° GK zone of the site centroid (EPSG:4534–4554 by central meridian);
- zone-prefixed eastings (EPSG:4513–4533, e.g. 29 548 285 m) must match the stated CRS;
- legacy datums (Xian 1980, Beijing 1954, New Beijing) that PROJ can only transform with a
  "Ballpark" offset are refused: the shift is tens of metres.
"""

from __future__ import annotations

import math

import numpy as np
from pyproj import CRS, Geod, Transformer
from pyproj.transformer import TransformerGroup

__all__ = [
    "CGCS2000",
    "gk3_epsg_for_lon",
    "gk3_zone_prefixed_epsg",
    "false_easting",
    "legacy_datum_reason",
    "prefix_problem",
    "to_lonlat",
    "grid_north_azimuth_deg",
    "is_metric_projected",
]

CGCS2000 = CRS.from_epsg(4490)
_LEGACY_DATUM_WORDS = ("xian 1980", "beijing 1954", "new beijing", "krassowsky", "iag 1975")


def gk3_epsg_for_lon(lon: float) -> int:
    """EPSG code of the CGCS2000 3° Gauss-Krüger CRS (central-meridian form) for a longitude.

    Central meridians are multiples of 3° from 75°E to 135°E (EPSG:4534–4554).

    >>> gk3_epsg_for_lon(87.6)
    4538
    >>> gk3_epsg_for_lon(120.15)
    4549
    """
    cm = 3 * round(lon / 3.0)
    if not 75 <= cm <= 135:
        raise ValueError(f"longitude {lon:.3f}° is outside the CGCS2000 3° GK zones (75°E–135°E)")
    return 4534 + (cm - 75) // 3


def gk3_zone_prefixed_epsg(zone: int) -> int | None:
    """EPSG code of the CGCS2000 3° GK CRS with zone-prefixed eastings (zones 25–45 → 4513–4533)."""
    return 4513 + (zone - 25) if 25 <= zone <= 45 else None


def false_easting(crs: CRS) -> float | None:
    """False easting of a projected CRS in metres, or None when it has none."""
    op = crs.coordinate_operation
    if op is None:
        return None
    for p in op.params:
        if p.name.lower() == "false easting":
            return float(p.value)
    return None


def is_metric_projected(crs: CRS) -> bool:
    """True for a projected CRS whose horizontal axes are in metres."""
    return bool(crs.is_projected) and all(
        (a.unit_name or "").lower() in {"metre", "meter", "m"} for a in crs.axis_info[:2]
    )


def legacy_datum_reason(crs: CRS) -> str | None:
    """Why a CRS on a legacy Chinese datum cannot be used, or None if it can.

    A CRS is refused when its datum is Xian 1980 / Beijing 1954 / New Beijing (or their
    Krassowsky / IAG 1975 ellipsoids) and the best transformation PROJ knows to CGCS2000 is
    only a "Ballpark" offset (no real datum shift).
    """
    geodetic = crs.geodetic_crs
    if geodetic is None:
        return None
    datum = (geodetic.datum.name or "").lower()
    ellipsoid = (geodetic.ellipsoid.name or "").lower() if geodetic.ellipsoid else ""
    if not any(w in datum or w in ellipsoid for w in _LEGACY_DATUM_WORDS):
        return None
    group = TransformerGroup(crs, CGCS2000, always_xy=True)
    descriptions = [t.description for t in group.transformers]
    if not descriptions or all("ballpark" in d.lower() for d in descriptions):
        return f"datum {geodetic.datum.name}: PROJ only knows a 'Ballpark' offset to CGCS2000 (errors of tens of metres)"
    return None


def prefix_problem(crs: CRS, min_x: float, max_x: float, min_y: float) -> str | None:
    """Check eastings against the zone prefix of the stated CRS.

    Returns a sentence describing the contradiction, or None when the coordinates agree
    with the CRS.  Eastings above 10⁶ m carry a zone prefix (29 548 285 m = zone 29).
    """
    fe = false_easting(crs)
    if fe is None:
        return None
    stated_zone = int(fe // 1_000_000) if fe >= 1_000_000 else None
    if 1_000_000 <= min_x < 10_000_000 and min_y < 1_000_000:
        return (f"x values ({min_x:,.0f}…) look like northings and y values ({min_y:,.0f}…) like eastings: "
                "X and Y appear swapped (Chinese survey tables list X = north first)")
    data_zone = int(min_x // 1_000_000) if min_x >= 1_000_000 else None
    if data_zone is not None and int(max_x // 1_000_000) != data_zone:
        return f"eastings span several zone prefixes ({min_x:,.0f} to {max_x:,.0f})"
    if stated_zone is None and data_zone is not None:
        epsg = gk3_zone_prefixed_epsg(data_zone)
        hint = f"; the matching CRS is EPSG:{epsg}" if epsg else ""
        return f"eastings ({min_x:,.0f}…) carry the zone prefix {data_zone}, but {crs.name} has none{hint}"
    if stated_zone is not None and data_zone is None:
        return f"{crs.name} expects eastings with the zone prefix {stated_zone} (≈{stated_zone}xxxxxx m) but they are {min_x:,.0f}…"
    if stated_zone is not None and data_zone is not None and stated_zone != data_zone:
        epsg = gk3_zone_prefixed_epsg(data_zone)
        hint = f"; the matching CRS is EPSG:{epsg}" if epsg else ""
        return f"eastings carry zone prefix {data_zone} but {crs.name} is zone {stated_zone}{hint}"
    return None


def to_lonlat(x: np.ndarray, y: np.ndarray, crs: CRS) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude (degrees, CGCS2000) of projected coordinates."""
    t = Transformer.from_crs(crs, CGCS2000, always_xy=True)
    lon, lat = t.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(lon), np.asarray(lat)


def grid_north_azimuth_deg(crs: CRS, x: float, y: float) -> float:
    """Azimuth of grid north (+y axis) at (x, y), in degrees clockwise from true north.

    Positive east of the central meridian in the northern hemisphere (grid north points a
    little east of true north there).  A sun azimuth ``A`` (true) becomes the grid azimuth
    ``A - grid_north_azimuth_deg``.
    """
    lon, lat = to_lonlat(np.array([x, x]), np.array([y, y + 100.0]), crs)
    geod = Geod(ellps="GRS80")
    az, _, _ = geod.inv(lon[0], lat[0], lon[1], lat[1])
    return float(az if not math.isnan(az) else 0.0)
