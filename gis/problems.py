"""Input problems and notes: what the user is told about their data.

A :class:`Problem` makes the input unusable (exit status 2); all problems of a site are
collected and printed together, one line each, naming layer, feature, field, what is wrong
and how to fix it.  A :class:`Note` records something the toolkit did to the data on the
user's behalf (a repair, a reprojection, a default, a detected encoding) and is shown in
the report.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Problem", "Note", "SiteError"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input.

    Parameters
    ----------
    layer : str
        Layer (``buildings``), or ``site`` / ``crs`` for the whole input.
    feature_id : str or None
        Id of the offending feature (or ``#row`` when it has no usable id).
    field : str or None
        Attribute (or ``geometry``) at fault.
    what : str
        What is wrong, with the offending value.
    fix : str
        How to fix it.
    """

    layer: str
    feature_id: str | None
    field: str | None
    what: str
    fix: str

    def line(self) -> str:
        where = self.layer
        if self.feature_id is not None:
            where += f" [{self.feature_id}]"
        if self.field:
            where += f" .{self.field}"
        return f"{where}: {self.what} — fix: {self.fix}"


@dataclass(frozen=True)
class Note:
    """Something done to the data on the user's behalf, in Chinese and English."""

    kind: str  # "repair" | "crs" | "encoding" | "default" | "layer"
    message_zh: str
    message_en: str
    layer: str | None = None
    feature_id: str | None = None

    def message(self, lang: str = "zh") -> str:
        return self.message_zh if lang == "zh" else self.message_en


class SiteError(Exception):
    """The site cannot be used; ``problems`` lists every reason, one per line."""

    def __init__(self, problems: list[Problem], notes: list[Note] | None = None):
        self.problems = problems
        self.notes = notes or []
        super().__init__("\n".join(p.line() for p in problems))
