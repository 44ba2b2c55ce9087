"""Occlusion kernels: is the sun visible from a sample point at a time step (遮挡判断)?

Model (see :mod:`gis.sunlight.scene`): buildings are prisms that reach down below their
base, so the ray from point ``P`` (height ``z``) towards the sun (horizontal unit vector
``u``, altitude ``α``) is blocked by building ``b`` iff it crosses an edge of ``b``'s footprint
at horizontal distance ``s > 0`` with ``(top_b − z) / s > tan α``.

The quantity ``(top_b − z)/s`` is the tangent of the obstruction's elevation seen from the
point in the sun's direction.  Its maximum over all crossings is the **horizon** ``H[p, t]``
(遮挡高度角正切); a step is blocked iff ``H > tan α``.  Storing ``H`` per point and step lets
before/after scenarios be composed by ``max`` (context + site massing) without re-tracing.

The fast kernel (:func:`horizon`) is edge-first: for each point it enumerates the
candidate buildings (distance and azimuth culling), keeps only the edges that face the
point (the first crossing of a footprint is always through such an edge), finds the time
steps whose sun azimuth falls inside the edge's angular span by binary search, and runs the
exact crossing test only there.  Culling is conservative and the crossing arithmetic is
the same as in the brute-force reference (:func:`blocked_bruteforce`), so the lit/blocked
matrices are identical.

Angles are handled in the site grid; sun directions come from
:meth:`gis.sunlight.solar.SunPath.direction_grid`.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from gis.sunlight.scene import Prisms

__all__ = [
    "SunSteps",
    "sun_steps",
    "horizon",
    "critical_height",
    "blocked_bruteforce",
    "candidate_points",
]

_EPS_ANGLE = 1e-7  # rad; widening of an edge's angular span (conservative culling)


class SunSteps:
    """Sun directions prepared for the kernels (grid frame, sorted by azimuth).

    Parameters
    ----------
    ux, uy : ndarray (T,)
        Horizontal unit vector towards the sun in the site grid.
    tan_alt : ndarray (T,)
        tan(altitude); ``-inf`` (or ≤ 0) when the sun is below the horizon.
    """

    def __init__(self, ux: np.ndarray, uy: np.ndarray, tan_alt: np.ndarray) -> None:
        self.ux = np.ascontiguousarray(ux, dtype=np.float64)
        self.uy = np.ascontiguousarray(uy, dtype=np.float64)
        self.tan_alt = np.ascontiguousarray(tan_alt, dtype=np.float64)
        ang = np.arctan2(self.ux, self.uy)
        # reference direction: circular mean of the sun directions above the horizon
        up = self.tan_alt > 0
        if up.any():
            self.ref = float(np.arctan2(self.ux[up].sum(), self.uy[up].sum()))
        else:
            self.ref = 0.0
        rel = _wrap(ang - self.ref)
        self.order = np.argsort(rel, kind="stable").astype(np.int64)
        self.rel_sorted = rel[self.order]
        pos = self.tan_alt[up]
        self.tan_min = float(pos.min()) if up.any() else np.inf
        self.rel_min = float(rel[up].min()) if up.any() else 0.0
        self.rel_max = float(rel[up].max()) if up.any() else 0.0
        self.rmq = _sparse_min(np.where(self.tan_alt[self.order] > 0, self.tan_alt[self.order], np.inf))

    def __len__(self) -> int:
        return len(self.ux)


def sun_steps(sun_path, grid_north_azimuth_deg: float = 0.0, *, min_altitude_deg: float = 0.0) -> SunSteps:
    """:class:`SunSteps` from a :class:`~gis.sunlight.solar.SunPath`.

    Steps with the sun below ``max(0, min_altitude_deg)`` get ``tan_alt = -inf`` (never lit).
    """
    ux, uy = sun_path.direction_grid(grid_north_azimuth_deg)
    t = sun_path.tan_alt.copy()
    t[sun_path.altitude < max(0.0, min_altitude_deg)] = -np.inf
    return SunSteps(ux, uy, t)


def _wrap(a: np.ndarray) -> np.ndarray:
    return (a + np.pi) % (2 * np.pi) - np.pi


def _sparse_min(v: np.ndarray) -> np.ndarray:
    """Sparse table for O(1) range minima: ``table[j, i] = min(v[i : i + 2**j])``."""
    n = len(v)
    levels = max(1, int(np.floor(np.log2(max(n, 1)))) + 1)
    table = np.full((levels, max(n, 1)), np.inf)
    table[0, :n] = v
    for j in range(1, levels):
        w = 1 << (j - 1)
        table[j, : n - 2 * w + 1] = np.minimum(table[j - 1, : n - 2 * w + 1], table[j - 1, w : n - w + 1])
    return table


@nb.njit(cache=True, inline="always")
def _rmq(table, k0, k1):
    """min of the tabled values over sorted steps k0 .. k1-1 (inf if empty)."""
    if k1 <= k0:
        return np.inf
    j = 0
    while (2 << j) <= k1 - k0:
        j += 1
    a = table[j, k0]
    b = table[j, k1 - (1 << j)]
    return a if a < b else b


@nb.njit(cache=True)
def _span_min_tan(rel_sorted, rmq, lo, hi):
    """Least tan(altitude) of the lit-able steps whose relative azimuth lies in [lo, hi] (rad, hi − lo < 2π).

    Steps with the sun below the horizon / minimum altitude count as ``inf`` (they are never lit).
    The span is widened by ``_EPS_ANGLE`` on both sides and may wrap through ±π.
    """
    n = len(rel_sorted)
    lo = lo - _EPS_ANGLE
    hi = hi + _EPS_ANGLE
    if hi - lo >= 2.0 * math.pi:
        return _rmq(rmq, 0, n)
    # bring lo into [-π, π)
    while lo < -math.pi:
        lo += 2.0 * math.pi
        hi += 2.0 * math.pi
    while lo >= math.pi:
        lo -= 2.0 * math.pi
        hi -= 2.0 * math.pi
    k0 = np.searchsorted(rel_sorted, lo)
    if hi <= math.pi:
        k1 = np.searchsorted(rel_sorted, hi, side="right")
        return _rmq(rmq, k0, k1)
    m = _rmq(rmq, k0, n)
    k1 = np.searchsorted(rel_sorted, hi - 2.0 * math.pi, side="right")
    m2 = _rmq(rmq, 0, k1)
    return m if m < m2 else m2


@nb.njit(cache=True, inline="always")
def _wrapf(a: float) -> float:
    return (a + math.pi) % (2.0 * math.pi) - math.pi


@nb.njit(cache=True)
def _point_edge_dist(px, py, ax, ay, bx, by):
    ex = bx - ax
    ey = by - ay
    l2 = ex * ex + ey * ey
    t = ((px - ax) * ex + (py - ay) * ey) / l2 if l2 > 0 else 0.0
    if t < 0.0:
        t = 0.0
    elif t > 1.0:
        t = 1.0
    dx = ax + t * ex - px
    dy = ay + t * ey - py
    return math.sqrt(dx * dx + dy * dy)


@nb.njit(cache=True)
def _update_range(out, p, k0, k1, order, ux, uy, tan_alt, px, py, pz, ax, ay, ex, ey, top, base, hmax, mode):
    """Exact crossing test of one edge for sorted steps k0..k1-1, updating out[p, :]."""
    wx = ax - px
    wy = ay - py
    wxe = wx * ey - wy * ex
    for k in range(k0, k1):
        t = order[k]
        ta = tan_alt[t]
        if not ta > 0.0:
            continue
        if ta >= hmax:  # even the nearest point of the edge is too low (mode 1: G > h_search)
            continue
        denom = ux[t] * ey - uy[t] * ex
        if denom == 0.0:
            continue
        s = wxe / denom
        if not s > 0.0:
            continue
        r = (wx * uy[t] - wy * ux[t]) / denom
        if r < 0.0 or r > 1.0:
            continue
        if mode == 0:
            h = (top - pz) / s
            if h > out[p, t]:
                out[p, t] = h
        else:
            g = pz + s * ta - base
            if g < out[p, t]:
                out[p, t] = g


@nb.njit(cache=True, inline="always")
def _cannot_block(dz, dmin, tmin):
    """True when a rise ``dz`` at distance ≥ ``dmin`` stays below every sun tangent ≥ ``tmin``."""
    return tmin * dmin >= dz * (1.0 + 1e-9) + 1e-12


@nb.njit(cache=True)
def _point_kernel(out, row, px, py, pz, cand, n_cand, cx, cy, rad, top, base, estart,
                  eax, eay, ebx, eby, rel_sorted, order, ux, uy, tan_alt, ref, rmq, tan_min, mode, h_search):
    n_steps = len(rel_sorted)
    for ci in range(n_cand):
        b = cand[ci]
        tb = top[b] if mode == 0 else base[b] + h_search
        dz = tb - pz
        if not dz > 0.0:
            continue
        dxc = cx[b] - px
        dyc = cy[b] - py
        dc = math.sqrt(dxc * dxc + dyc * dyc)
        dmin = dc - rad[b] * 1.0000001 - 1e-9
        if dmin > 0.0:
            if _cannot_block(dz, dmin, tan_min):
                continue
            # least sun tangent over the building's angular span
            half = math.asin(min(1.0, rad[b] / dc)) + 1e-6
            cang = math.atan2(dxc, dyc) - ref
            if _cannot_block(dz, dmin, _span_min_tan(rel_sorted, rmq, cang - half, cang + half)):
                continue
        for e in range(estart[b], estart[b + 1]):
            ax = eax[e]
            ay = eay[e]
            ex = ebx[e] - ax
            ey = eby[e] - ay
            # front-facing: interior is on the left of A->B, the point must be strictly right
            if ex * (py - ay) - ey * (px - ax) >= 0.0:
                continue
            d = _point_edge_dist(px, py, ax, ay, ebx[e], eby[e])
            if d > 0.0 and _cannot_block(dz, d, tan_min):
                continue
            hmax = (dz / d) * (1.0 + 1e-9) + 1e-12 if d > 0 else np.inf
            ta_ = _wrapf(math.atan2(ax - px, ay - py) - ref)
            tb_ = _wrapf(math.atan2(ebx[e] - px, eby[e] - py) - ref)
            lo = min(ta_, tb_)
            hi = max(ta_, tb_)
            if hi - lo <= math.pi:
                if _span_min_tan(rel_sorted, rmq, lo, hi) >= hmax:
                    continue
                k0 = np.searchsorted(rel_sorted, lo - _EPS_ANGLE)
                k1 = np.searchsorted(rel_sorted, hi + _EPS_ANGLE, side="right")
                _update_range(out, row, k0, k1, order, ux, uy, tan_alt, px, py, pz, ax, ay, ex, ey,
                              tb, base[b], hmax, mode)
            else:  # the span wraps through the back direction
                if _span_min_tan(rel_sorted, rmq, hi, lo + 2.0 * math.pi) >= hmax:
                    continue
                k1 = np.searchsorted(rel_sorted, lo + _EPS_ANGLE, side="right")
                _update_range(out, row, 0, k1, order, ux, uy, tan_alt, px, py, pz, ax, ay, ex, ey,
                              tb, base[b], hmax, mode)
                k0 = np.searchsorted(rel_sorted, hi - _EPS_ANGLE)
                _update_range(out, row, k0, n_steps, order, ux, uy, tan_alt, px, py, pz, ax, ay, ex, ey,
                              tb, base[b], hmax, mode)


@nb.njit(inline="always", cache=True)
def _tile_bounds(px, py, pz, i0, i1):
    """Centre (x, y), half-diagonal (m) and lowest z of the points ``i0:i1`` of one tile."""
    x0 = px[i0]
    x1 = px[i0]
    y0 = py[i0]
    y1 = py[i0]
    z0 = pz[i0]
    for i in range(i0, i1):
        x0 = min(x0, px[i])
        x1 = max(x1, px[i])
        y0 = min(y0, py[i])
        y1 = max(y1, py[i])
        z0 = min(z0, pz[i])
    return 0.5 * (x0 + x1), 0.5 * (y0 + y1), 0.5 * math.sqrt((x1 - x0) ** 2 + (y1 - y0) ** 2) + 1e-6, z0


@nb.njit(parallel=True, cache=True)
def _tiles_kernel(out, tile_start, tile_perm, orig, px, py, pz, cx, cy, rad, top, base, estart,
                  eax, eay, ebx, eby, rel_sorted, order, ux, uy, tan_alt, ref, rmq, tan_min, mode, h_search):
    n_tiles = len(tile_start) - 1
    n_b = len(cx)
    for ti in nb.prange(n_tiles):
        tile = tile_perm[ti]
        i0 = tile_start[tile]
        i1 = tile_start[tile + 1]
        if i1 <= i0:
            continue
        tcx, tcy, thd, z0 = _tile_bounds(px, py, pz, i0, i1)
        cand = np.empty(n_b, dtype=np.int64)
        n_cand = 0
        for b in range(n_b):
            tb = top[b] if mode == 0 else base[b] + h_search
            dz = tb - z0
            if not dz > 0.0:
                continue
            dxc = cx[b] - tcx
            dyc = cy[b] - tcy
            dc = math.sqrt(dxc * dxc + dyc * dyc)
            dmin = dc - rad[b] * 1.0000001 - thd
            if dmin > 0.0:
                if _cannot_block(dz, dmin, tan_min):
                    continue
                half = math.asin(min(1.0, (rad[b] + thd) / dc)) + 1e-6
                cang = math.atan2(dxc, dyc) - ref
                if _cannot_block(dz, dmin, _span_min_tan(rel_sorted, rmq, cang - half, cang + half)):
                    continue
            cand[n_cand] = b
            n_cand += 1
        for i in range(i0, i1):
            _point_kernel(out, orig[i], px[i], py[i], pz[i], cand, n_cand, cx, cy, rad, top, base, estart,
                          eax, eay, ebx, eby, rel_sorted, order, ux, uy, tan_alt, ref, rmq, tan_min, mode,
                          h_search)


def _tiles(px: np.ndarray, py: np.ndarray, tile_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Point order grouped into square tiles, and the tile boundaries in that order."""
    if len(px) == 0:
        return np.zeros(0, np.int64), np.zeros(1, np.int64)
    ix = np.floor((px - px.min()) / tile_m).astype(np.int64)
    iy = np.floor((py - py.min()) / tile_m).astype(np.int64)
    key = ix * (iy.max() + 1) + iy
    perm = np.argsort(key, kind="stable")
    k = key[perm]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    return perm.astype(np.int64), np.r_[starts, len(px)].astype(np.int64)


