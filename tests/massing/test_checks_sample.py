"""The massing and fire checks on the bundled sample site, against the verdicts its README plants."""

from collections import Counter
from pathlib import Path

import pytest

from gis.findings import Verdict
from gis.registry import CheckContext, discover_checks, run_checks
from gis.rules import load_rules

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample" / "site.gpkg"
pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason="sample site not generated")


@pytest.fixture(scope="module")
def run():
    from gis.site import load_site

    rules = load_rules()
    ctx = CheckContext(site=load_site(SAMPLE, rules=rules), rules=rules)
    checks = [c for c in discover_checks() if c.name.startswith(("parcels", "massing.", "fire."))]
    return ctx, run_checks(ctx, checks=checks, strict=True)


def _find(findings, rule, *ids):
    return [f for f in findings if f.rule_id == rule and all(i in f.subject_ids for i in ids)]


def test_added_area_and_households(run):
    ctx, f = run
    fails = {f_.subject_ids[0]: f_.details["units"] for f_ in f if f_.rule_id == "MS-03" and f_.verdict is Verdict.FAIL
             and "units" in f_.details}
    assert fails == {"B05": ["1-6-01"], "B06": ["3-5-02"], "B07": ["2-4-01"], "B08": ["4-3-02"],
                     "B11": ["1-2-01"], "B12": ["2-5-02"]}
    edge = sum(len(x.details["units"]) for x in f if x.rule_id == "MS-01" and x.verdict is Verdict.WARN
               and "units" in x.details)
    assert edge == 24  # every dwelling of exactly 90 m2
    assert _find(f, "MS-02", "P02")[0].verdict is Verdict.FAIL  # 126 households, 124 re-housed
    proj = [x for x in _find(f, "MS-02", "project") if x.existing == 544]
    assert proj[0].proposed == 542 and proj[0].verdict is Verdict.PASS
    assert {"existing", "proposed", "premium_free_proposed"} <= set(ctx.products["counted_area"])
    assert ctx.products["counted_area"]["premium_free_proposed"] == pytest.approx(520 + 610 + 260 + 36)


def test_fire(run):
    ctx, f = run
    assert _find(f, "SEP-01", "B01", "P01")[0].verdict is Verdict.FAIL
    assert _find(f, "SEP-01", "B09", "B10")[0].verdict is Verdict.PASS_NOT_WORSE
    width = [x for x in f if x.rule_id == "FL-05" and x.unit == "m" and x.subject_ids[0].startswith("lane")]
    assert width[0].proposed == pytest.approx(3.5, abs=0.05) and width[0].verdict is Verdict.PASS_NOT_WORSE
    assert _find(f, "FL-05", "clear_height")[0].verdict is Verdict.PASS_NOT_WORSE
    assert [x.verdict for x in f if x.rule_id == "FL-01"] == [Verdict.PASS]
    # F15 ends in a 15 x 15 m turnaround; the existing 60 m dead end F14 (x 548338-548398, no turnaround) is gone
    fl10 = [x for x in f if x.rule_id == "FL-10"]
    assert [x.verdict for x in fl10] == [Verdict.PASS, Verdict.PASS]
    assert fl10[0].proposed == 15.0 and fl10[0].threshold == 15.0
    assert fl10[1].existing == 0.0 and fl10[1].proposed is None and "existing problem removed" in fl10[1].message_en
    assert 60.0 <= fl10[1].details["length_m"] <= 62.5  # 60 m lane + up to the spine's centre line
    # the new lane F06 has four sharp inner corners (radius 0) where none existed: FAIL against 12 m (aerial)
    fl06 = [x for x in f if x.rule_id == "FL-06" and x.verdict is Verdict.FAIL]
    assert sorted((round(x.geometry.x), round(x.geometry.y)) for x in fl06) == [
        (548318, 4851738), (548322, 4851743), (548398, 4851743), (548398, 4851747)]
    assert all(x.proposed == 0.0 and x.threshold == 12.0 and x.existing is None for x in fl06)
    assert all(x.verdict is not Verdict.FAIL for x in _find(f, "RS-01", "P01") + _find(f, "RS-03", "P01"))
    assert _find(f, "RS-01", "P02")[0].verdict is Verdict.FAIL
    assert _find(f, "RS-03", "P02")[0].verdict is Verdict.FAIL
    for name in ["dwelling_area", "counted_area", "building_heights", "spacing_pairs", "setbacks",
                 "fire_separations", "fire_lane_checks", "rescue_site_checks"]:
        assert name in ctx.outputs
    mine = [x for x in f if x.rule_id.startswith(("MS", "SP", "SB", "SEP", "FL", "RS", "CL-FIRE"))]
    assert Counter(str(x.verdict) for x in mine)["NOT_CHECKED"] == 0
