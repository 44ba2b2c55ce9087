"""Hand-computed cases for MS-01..MS-03 and the counted-area item table (seed 六(一)1–2)."""

import numpy as np
import pandas as pd
import pytest

from gis.findings import Verdict
from gis.massing.area import (
    allowance_findings,
    allowance_summary,
    counted_area,
    counted_area_totals,
    dwelling_allowance,
    dwelling_findings,
    household_findings,
    tier_index,
)
from gis.rules import load_rules
from gis.rules.loader import RULES_DIR, _read_toml, merge_packs
from gis.rules.model import RulePack

RULES = load_rules()


def test_tier_edges_upper_inclusive():
    # seed as written: A<=50 | 50<A<=70 | 70<A<=90 | A>=90 (90 takes the 70-90 tier)
    idx = tier_index([30, 50, 50.01, 70, 70.5, 90, 90.01, 200, 0, np.nan], rules=RULES)
    assert list(idx) == [0, 0, 1, 1, 2, 2, 3, 3, -1, -1]


def test_tier_edges_lower_inclusive():
    raw = merge_packs(_read_toml(RULES_DIR / "urumqi.toml"), {"massing": {"edge_rule": "lower_inclusive"}}, origin="t")
    rp = RulePack.model_validate(raw)
    assert list(tier_index([50, 70, 90, 49.9], rules=rp)) == [1, 2, 3, 0]


def _dw():
    return pd.DataFrame(
        {
            "building_id": ["E1", "E1", "E1", "E2", "E2"],
            "unit_no": ["101", "102", "103", "101", "102"],
            "property_area_m2": [40.0, 60.0, 90.0, 100.0, 60.0],
            "new_area_m2": [52.0, 78.5, 108.0, 110.5, 72.0],
        }
    )


def test_dwelling_caps_hand_computed():
    t = dwelling_allowance(_dw(), rules=RULES)
    # cap A x (1 + r): 40 -> 52 ; 60 -> 78 ; 90 (70-90 tier, 20 %) -> 108 ; 100 (10 %) -> 110
    assert t["dwelling_cap_m2"].tolist() == pytest.approx([52.0, 78.0, 108.0, 110.0, 78.0])
    # the same less the reserved public share: 40 x 1.25 = 50 ; 60 x 1.2 = 72 ; 90 x 1.1 = 99 ; 100 x 1.1 = 110
    assert t["net_of_public_cap_m2"].tolist() == pytest.approx([50.0, 72.0, 99.0, 110.0, 72.0])
    assert t["allowance_m2"].tolist() == pytest.approx([12.0, 18.0, 18.0, 10.0, 18.0])
    assert t["public_min_m2"].tolist() == pytest.approx([2.0, 6.0, 9.0, 0.0, 6.0])
    assert t["verdict"].tolist() == ["PASS", "FAIL", "WARN", "FAIL", "PASS"]
    assert t["at_tier_edge"].tolist() == [False, False, True, False, False]


def test_dwelling_findings_per_building():
    t = dwelling_allowance(_dw(), rules=RULES)
    f = dwelling_findings(t, rules=RULES)
    kinds = sorted((x.rule_id, x.subject_ids[0], x.subject_ids[1:], str(x.verdict)) for x in f)
    assert kinds == [
        ("MS-01", "E1", ("103",), "WARN"),  # exactly 90 m2
        ("MS-03", "E1", ("102",), "FAIL"),  # 78.5 > 78
        ("MS-03", "E2", ("101",), "FAIL"),  # 110.5 > 110
    ]
    assert all(x.message_zh and x.message_en for x in f)