def _run(points_xyz: np.ndarray, prisms: Prisms, sun: SunSteps, *, mode: int, h_search: float,
         tile_m: float, dtype) -> np.ndarray:
    pts = np.asarray(points_xyz, dtype=np.float64).reshape(-1, 3)
    n_p, n_t = len(pts), len(sun)
    fill = 0.0 if mode == 0 else np.inf
    if n_p == 0 or prisms.n_buildings == 0 or not np.isfinite(sun.tan_min):
        return np.full((n_p, n_t), fill, dtype=dtype)
    perm, starts = _tiles(pts[:, 0], pts[:, 1], tile_m)
    px = np.ascontiguousarray(pts[perm, 0])
    py = np.ascontiguousarray(pts[perm, 1])
    pz = np.ascontiguousarray(pts[perm, 2])
    # written in place, row = the point's original index (no permuted copy of a P × T array)
    out = np.zeros((n_p, n_t), dtype=np.float64) if fill == 0.0 else np.full((n_p, n_t), fill)
    # interleave tiles so that both threads get a similar mix of work
    rng = np.random.default_rng(0)
    tile_perm = rng.permutation(len(starts) - 1).astype(np.int64)
    _tiles_kernel(out, starts, tile_perm, perm, px, py, pz, prisms.cx, prisms.cy, prisms.radius, prisms.top,
                  prisms.base, prisms.edge_start, prisms.ax, prisms.ay, prisms.bx, prisms.by,
                  sun.rel_sorted, sun.order, sun.ux, sun.uy, sun.tan_alt, sun.ref, sun.rmq,
                  sun.tan_min, mode, float(h_search))
    return out if out.dtype == dtype else out.astype(dtype)


