"""Verdict logic (优化不恶化) and the findings table, against hand-worked cases."""

from __future__ import annotations

import math

import pytest
from shapely.geometry import LineString

from gis.findings import Finding, Verdict, findings_to_frame, judge, verdict_counts, worst_verdict


@pytest.mark.parametrize(
    "existing,proposed,threshold,sense,not_worse,soft,expected",
    [
        (20.0, 36.0, 35.0, "min", True, False, Verdict.PASS),            # spacing meets the standard
        (20.0, 22.0, 35.0, "min", True, False, Verdict.PASS_NOT_WORSE),  # better than before, below standard
        (20.0, 20.0, 35.0, "min", True, False, Verdict.PASS_NOT_WORSE),  # equal counts as not worse
        (20.0, 18.0, 35.0, "min", True, False, Verdict.FAIL),            # worse
        (20.0, 22.0, 35.0, "min", False, False, Verdict.FAIL),           # rule does not allow not-worse
        (None, 22.0, 35.0, "min", True, False, Verdict.FAIL),            # a new pair has no existing state
        (0.30, 0.29, 0.28, "max", True, False, Verdict.PASS_NOT_WORSE),  # density: lower is better
        (0.30, 0.25, 0.28, "max", True, False, Verdict.PASS),
        (0.30, 0.31, 0.28, "max", True, False, Verdict.FAIL),
        (None, 4.0, 5.0, "min", False, True, Verdict.WARN),             # soft 宜 rule
        (None, None, 5.0, "min", False, False, Verdict.NOT_CHECKED),
        (None, 4.0, None, "min", False, False, Verdict.NOT_CHECKED),
        (None, math.nan, 5.0, "min", False, False, Verdict.NOT_CHECKED),
        (None, 27.0, 27.0, "max", False, False, Verdict.PASS),           # edge inclusive
    ],
)
def test_judge(existing, proposed, threshold, sense, not_worse, soft, expected):
    assert judge(existing, proposed, threshold, sense=sense, allow_not_worse=not_worse, soft=soft) is expected


def test_worst_and_counts():
    assert worst_verdict([Verdict.PASS, Verdict.PASS_NOT_WORSE, Verdict.WARN]) is Verdict.WARN
    assert worst_verdict([Verdict.PASS, Verdict.FAIL]) is Verdict.FAIL
    assert worst_verdict([]) is Verdict.PASS
    f = Finding("X-1", ("a",), Verdict.FAIL, "中", "en")
    counts = verdict_counts([f, f])
    assert counts[Verdict.FAIL] == 2 and counts[Verdict.PASS] == 0


def test_findings_frame_keeps_text_and_numbers():
    fs = [
        Finding("SEP-01", ("B1", "B2"), Verdict.FAIL, "间距 8 m", "gap 8 m", 9.5, 8.0, 9.0, unit="m",
                geometry=LineString([(0, 0), (8, 0)]), details={"pair": ["B1", "B2"]}),
        Finding("CL-XING", ("B3",), Verdict.WARN, "跨越", "crosses", "multi", "high2", None),
    ]
    frame = findings_to_frame(fs, "EPSG:4538")
    assert list(frame["subject_ids"]) == ["B1,B2", "B3"]
    assert frame.loc[0, "proposed"] == 8.0 and frame.geometry.iloc[0].length == 8.0
    assert math.isnan(frame.loc[1, "existing"]) and frame.loc[1, "existing_text"] == "multi"
    assert frame.loc[0, "details"] == '{"pair": ["B1", "B2"]}'