def test_building_and_project_sums():
    t = dwelling_allowance(_dw(), rules=RULES)
    s = allowance_summary(t, by="building_id").set_index("building_id")
    assert s.loc["E1", "allowance_m2"] == pytest.approx(48.0)
    assert s.loc["E1", "added_m2"] == pytest.approx(12 + 18.5 + 18)
    p = allowance_summary(t, by=None).iloc[0]
    assert p["allowance_m2"] == pytest.approx(76.0)
    # E1: added 48.5 + lifts 20 = 68.5 > 48 -> FAIL ; E2: added 10.5 + 12 = 22.5 <= 28 -> PASS
    f = allowance_findings(t, lift_public_m2={"E1": 20.0}, rules=RULES)
    by = {x.subject_ids[0]: x for x in f if x.rule_id == "MS-03"}
    assert by["E1"].verdict is Verdict.FAIL and by["E1"].proposed == pytest.approx(68.5)
    assert by["E2"].verdict is Verdict.PASS
    # project on the gross-area basis: demolished 500 m2 x (1 + 76/350) = 608.57 m2
    f = allowance_findings(t, proposed_gfa_m2=600.0, existing_gfa_m2=500.0, rules=RULES)
    proj = [x for x in f if x.details.get("proposed_gfa_m2")]
    assert proj[0].verdict is Verdict.PASS and proj[0].threshold == pytest.approx(500 * (1 + 76 / 350))
    f = allowance_findings(t, proposed_gfa_m2=610.0, existing_gfa_m2=500.0, rules=RULES)
    assert [x.verdict for x in f if x.details.get("proposed_gfa_m2")] == [Verdict.FAIL]


def test_missing_area_not_checked():
    d = _dw()
    d.loc[0, "property_area_m2"] = np.nan
    t = dwelling_allowance(d, rules=RULES)
    f = dwelling_findings(t, rules=RULES)
    nc = [x for x in f if x.verdict is Verdict.NOT_CHECKED]
    assert len(nc) == 1 and "property_area_m2" in nc[0].message_en and nc[0].subject_ids == ("E1", "101")


def _bld(hh_new):
    return pd.DataFrame(
        {
            "building_id": ["E1", "E2", "P1", "C1"],
            "phase": ["existing", "existing", "proposed", "context"],
            "households": [12, 0, hh_new, 30],
            "use": ["residential"] * 4,
        }
    )


@pytest.mark.parametrize("hh_new, verdict", [(17, Verdict.PASS), (12, Verdict.PASS), (18, Verdict.FAIL)])
def test_households_not_increase(hh_new, verdict):
    # E2 has households 0 (unknown) -> filled from the dwellings table (5 rows) ... E1 12 + E2 5 = 17
    dw = pd.DataFrame({"building_id": ["E2"] * 5, "unit_no": list("abcde"), "property_area_m2": [50.0] * 5})
    f = household_findings(_bld(hh_new), dwellings=dw, counterparts={"P1": ["E1", "E2"]}, rules=RULES)
    by = {x.subject_ids[0]: x for x in f}
    assert by["P1"].existing == 17 and by["P1"].verdict is verdict
    assert by["project"].verdict is verdict


def test_rehoused_one_to_one():
    b = _bld(13)
    f = household_findings(b, rehoused={"P1": 12}, rules=RULES)
    assert f[0].subject_ids[0] == "P1" and f[0].existing == 12 and f[0].verdict is Verdict.FAIL


def test_public_building_has_no_households():
    b = pd.concat([_bld(17), pd.DataFrame({"building_id": ["S1"], "phase": ["proposed"], "households": [0],
                                           "use": ["public"]})], ignore_index=True)
    dw = pd.DataFrame({"building_id": ["E2"] * 5, "unit_no": list("abcde"), "property_area_m2": [50.0] * 5})
    f = household_findings(b, dwellings=dw, rules=RULES)
    assert f[-1].verdict is Verdict.PASS and f[-1].proposed == 17


def test_households_unknown_not_checked():
    f = household_findings(_bld(0), rules=RULES)
    assert f[-1].verdict is Verdict.NOT_CHECKED and "E2" in f[-1].message_en


def test_counted_area_premium_free():
    b = pd.DataFrame(
        {
            "phase": ["existing", "proposed", "kept", "context"],
            "gfa_m2": [1000.0, 1300.0, 200.0, 5000.0],
            "lift_public_area_m2": [0.0, 100.0, 0.0, 0.0],
        }
    )
    items = counted_area(b, rules=RULES).set_index("item")
    assert items.loc["residential", "existing_m2"] == 1200.0
    assert items.loc["residential", "proposed_m2"] == 1400.0
    assert items.loc["lift_public", "proposed_m2"] == 100.0
    tot = counted_area_totals(items.reset_index())
    assert tot == {"existing": 1200.0, "proposed": 1500.0, "premium_free_existing": 0.0, "premium_free_proposed": 100.0}
