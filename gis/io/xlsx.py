"""``report.xlsx``: the report's tables, one sheet each (openpyxl), headers in the report language.

The first sheet (目录 / Contents) lists every table: sheet name, table key, title, rows.  The
tables come from :func:`gis.report.report_tables`, so the workbook and ``report.html`` hold
the same tables; values stay raw (numbers as numbers: m, m², h), so the sheets can be checked
against ``results.gpkg``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

__all__ = ["write_report_xlsx", "sheet_name"]

_BAD = re.compile(r"[\[\]:*?/\\]")
_HEAD_FILL = PatternFill("solid", fgColor="F3F0EA")
_CONTENTS = {"zh": ("目录", ["工作表", "表键", "表名", "行数"]), "en": ("Contents", ["Sheet", "Key", "Title", "Rows"])}


def sheet_name(title: str, used: set[str]) -> str:
    """A valid, unique Excel sheet name (≤ 31 characters, no ``[]:*?/\\``) from a table title."""
    base = _BAD.sub(" ", title).strip().strip("'")[:31] or "sheet"
    name, k = base, 2
    while name.lower() in {u.lower() for u in used}:
        suffix = f" ({k})"
        name = base[: 31 - len(suffix)] + suffix
        k += 1
    used.add(name)
    return name


def _cell(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):  # numpy scalar
        try:
            v = v.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(v, (int, float, str, bool)):
        return v
    try:
        import pandas as pd

        if v is pd.NA or v is pd.NaT:
            return None
    except ImportError:  # pragma: no cover
        pass
    return str(v)


def write_report_xlsx(tables: Sequence[Any], path: str | Path, *, lang: str = "zh") -> Path:
    """Write report tables (:class:`gis.report.ReportTable`) to an ``.xlsx`` workbook at ``path``."""
    wb = Workbook()
    contents = wb.active
    title, heads = _CONTENTS["zh" if lang == "zh" else "en"]
    contents.title = title
    contents.append(heads)
    used = {title}
    for tb in tables:
        name = sheet_name(tb.title, used)
        ws = wb.create_sheet(name)
        ws.append(list(tb.headers))
        for row in tb.frame.itertuples(index=False, name=None):
            ws.append([_cell(v) for v in row])
        for c in ws[1]:
            c.font = Font(bold=True)
            c.fill = _HEAD_FILL
            c.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
        for i, h in enumerate(tb.headers, start=1):
            width = max([len(str(h)) * 2] + [len(str(ws.cell(r, i).value or "")) for r in range(2, min(ws.max_row, 50) + 1)])
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, width + 2))
        contents.append([name, tb.key, tb.title, len(tb.frame)])
    for c in contents[1]:
        c.font = Font(bold=True)
        c.fill = _HEAD_FILL
    contents.column_dimensions["A"].width = 34
    contents.column_dimensions["B"].width = 20
    contents.column_dimensions["C"].width = 50
    wb.save(path)
    return Path(path)
