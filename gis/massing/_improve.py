"""Wording for improvements (现状问题已消除): the proposal removes a problem of the existing state.

The 优化不恶化 comparison must show improvements as well as the proposed state: a triple whose
existing value missed the threshold while the proposal passes gets the note below, and a failing
situation of the existing state that has no counterpart in the proposal (a dead end that is gone,
a pair of buildings that were both demolished) becomes a PASS finding of its own with this note.
"""

from __future__ import annotations

import math

from gis.findings import Verdict

__all__ = ["REMOVED_ZH", "REMOVED_EN", "existing_missed", "removed_note"]

REMOVED_ZH = "现状问题已消除"
REMOVED_EN = "existing problem removed"


def existing_missed(existing: float | None, threshold: float | None, *, sense: str = "min",
                    tolerance: float = 1e-9) -> bool:
    """Whether the existing value misses ``threshold`` (``sense="min"``: below it; ``"max"``: above it)."""
    if existing is None or threshold is None:
        return False
    e, t = float(existing), float(threshold)
    if math.isnan(e) or math.isnan(t):
        return False
    return e < t - tolerance if sense == "min" else e > t + tolerance


def removed_note(verdict: Verdict, existing: float | None, threshold: float | None, *,
                 sense: str = "min") -> tuple[str, str]:
    """Chinese and English suffixes (``"；现状问题已消除"``, ``"; existing problem removed"``) or empty strings.

    Non-empty when the proposal passes (``Verdict.PASS``) and the existing value missed the threshold.
    """
    if verdict is Verdict.PASS and existing_missed(existing, threshold, sense=sense):
        return f"；{REMOVED_ZH}", f"; {REMOVED_EN}"
    return "", ""
