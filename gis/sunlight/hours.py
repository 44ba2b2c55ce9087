"""Sunlight hours from lit/blocked steps (日照时数统计规则).

Rules (all from the rule pack, ``[sunlight]``):

- ``whole_window`` (满窗): a window is lit at a step only if **all** its sample points are
  lit; otherwise its chosen (centre) point decides.
- ``min_sweep_deg`` (最小扫掠角): steps where the sun is less than this angle off the
  window's wall plane do not count.
- ``min_altitude_deg`` (最小太阳高度角): handled when the sun steps are built
  (:func:`gis.sunlight.occlusion.sun_steps`): such steps are never lit.
- Segments (连续日照时段) shorter than ``min_segment_min`` do not count; the rest are
  combined by ``accumulation``: ``"cumulative"`` (累计), ``"longest"`` (最长连续) or
  ``"n_longest"`` (the ``n_segments`` longest).

Minutes are step counts × ``step_min``; hours = minutes / 60.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

__all__ = ["segment_minutes", "window_lit", "sweep_mask", "ACCUMULATION"]

ACCUMULATION = {"cumulative": 0, "longest": 1, "n_longest": 2}


@nb.njit(cache=True)
def _segments(lit, step_min, mode, n_seg, min_steps, out):
    n_w, n_t = lit.shape
    lens = np.empty(n_t + 1, dtype=np.int64)
    for w in range(n_w):
        n = 0
        run = 0
        for t in range(n_t + 1):
            if t < n_t and lit[w, t]:
                run += 1
            else:
                if run > 0 and run >= min_steps:
                    lens[n] = run
                    n += 1
                run = 0
        if n == 0:
            out[w] = 0.0
        elif mode == 0:
            tot = 0
            for i in range(n):
                tot += lens[i]
            out[w] = tot * step_min
        elif mode == 1:
            m = 0
            for i in range(n):
                m = max(m, lens[i])
            out[w] = m * step_min
        else:
            s = np.sort(lens[:n])
            tot = 0
            for i in range(max(0, n - n_seg), n):
                tot += s[i]
            out[w] = tot * step_min


def segment_minutes(
    lit: np.ndarray,
    *,
    step_min: float = 1.0,
    accumulation: str = "cumulative",
    n_segments: int = 2,
    min_segment_min: float = 0.0,
) -> np.ndarray:
    """Sunlit minutes per row of a lit matrix under the segment rules.

    Parameters
    ----------
    lit : ndarray (W, T) bool
        Lit steps per window (or ground cell), in time order.
    step_min : float
        Minutes per step.
    accumulation : {"cumulative", "longest", "n_longest"}
        How the counted segments combine.
    n_segments : int
        For ``"n_longest"``: how many of the longest segments count.
    min_segment_min : float
        Minimum length of a counted segment (minutes); a segment of exactly this length counts.

    Returns
    -------
    ndarray (W,) float64
        Minutes.

    Examples
    --------
    >>> import numpy as np
    >>> lit = np.array([[1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1]], bool)
    >>> segment_minutes(lit, min_segment_min=3).tolist()
    [7.0]
    >>> segment_minutes(lit, accumulation="longest").tolist()
    [4.0]
    """
    if accumulation not in ACCUMULATION:
        raise ValueError(f"sunlight.accumulation = {accumulation!r}: use cumulative, longest or n_longest")
    lit = np.ascontiguousarray(lit, dtype=np.bool_)
    if lit.ndim == 1:
        lit = lit[None, :]
    out = np.zeros(lit.shape[0])
    min_steps = max(1, int(math.ceil(min_segment_min / step_min - 1e-9)))
    _segments(lit, float(step_min), ACCUMULATION[accumulation], int(n_segments), min_steps, out)
    return out


def sweep_mask(normal_grid: np.ndarray, ux: np.ndarray, uy: np.ndarray, *, min_sweep_deg: float) -> np.ndarray:
    """Steps at which the sun is more than ``min_sweep_deg`` off each window's wall plane.

    Parameters
    ----------
    normal_grid : ndarray (W,)
        Outward normal azimuth (radians, grid frame).
    ux, uy : ndarray (T,)
        Sun direction (grid frame).

    Returns
    -------
    ndarray (W, T) bool, or None when ``min_sweep_deg <= 0`` (no rule).
    """
    if not min_sweep_deg > 0:
        return None
    dots = np.sin(normal_grid)[:, None] * ux[None, :] + np.cos(normal_grid)[:, None] * uy[None, :]
    return dots > np.sin(np.radians(min_sweep_deg))


@nb.njit(parallel=True, cache=True)
def _window_lit(h0, h1, row1, tan_alt, start, centre, whole, out):
    n_w, n_t = out.shape
    for w in nb.prange(n_w):
        p0 = start[w]
        p1 = start[w + 1]
        for t in range(n_t):
            ta = tan_alt[t]
            if not ta > 0.0:
                out[w, t] = False
                continue
            ok = True
            if whole:
                for p in range(p0, p1):
                    h = h0[p, t]
                    r = row1[p]
                    if r >= 0 and h1[r, t] > h:
                        h = h1[r, t]
                    if h > ta:
                        ok = False
                        break
            else:
                p = centre[w]
                h = h0[p, t]
                r = row1[p]
                if r >= 0 and h1[r, t] > h:
                    h = h1[r, t]
                ok = not (h > ta)
            out[w, t] = ok


def window_lit(
    h_base: np.ndarray,
    tan_alt: np.ndarray,
    start: np.ndarray,
    centre: np.ndarray,
    *,
    whole_window: bool = True,
    h_extra: np.ndarray | None = None,
    extra_row: np.ndarray | None = None,
    sweep: np.ndarray | None = None,
) -> np.ndarray:
    """Lit steps per window from point horizons (满窗 or chosen point).

    Parameters
    ----------
    h_base : ndarray (P, T)
        Horizon of the points (e.g. the unchanged context).
    tan_alt : ndarray (T,)
        tan(sun altitude); steps with ``≤ 0`` / ``-inf`` are never lit.
    start : ndarray (W + 1,)
        Points of window ``w`` are ``start[w]:start[w+1]``.
    centre : ndarray (W,)
        The chosen point of each window.
    whole_window : bool
        满窗: all points must be lit.
    h_extra, extra_row : ndarray, optional
        A second horizon (e.g. the site massing of one scenario) for a subset of the points:
        point ``p`` uses row ``extra_row[p]`` (``-1``: none); the horizon is the maximum of both.
    sweep : ndarray (W, T) bool, optional
        From :func:`sweep_mask`.

    Returns
    -------
    ndarray (W, T) bool
    """
    n_w = len(start) - 1
    out = np.zeros((n_w, len(tan_alt)), dtype=np.bool_)
    if h_extra is None:
        h_extra = np.zeros((1, len(tan_alt)))
        extra_row = np.full(len(h_base), -1, dtype=np.int64)
    _window_lit(h_base, h_extra, np.asarray(extra_row, np.int64), np.asarray(tan_alt, np.float64),
                np.asarray(start, np.int64), np.asarray(centre, np.int64), bool(whole_window), out)
    if sweep is not None:
        out &= sweep
    return out