def horizon(points_xyz: np.ndarray, prisms: Prisms, sun: SunSteps, *, tile_m: float = 24.0) -> np.ndarray:
    """Obstruction horizon ``H[p, t]`` = max over crossed buildings of ``(top − z)/s``.

    Parameters
    ----------
    points_xyz : ndarray (P, 3)
        Sample points (m, site grid and elevation).  Points must lie outside every
        footprint (window points are offset a few cm out of their façade).
    prisms : Prisms
        The obstructing buildings.
    sun : SunSteps
        Sun directions and tan(altitude).
    tile_m : float
        Tile size (m) for the building culling.

    Returns
    -------
    ndarray (P, T) float64
        The step is blocked iff ``H > sun.tan_alt``.  ``H`` is exact wherever it exceeds
        ``tan_alt``; elsewhere it is some value ≤ ``tan_alt`` (``0`` where nothing is crossed):
        crossings that cannot block at that step are culled.  So the maximum of several
        horizons decides blocking exactly, which is all the scenarios use.
    """
    return _run(points_xyz, prisms, sun, mode=0, h_search=0.0, tile_m=tile_m, dtype=np.float64)


def critical_height(
    points_xyz: np.ndarray, prisms: Prisms, sun: SunSteps, *, h_search: float = 150.0, tile_m: float = 24.0
) -> np.ndarray:
    """Critical height ``G[p, t]``: the prisms block step ``t`` at ``p`` iff their height > ``G``.

    For a set of buildings given one common height ``h`` above their own bases (推算限高),
    the ray is blocked iff ``h > G = min over crossings of (z + s·tan α − base)``.

    Parameters
    ----------
    h_search : float
        Largest height (m) of interest; crossings that would need more are culled
        (``G`` is ``inf`` there).

    Returns
    -------
    ndarray (P, T) float64
        ``inf`` where no building of the set can block at heights ≤ ``h_search``.
    """
    g = _run(points_xyz, prisms, sun, mode=1, h_search=h_search, tile_m=tile_m, dtype=np.float64)
    g[g > h_search] = np.inf
    return g


