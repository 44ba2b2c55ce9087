"""Findings and verdicts: the one result model every check produces.

A *finding* (检查结论) is one rule applied to one subject (a building, a pair of
buildings, a lane, a window, the whole project).  It is always reported as a
triple — existing value (现状), proposed value (方案), threshold (规划条件/标准) —
with a verdict and a geometry that shows it on the review map.

Verdicts follow the site contract (``SITE_SCHEMA.md``):

``PASS``
    The proposal meets the current threshold.
``PASS_NOT_WORSE``
    It misses the threshold but is no worse than the existing state and the rule
    allows "optimise, not worsen" (优化不恶化).
``FAIL``
    Neither.
``WARN``
    A soft rule (宜) missed, or a value that needs a person's judgement.
``NOT_CHECKED``
    The data the rule needs is absent; the message names the field that would enable it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

__all__ = [
    "Verdict",
    "Finding",
    "judge",
    "findings_to_frame",
    "verdict_counts",
    "worst_verdict",
]


class Verdict(StrEnum):
    """Outcome of one check (检查结论)."""

    PASS = "PASS"
    PASS_NOT_WORSE = "PASS_NOT_WORSE"
    FAIL = "FAIL"
    WARN = "WARN"
    NOT_CHECKED = "NOT_CHECKED"

    @property
    def label_zh(self) -> str:
        return _VERDICT_ZH[self]

    @property
    def label_en(self) -> str:
        return _VERDICT_EN[self]

    def label(self, lang: str = "zh") -> str:
        return self.label_zh if lang == "zh" else self.label_en


_VERDICT_ZH = {
    Verdict.PASS: "满足",
    Verdict.PASS_NOT_WORSE: "不恶化",
    Verdict.FAIL: "不满足",
    Verdict.WARN: "提示",
    Verdict.NOT_CHECKED: "未检查",
}
_VERDICT_EN = {
    Verdict.PASS: "pass",
    Verdict.PASS_NOT_WORSE: "pass (not worse)",
    Verdict.FAIL: "fail",
    Verdict.WARN: "warning",
    Verdict.NOT_CHECKED: "not checked",
}

# Severity order, worst first; used to summarise a set of findings.
_SEVERITY = [Verdict.FAIL, Verdict.WARN, Verdict.PASS_NOT_WORSE, Verdict.NOT_CHECKED, Verdict.PASS]


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule applied to one subject.

    Parameters
    ----------
    rule_id : str
        Rule identifier from the rule catalogue, e.g. ``"FL-05"`` or ``"FAR-01"``.
    subject_ids : tuple of str
        Ids of the features the finding is about (building ids, parcel ids, a lane id);
        ``("project",)`` for the whole site.
    verdict : Verdict
        See the module docstring.
    message_zh, message_en : str
        One sentence for the report and the map popup, in Chinese and English.
    existing, proposed, threshold : float or str or None
        The triple.  Numbers in the unit given by ``unit``; ``None`` where a state has
        no value (e.g. a new building has no existing spacing).
    unit : str
        Unit of the triple (``"m"``, ``"m²"``, ``"h"``, ``"%"``, ``""``).
    source : str
        Clause the threshold comes from, copied from the rule pack (e.g. ``"GB 50016-2014(2018) 7.1.8-1"``).
    geometry : shapely geometry or None
        What to draw on the map: the shortest gap as a line, the narrow lane section, the building.
    layer : str
        Site layer the subjects belong to (``"buildings"``, ``"fire_lanes"``, …).
    details : dict
        Extra machine-readable numbers (kept out of the GeoPackage's fixed columns, written as JSON).
    """

    rule_id: str
    subject_ids: tuple[str, ...]
    verdict: Verdict
    message_zh: str
    message_en: str
    existing: float | str | None = None
    proposed: float | str | None = None
    threshold: float | str | None = None
    unit: str = ""
    source: str = ""
    geometry: BaseGeometry | None = None
    layer: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "zh") -> str:
        return self.message_zh if lang == "zh" else self.message_en


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def judge(
    existing: float | None,
    proposed: float | None,
    threshold: float | None,
    *,
    sense: Literal["min", "max"],
    allow_not_worse: bool = False,
    soft: bool = False,
    tolerance: float = 1e-9,
) -> Verdict:
    """Verdict for one existing / proposed / threshold triple.

    Parameters
    ----------
    existing : float or None
        Value in the existing state (现状).  ``None`` when the subject is new.
    proposed : float or None
        Value in the proposed state (方案).  ``None`` means the data is missing → ``NOT_CHECKED``.
    threshold : float or None
        Current standard or planning condition.  ``None`` → ``NOT_CHECKED``.
    sense : {"min", "max"}
        ``"min"``: the value must be at least the threshold (spacing, green ratio, hours);
        ``"max"``: at most (FAR, density, height).
    allow_not_worse : bool
        The rule allows "optimise, not worsen" (优化不恶化): a proposal that misses the
        threshold passes as ``PASS_NOT_WORSE`` when it is no worse than ``existing``.
    soft : bool
        A 宜 (should) rule: a miss is ``WARN`` instead of ``FAIL``.
    tolerance : float
        Absolute tolerance in the unit of the values, to absorb floating-point noise.

    Examples
    --------
    >>> judge(20.0, 22.0, 35.0, sense="min", allow_not_worse=True)
    <Verdict.PASS_NOT_WORSE: 'PASS_NOT_WORSE'>
    >>> judge(20.0, 18.0, 35.0, sense="min", allow_not_worse=True)
    <Verdict.FAIL: 'FAIL'>
    >>> judge(None, 1.9, 2.0, sense="max")
    <Verdict.PASS: 'PASS'>
    """
    if _missing(proposed) or _missing(threshold):
        return Verdict.NOT_CHECKED
    sign = 1.0 if sense == "min" else -1.0
    if sign * (proposed - threshold) >= -tolerance:
        return Verdict.PASS
    if allow_not_worse and not _missing(existing) and sign * (proposed - existing) >= -tolerance:
        return Verdict.PASS_NOT_WORSE
    return Verdict.WARN if soft else Verdict.FAIL


