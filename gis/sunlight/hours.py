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

__all__ = ["segment_minutes", "window_lit", "window_lit_banks", "window_height_limits", "sweep_mask", "ACCUMULATION"]

ACCUMULATION = {"cumulative": 0, "longest": 1, "n_longest": 2}


@nb.njit(cache=True)
def _row_steps(lit, mode, n_seg, min_steps, lens):
    """Counted steps of one lit row under the segment rules (``lens``: scratch of size T + 1)."""
    n_t = len(lit)
    n = 0
    run = 0
    for t in range(n_t + 1):
        if t < n_t and lit[t]:
            run += 1
        else:
            if run > 0 and run >= min_steps:
                lens[n] = run
                n += 1
            run = 0
    if n == 0:
        return 0
    if mode == 0:
        tot = 0
        for i in range(n):
            tot += lens[i]
        return tot
    if mode == 1:
        m = 0
        for i in range(n):
            m = max(m, lens[i])
        return m
    srt = np.sort(lens[:n])
    tot = 0
    for i in range(max(0, n - n_seg), n):
        tot += srt[i]
    return tot


@nb.njit(parallel=True, cache=True)
def _segments(lit, step_min, mode, n_seg, min_steps, out):
    n_w, n_t = lit.shape
    for w in nb.prange(n_w):
        lens = np.empty(n_t + 1, dtype=np.int64)
        out[w] = _row_steps(lit[w], mode, n_seg, min_steps, lens) * step_min


@nb.njit(parallel=True, cache=True)
def _limits(base_lit, gw, need_steps, h_search, mode, n_seg, min_steps, out):
    n_w, n_t = base_lit.shape
    for w in nb.prange(n_w):
        lens = np.empty(n_t + 1, dtype=np.int64)
        lit = np.empty(n_t, dtype=np.bool_)
        # at height h the target blocks step t iff h > gw[w, t]
        for t in range(n_t):
            lit[t] = base_lit[w, t] and not (0.0 > gw[w, t])
        if _row_steps(lit, mode, n_seg, min_steps, lens) < need_steps[w]:
            out[w] = -1.0  # fails without the target
            continue
        for t in range(n_t):
            lit[t] = base_lit[w, t] and not (h_search > gw[w, t])
        if _row_steps(lit, mode, n_seg, min_steps, lens) >= need_steps[w]:
            out[w] = np.inf  # never binds up to h_search
            continue
        # candidate limits: the window's critical heights in [0, h_search), ascending
        m = 0
        vals = np.empty(n_t, dtype=np.float64)
        for t in range(n_t):
            g = gw[w, t]
            if base_lit[w, t] and g >= 0.0 and g < h_search:
                vals[m] = g
                m += 1
        vals = np.sort(vals[:m])
        lo = -1  # passes at vals[lo] (lo = -1: at 0 m), fails at vals[hi] (hi = m: at h_search)
        hi = m
        while hi - lo > 1:
            mid = (lo + hi) // 2
            h = vals[mid]
            for t in range(n_t):
                lit[t] = base_lit[w, t] and not (h > gw[w, t])
            if _row_steps(lit, mode, n_seg, min_steps, lens) >= need_steps[w]:
                lo = mid
            else:
                hi = mid
        out[w] = vals[lo] if lo >= 0 else 0.0


def window_height_limits(
    base_lit: np.ndarray,
    crit: np.ndarray,
    need_min: np.ndarray,
    *,
    h_search: float,
    step_min: float,
    accumulation: str,
    n_segments: int,
    min_segment_min: float,
) -> np.ndarray:
    """Greatest common height of a building set at which each window keeps its required minutes.

    Parameters
    ----------
    base_lit : ndarray (W, T) bool
        Lit steps of each window without the building set (everything else in place).
    crit : ndarray (W, T) float
        Critical height per window and step (m above the set's bases): the set blocks the step
        iff its height exceeds it (``inf``: never); for 满窗 the minimum over the window's points.
    need_min : ndarray (W,)
        Required minutes per window.
    h_search : float
        Largest height of interest (m).

    Returns
    -------
    ndarray (W,) float
        The limit (m); ``inf`` if the window keeps its minutes at ``h_search``; ``-1`` if it
        misses them even without the set.  Minutes are monotone in the height, so the limit
        is found by bisection over the window's own sorted critical heights.
    """
    if accumulation not in ACCUMULATION:
        raise ValueError(f"sunlight.accumulation = {accumulation!r}: use cumulative, longest or n_longest")
    min_steps = max(1, int(math.ceil(min_segment_min / step_min - 1e-9)))
    need_steps = np.asarray(need_min, dtype=np.float64) / step_min - 1e-9
    out = np.empty(len(base_lit))
    _limits(np.ascontiguousarray(base_lit, dtype=np.bool_), np.ascontiguousarray(crit, dtype=np.float64),
            need_steps, float(h_search), ACCUMULATION[accumulation], int(n_segments), min_steps, out)
    return out