def candidate_points(points_xyz: np.ndarray, prisms: Prisms, sun: SunSteps, *, h_search: float | None = None
                     ) -> np.ndarray:
    """Boolean mask of points that some building of ``prisms`` could possibly shade.

    A conservative test on bounding circles: a building can shade a point only if its roof
    rises above the point by more than (distance to the circle) × the least tan(altitude)
    of the sun steps whose azimuth falls within the circle's angular span.  Points outside
    the mask are certainly never blocked by these buildings (with ``h_search``: by these
    footprints at any common height ≤ ``h_search`` above their bases).
    """
    pts = np.asarray(points_xyz, dtype=np.float64).reshape(-1, 3)
    if prisms.n_buildings == 0 or len(pts) == 0 or not np.isfinite(sun.tan_min):
        return np.zeros(len(pts), dtype=bool)
    top = prisms.top if h_search is None else prisms.base + h_search
    # coarse pass: distance to the box around all bounding circles vs the longest possible reach
    x0 = float(np.min(prisms.cx - prisms.radius))
    x1 = float(np.max(prisms.cx + prisms.radius))
    y0 = float(np.min(prisms.cy - prisms.radius))
    y1 = float(np.max(prisms.cy + prisms.radius))
    dx = np.maximum(0.0, np.maximum(x0 - pts[:, 0], pts[:, 0] - x1))
    dy = np.maximum(0.0, np.maximum(y0 - pts[:, 1], pts[:, 1] - y1))
    near = np.hypot(dx, dy) * sun.tan_min < (float(np.max(top)) - pts[:, 2]) * (1.0 + 1e-9) + 1e-9
    out = np.zeros(len(pts), dtype=bool)
    idx = np.flatnonzero(near)
    if len(idx):
        perm, starts = _tiles(pts[idx, 0], pts[idx, 1], 48.0)
        sub = idx[perm]
        res = np.zeros(len(sub), dtype=np.bool_)
        _candidates(starts, pts[sub, 0].copy(), pts[sub, 1].copy(), pts[sub, 2].copy(), prisms.cx, prisms.cy,
                    prisms.radius, top, sun.tan_min, sun.rel_sorted, sun.rmq, sun.ref, res)
        out[sub] = res
    return out


