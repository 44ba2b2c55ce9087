"""Hand-computed fire separations (GB 50016-2014(2018) Table 5.2.2 and notes)."""

import geopandas as gpd
import pytest
from shapely.geometry import box

from gis.findings import Verdict
from gis.fire.separation import fire_separations, required_separation, separation_findings
from gis.rules import load_rules

RULES = load_rules()


def _r(h=18.0, grade=2, **kw):
    r = dict(height_m=h, base_elev_m=0.0, fire_grade=grade, height_class="multi" if h <= 27 else "high2")
    r.update(kw)
    return r


@pytest.mark.parametrize(
    "a, b, req",
    [
        (_r(), _r(), 6.0),
        (_r(30), _r(), 9.0),
        (_r(30), _r(40), 13.0),
        (_r(grade=3), _r(), 7.0),
        (_r(grade=3), _r(grade=4), 10.0),
        (_r(grade=5), _r(grade=4), 12.0),  # below grade 4 is treated as grade 4 (SEP-N7)
        (_r(30), _r(grade=4), 14.0),
    ],
)
def test_table(a, b, req):
    assert required_separation(a, b, rules=RULES)["required_m"] == req


def test_reductions():
    n1 = dict(noncombustible_walls=True, opening_ratio=0.04)
    r = required_separation(_r(**n1), _r(**n1), rules=RULES)
    assert r["required_m"] == pytest.approx(4.5) and r["notes"] == ["SEP-N1"]
    r = required_separation(_r(**n1), _r(noncombustible_walls=True, opening_ratio=0.06), rules=RULES)
    assert r["required_m"] == 6.0
    assert required_separation(_r(24, fire_wall=True), _r(12), rules=RULES)["required_m"] == 0.0  # note 2
    assert required_separation(_r(24), _r(12, fire_wall=True, roof_fr_h=1.5), rules=RULES)["required_m"] == 3.5
    assert required_separation(_r(40), _r(12, fire_wall=True, roof_fr_h=1.5), rules=RULES)["required_m"] == 4.0
    r = required_separation(_r(101, fire_wall=True, height_class="super"), _r(12), rules=RULES)
    assert r["rule_id"] == "SEP-100" and r["required_m"] == 9.0


def _b(rows, geoms):
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4538")


@pytest.mark.parametrize("x_new, verdict", [(49.0, Verdict.PASS), (45.0, Verdict.PASS_NOT_WORSE), (44.0, Verdict.FAIL)])
def test_not_worse_against_existing(x_new, verdict):
    # existing: E1 (multi) 5 m from the context block C1; proposed N1 (30 m high-rise) on E1's footprint
    before = _b([dict(building_id="E1", phase="existing", **_r()), dict(building_id="C1", phase="context", **_r())],
                [box(0, 0, 40, 12), box(45, 0, 85, 12)])
    after = _b([dict(building_id="N1", phase="proposed", **_r(30)), dict(building_id="C1", phase="context", **_r())],
               [box(0, 0, 40, 12), box(x_new, 0, x_new + 40, 12)])
    t = fire_separations(after, before=before, counterparts={"N1": "E1"}, rules=RULES)
    row = t.iloc[0]
    assert row["required_m"] == 9.0 and row["existing_gap_m"] == pytest.approx(5.0)
    assert row["gap_m"] == pytest.approx(x_new - 40)
    assert Verdict(row["verdict"]) is verdict
    f = separation_findings(t)[0]
    assert f.geometry.length == pytest.approx(x_new - 40)
    if verdict is Verdict.PASS_NOT_WORSE:
        assert "original construction" in f.message_en


def test_existing_problem_removed():
    from gis.fire.separation import removed_separation_findings

    # existing E1-E2 5 m apart (multi, grade 2: 6 m required) - an existing failing pair
    before = _b([dict(building_id="E1", phase="existing", **_r()), dict(building_id="E2", phase="existing", **_r())],
                [box(0, 0, 40, 12), box(45, 0, 85, 12)])
    # 1) E2 demolished without replacement: the pair is gone -> PASS, existing problem removed
    after = _b([dict(building_id="N1", phase="proposed", **_r())], [box(0, 0, 40, 12)])
    t = fire_separations(after, before=before, counterparts={"N1": "E1"}, rules=RULES)
    f = removed_separation_findings(before, after, t, rules=RULES)
    assert [(x.subject_ids, x.verdict) for x in f] == [(("E1", "E2"), Verdict.PASS)]
    assert f[0].existing == pytest.approx(5.0) and f[0].threshold == 6.0 and f[0].proposed is None
    assert "现状问题已消除" in f[0].message_zh and f[0].geometry.length == pytest.approx(5.0)
    assert f[0].source == RULES.fire_separation.table_m.source
    # 2) both rebuilt 5 m apart again: the pair still exists (judged as N1-N2), nothing is reported as removed
    after = _b([dict(building_id="N1", phase="proposed", **_r()), dict(building_id="N2", phase="proposed", **_r())],
               [box(0, 0, 40, 12), box(45, 0, 85, 12)])
    t = fire_separations(after, before=before, counterparts={"N1": "E1", "N2": "E2"}, rules=RULES)
    assert removed_separation_findings(before, after, t, rules=RULES) == []
    assert Verdict(t.iloc[0]["verdict"]) is Verdict.PASS_NOT_WORSE
    # 3) one long block over both footprints: the pair is gone
    after = _b([dict(building_id="N1", phase="proposed", **_r())], [box(0, 0, 85, 12)])
    t = fire_separations(after, before=before, counterparts={"N1": "E1"}, rules=RULES)
    assert len(removed_separation_findings(before, after, t, rules=RULES)) == 1
    # 4) rebuilt 7 m apart: the triple passes and says the existing problem is removed
    after = _b([dict(building_id="N1", phase="proposed", **_r()), dict(building_id="N2", phase="proposed", **_r())],
               [box(0, 0, 40, 12), box(47, 0, 87, 12)])
    t = fire_separations(after, before=before, counterparts={"N1": "E1", "N2": "E2"}, rules=RULES)
    f = separation_findings(t)[0]
    assert f.verdict is Verdict.PASS and f.existing == pytest.approx(5.0) and "existing problem removed" in f.message_en
    assert removed_separation_findings(before, after, t, rules=RULES) == []
