"""The check registry: plug-ins register without touching the pipeline; a crashing check cannot hide."""

from __future__ import annotations

import pytest

from gis.findings import Finding, Verdict
from gis.pipeline import run_review
from gis.registry import (
    CheckContext,
    discover_checks,
    register_check,
    registered_checks,
    run_checks,
    unregister_check,
)
from gis.rules import load_rules
from gis.site import site_from_layers
from gis.testing import make_site_layers

RULES = load_rules()


@pytest.fixture
def site():
    layers = make_site_layers()
    return site_from_layers(layers, layers["buildings"].crs, rules=RULES)


def test_foundation_checks_are_discovered():
    names = {c.name for c in discover_checks()}
    assert {"planning.indicators", "planning.height", "buildings.height_crossing", "buildings.storey_height"} <= names


def test_plugin_check_runs_and_adds_layers(site):
    @register_check("test.plugin", rule_ids=("T-1",), order=999, title_zh="测试", title_en="test")
    def _plugin(ctx: CheckContext):
        ctx.add_layer("test_table", site.buildings[["building_id"]], title_zh="测试表", title_en="test table")
        shared = ctx.product("answer", lambda: 42)
        return [Finding("T-1", ("project",), Verdict.PASS, f"值 {shared}", f"value {shared}")]

    try:
        result = run_review(site, RULES, strict=True, only=["test.*", "planning.*"])
        assert any(f.rule_id == "T-1" and f.message_en == "value 42" for f in result.findings)
        assert "test_table" in result.context.outputs
        assert [c.name for c in registered_checks()][-1] == "test.plugin"
    finally:
        unregister_check("test.plugin")


def test_crashing_check_becomes_not_checked(site):
    @register_check("test.crash", rule_ids=("T-2",), order=998)
    def _crash(ctx):
        raise RuntimeError("boom")

    try:
        ctx = CheckContext(site=site, rules=RULES)
        findings = run_checks(ctx, checks=[c for c in registered_checks() if c.name == "test.crash"])
        assert findings[0].verdict is Verdict.NOT_CHECKED and "boom" in findings[0].message_en
        assert ctx.errors and "boom" in ctx.errors[0]
        with pytest.raises(RuntimeError):
            run_checks(ctx, checks=[c for c in registered_checks() if c.name == "test.crash"], strict=True)
    finally:
        unregister_check("test.crash")


def test_crossing_and_storey_findings(site):
    result = run_review(site, RULES, strict=True, only=["buildings.*"])
    xing = [f for f in result.findings if f.rule_id == "CL-XING"]
    assert len(xing) == 1 and xing[0].verdict is Verdict.WARN
    assert xing[0].threshold == 27.0 and "登高" in xing[0].message_zh and "rescue site" in xing[0].message_en
    st = [f for f in result.findings if f.rule_id == "ST-01"]
    assert st[0].verdict is Verdict.PASS and st[0].proposed == 3.0


def test_every_checks_module_imports():
    from gis.registry import DISCOVERY_ERRORS

    discover_checks()
    assert DISCOVERY_ERRORS == []