def segment_minutes(
    lit: np.ndarray,
    *,
    step_min: float,
    accumulation: str,
    n_segments: int,
    min_segment_min: float,
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
    >>> kw = dict(step_min=1.0, n_segments=2)
    >>> segment_minutes(lit, accumulation="cumulative", min_segment_min=3, **kw).tolist()
    [7.0]
    >>> segment_minutes(lit, accumulation="longest", min_segment_min=0, **kw).tolist()
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
def _window_lit(wins, h0, r0, h1, r1, h2, r2, tan_alt, start, centre, whole, out):
    """out[i, t] = window wins[i] lit at step t; horizon of point p = max over banks k with r_k[p] ≥ 0."""
    n_t = len(tan_alt)
    for i in nb.prange(len(wins)):
        w = wins[i]
        for t in range(n_t):
            out[i, t] = tan_alt[t] > 0.0
        p0 = start[w] if whole else centre[w]
        p1 = start[w + 1] if whole else centre[w] + 1
        for p in range(p0, p1):  # point-outer: each horizon row is read sequentially
            a = r0[p]
            b = r1[p]
            c = r2[p]
            for t in range(n_t):
                if not out[i, t]:
                    continue
                ta = tan_alt[t]
                if a >= 0 and h0[a, t] > ta:
                    out[i, t] = False
                elif b >= 0 and h1[b, t] > ta:
                    out[i, t] = False
                elif c >= 0 and h2[c, t] > ta:
                    out[i, t] = False


def window_lit_banks(
    banks: list[tuple[np.ndarray, np.ndarray | None]],
    tan_alt: np.ndarray,
    start: np.ndarray,
    centre: np.ndarray,
    *,
    whole_window: bool = True,
    sweep: np.ndarray | None = None,
    windows: np.ndarray | None = None,
) -> np.ndarray:
    """Lit steps per window from up to three horizon banks (满窗 or chosen point).

    Parameters
    ----------
    banks : list of (H, row)
        Horizon arrays ``H`` (rows × T) with ``row[p]`` the row of sample point ``p`` in ``H``
        (``-1``: the bank has nothing for that point; ``None``: one row per point).  The
        horizon of a point is the maximum over the banks (e.g. the unchanged context, and the
        site massing of one scenario); nothing is copied.
    tan_alt : ndarray (T,)
        tan(sun altitude); steps with ``≤ 0`` / ``-inf`` are never lit.
    start : ndarray (W + 1,)
        Points of window ``w`` are ``start[w]:start[w+1]``.
    centre : ndarray (W,)
        The chosen point of each window.
    whole_window : bool
        满窗: all points must be lit.
    sweep : ndarray (W, T) bool, optional
        From :func:`sweep_mask` (for all W windows).
    windows : ndarray of int, optional
        Only these windows (rows of the result, in this order); default all.

    Returns
    -------
    ndarray (len(windows), T) bool
    """
    if len(banks) > 3:
        raise ValueError("window_lit_banks: at most three horizon banks")
    n_p = int(start[-1])
    n_t = len(tan_alt)
    args = []
    for h, row in banks:
        h = np.ascontiguousarray(h, dtype=np.float64)
        row = np.arange(n_p, dtype=np.int64) if row is None else np.ascontiguousarray(row, dtype=np.int64)
        args += [h, row]
    while len(args) < 6:
        args += [np.zeros((1, n_t)), np.full(n_p, -1, dtype=np.int64)]
    wins = np.arange(len(start) - 1, dtype=np.int64) if windows is None else np.asarray(windows, np.int64)
    out = np.empty((len(wins), n_t), dtype=np.bool_)
    _window_lit(wins, *args, np.asarray(tan_alt, np.float64), np.asarray(start, np.int64),
                np.asarray(centre, np.int64), bool(whole_window), out)
    if sweep is not None:
        out &= sweep[wins]
    return out


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
    banks = [(h_base, None)]
    if h_extra is not None:
        banks.append((h_extra, extra_row))
    return window_lit_banks(banks, tan_alt, start, centre, whole_window=whole_window, sweep=sweep)
