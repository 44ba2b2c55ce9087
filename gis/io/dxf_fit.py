"""Control-point fit (控制点配准): local drawing coordinates → the site CRS.

Designers draw in local 建筑坐标 with no CRS.  Two or more control points, each known in
the drawing (after unit conversion, metres) and in the site CRS (easting, northing, metres),
fix a plane transformation by least squares:

- ``similarity`` (相似变换, 4 parameters: shift, rotation, one scale), ≥ 2 points;
- ``affine`` (仿射变换, 6 parameters), ≥ 3 points.

With exactly the minimum number of points the fit is exact and the residuals are zero by
construction: there is no redundancy to check the points against each other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["ControlFit", "fit_control_points", "MIN_POINTS"]

MIN_POINTS = {"similarity": 2, "affine": 3}


@dataclass(frozen=True)
class ControlFit:
    """A fitted plane transformation ``[x', y'] = A @ [x, y] + t``.

    Attributes
    ----------
    method : {"similarity", "affine"}
    matrix : ndarray, shape (2, 3)
        ``[A | t]``; coordinates in metres.
    names : tuple of str
        Control point names, in input order.
    residuals_m : ndarray
        Distance between each fitted and given site position, m.
    redundancy : int
        Number of observations beyond the minimum (2 × points − parameters).
    """

    method: str
    matrix: np.ndarray
    names: tuple[str, ...]
    residuals_m: np.ndarray
    redundancy: int

    @property
    def rms_m(self) -> float:
        """Root mean square of the residuals, m."""
        return float(np.sqrt(np.mean(self.residuals_m**2)))

    @property
    def scale(self) -> float:
        """Mean linear scale of the transformation (√|det A|); ≈ 1 when drawing units are right."""
        return float(math.sqrt(abs(np.linalg.det(self.matrix[:, :2]))))

    @property
    def rotation_deg(self) -> float:
        """Rotation of the drawing's +x axis, degrees counter-clockwise in the site grid."""
        return float(math.degrees(math.atan2(self.matrix[1, 0], self.matrix[0, 0])))

    @property
    def mirrored(self) -> bool:
        """True when the transformation flips the drawing (det A < 0)."""
        return bool(np.linalg.det(self.matrix[:, :2]) < 0)

    def apply(self, xy: np.ndarray) -> np.ndarray:
        """Transform an (n, 2) array of drawing coordinates (m) to site coordinates (m)."""
        xy = np.asarray(xy, dtype=float)
        return xy @ self.matrix[:, :2].T + self.matrix[:, 2]


def fit_control_points(src: np.ndarray, dst: np.ndarray, *, method: str = "similarity",
                       names: list[str] | None = None) -> ControlFit:
    """Least-squares similarity or affine fit from drawing to site coordinates.

    Parameters
    ----------
    src : array, shape (n, 2)
        Control points in the drawing, metres (drawing units already converted).
    dst : array, shape (n, 2)
        The same points in the site CRS: easting, northing, metres.
    method : {"similarity", "affine"}
        Similarity (rotation + uniform scale + shift) or general affine.
    names : list of str, optional
        Point names for reports.

    Returns
    -------
    ControlFit

    Raises
    ------
    ValueError
        Too few points, or points that do not fix the transformation (coincident/collinear).
    """
    src = np.asarray(src, dtype=float).reshape(-1, 2)
    dst = np.asarray(dst, dtype=float).reshape(-1, 2)
    if method not in MIN_POINTS:
        raise ValueError(f"unknown fit method {method!r}; use 'similarity' or 'affine'")
    n = len(src)
    if n != len(dst):
        raise ValueError("src and dst must hold the same number of points")
    if n < MIN_POINTS[method]:
        raise ValueError(f"a {method} fit needs at least {MIN_POINTS[method]} control points, got {n}")
    names = list(names) if names is not None else [f"#{i + 1}" for i in range(n)]
    # Centre both sets: keeps the normal equations well conditioned with 7-digit northings.
    cs, cd = src.mean(axis=0), dst.mean(axis=0)
    s, d = src - cs, dst - cd
    if method == "similarity":
        # x' = a x − b y + tx ; y' = b x + a y + ty
        design = np.zeros((2 * n, 2))
        design[0::2, 0], design[0::2, 1] = s[:, 0], -s[:, 1]
        design[1::2, 0], design[1::2, 1] = s[:, 1], s[:, 0]
        sol, _, rank, _ = np.linalg.lstsq(design, d.reshape(-1), rcond=None)
        if rank < 2:
            raise ValueError("the control points coincide: they cannot fix a transformation")
        a, b = sol
        lin = np.array([[a, -b], [b, a]])
        params = 4
    else:
        design = np.column_stack([s, np.ones(n)])
        sol, _, rank, _ = np.linalg.lstsq(design[:, :2], d, rcond=None)
        if rank < 2:
            raise ValueError("the control points are collinear: they cannot fix an affine transformation")
        lin = sol.T
        params = 6
    t = cd - lin @ cs
    matrix = np.column_stack([lin, t])
    fitted = src @ lin.T + t
    residuals = np.hypot(*(fitted - dst).T)
    return ControlFit(method, matrix, tuple(names), residuals, 2 * n - params)
