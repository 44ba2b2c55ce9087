"""The registry adapter on the small synthetic site of gis.testing (two 60 × 100 m project parcels)."""

from __future__ import annotations

import pytest
from pyproj import CRS

from gis.registry import CheckContext, discover_checks, run_checks
from gis.rules import load_rules
from gis.site import site_from_layers
from gis.testing import make_site_layers


def test_parcels_checks_add_layers_products_and_findings():
    rules = load_rules()
    site = site_from_layers(make_site_layers(), CRS.from_epsg(4538), rules=rules)
    ctx = CheckContext(site=site, rules=rules)
    checks = [c for c in discover_checks() if c.name.startswith("parcels.")]
    findings = run_checks(ctx, checks=checks, strict=True)
    assert {"net_land", "parcel_issues", "scrap_plots", "pooling_ledger"} <= set(ctx.outputs)
    assert ctx.products["net_land_area_m2"] == pytest.approx(12_000.0)  # 120 × 100 m, road outside the parcels
    assert ctx.products["total_land_area_m2"] == pytest.approx(12_000.0)
    rules_seen = {f.rule_id for f in findings}
    assert {"LC-05", "LC-07", "LC-09", "LC-10", "TDR-01", "TDR-02", "TDR-04"} <= rules_seen
    ledger = ctx.outputs["pooling_ledger"].data
    assert ledger["in_m2"].sum() == pytest.approx(ledger["out_m2"].sum(), abs=0.01)
    for f in findings:
        assert f.message_zh and f.message_en