def worst_verdict(verdicts: Iterable[Verdict]) -> Verdict:
    """The most severe verdict of a set (FAIL > WARN > PASS_NOT_WORSE > NOT_CHECKED > PASS)."""
    present = set(verdicts)
    for v in _SEVERITY:
        if v in present:
            return v
    return Verdict.PASS


def verdict_counts(findings: Sequence[Finding]) -> dict[Verdict, int]:
    """Number of findings per verdict, every verdict present as a key."""
    counts = {v: 0 for v in Verdict}
    for f in findings:
        counts[f.verdict] += 1
    return counts


FINDING_COLUMNS = [
    "rule_id",
    "subject_ids",
    "verdict",
    "existing",
    "proposed",
    "threshold",
    "unit",
    "source",
    "layer",
    "message_zh",
    "message_en",
    "details",
]


def _as_text(value: float | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)


def findings_to_frame(findings: Sequence[Finding], crs: Any) -> gpd.GeoDataFrame:
    """Findings as a GeoDataFrame (one row each) for the ``findings`` layer of ``results.gpkg``.

    Numeric triples are written to ``existing``/``proposed``/``threshold`` as floats; a
    textual value (e.g. a height class) goes to the ``*_text`` columns instead.
    """
    import json

    rows = []
    for f in findings:
        row: dict[str, Any] = {
            "rule_id": f.rule_id,
            "subject_ids": ",".join(f.subject_ids),
            "verdict": str(f.verdict),
            "unit": f.unit,
            "source": f.source,
            "layer": f.layer,
            "message_zh": f.message_zh,
            "message_en": f.message_en,
            "details": json.dumps(f.details, ensure_ascii=False, default=str) if f.details else None,
        }
        for name in ("existing", "proposed", "threshold"):
            value = getattr(f, name)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                row[name] = float(value)
                row[f"{name}_text"] = None
            else:
                row[name] = float("nan")
                row[f"{name}_text"] = _as_text(value)
        row["geometry"] = f.geometry
        rows.append(row)
    columns = [
        "rule_id", "subject_ids", "verdict",
        "existing", "proposed", "threshold",
        "existing_text", "proposed_text", "threshold_text",
        "unit", "source", "layer", "message_zh", "message_en", "details", "geometry",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=crs)