@nb.njit(cache=True, inline="always")
def _may_block(px, py, z, cx, cy, rad, top, thd, tan_min, rel_sorted, rmq, ref):
    """Can a building (bounding circle, roof ``top``) shade some point within ``thd`` of (px, py) at ≥ z?"""
    dz = top - z
    if not dz > 0.0:
        return False
    dxc = cx - px
    dyc = cy - py
    dc = math.sqrt(dxc * dxc + dyc * dyc)
    dmin = dc - rad * 1.0000001 - thd - 1e-9
    if dmin <= 0.0:
        return True
    if _cannot_block(dz, dmin, tan_min):
        return False
    half = math.asin(min(1.0, (rad + thd) / dc)) + 1e-6
    cang = math.atan2(dxc, dyc) - ref
    return not _cannot_block(dz, dmin, _span_min_tan(rel_sorted, rmq, cang - half, cang + half))


@nb.njit(parallel=True, cache=True)
def _candidates(tile_start, px, py, pz, cx, cy, rad, top, tan_min, rel_sorted, rmq, ref, out):
    n_b = len(cx)
    for ti in nb.prange(len(tile_start) - 1):
        i0 = tile_start[ti]
        i1 = tile_start[ti + 1]
        tcx, tcy, thd, z0 = _tile_bounds(px, py, pz, i0, i1)
        cand = np.empty(n_b, dtype=np.int64)
        n_cand = 0
        for b in range(n_b):
            if _may_block(tcx, tcy, z0, cx[b], cy[b], rad[b], top[b], thd, tan_min, rel_sorted, rmq, ref):
                cand[n_cand] = b
                n_cand += 1
        for i in range(i0, i1):
            for k in range(n_cand):
                b = cand[k]
                if _may_block(px[i], py[i], pz[i], cx[b], cy[b], rad[b], top[b], 0.0, tan_min, rel_sorted, rmq,
                              ref):
                    out[i] = True
                    break


def blocked_bruteforce(points_xyz: np.ndarray, prisms: Prisms, sun: SunSteps) -> np.ndarray:
    """Reference: test every ray against every edge (plain NumPy, no culling).

    Returns
    -------
    ndarray (P, T) bool
        ``True`` where the step is blocked or the sun is below the horizon / minimum altitude.
    """
    pts = np.asarray(points_xyz, dtype=np.float64).reshape(-1, 3)
    n_t = len(sun)
    out = np.zeros((len(pts), n_t), dtype=bool)
    ux = sun.ux[None, :]
    uy = sun.uy[None, :]
    ta = sun.tan_alt[None, :]
    ex = (prisms.bx - prisms.ax)[:, None]
    ey = (prisms.by - prisms.ay)[:, None]
    top = prisms.top[prisms.edge_building][:, None]
    for i, (px, py, pz) in enumerate(pts):
        wx = (prisms.ax - px)[:, None]
        wy = (prisms.ay - py)[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            denom = ux * ey - uy * ex
            s = (wx * ey - wy * ex) / denom
            r = (wx * uy - wy * ux) / denom
            h = (top - pz) / s
        hit = (denom != 0.0) & (s > 0.0) & (r >= 0.0) & (r <= 1.0) & (h > ta)
        out[i] = hit.any(axis=0)
    out |= ~(sun.tan_alt > 0.0)[None, :]
    return out
