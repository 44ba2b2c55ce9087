"""Rule packs: every number carries a source and status; overrides merge; bad packs give clear lines."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from gis.cli import app
from gis.rules import RulePackError, available_packs, load_rules

runner = CliRunner()


def test_default_pack_is_urumqi_and_complete():
    rules = load_rules()
    assert rules.meta.name == "urumqi"
    assert "urumqi" in available_packs()
    params = list(rules.params())
    assert len(params) > 100
    for path, p in params:
        assert p.source.strip(), path
        assert p.status in {"V", "P", "R", "S", "D"}, path


def test_key_numbers_match_rules_catalogue():
    r = load_rules()
    # Values from shared/domain/RULES.md, typed here independently of the TOML.
    assert r.fire_lane.min_width_m.value == 4.0 and r.fire_lane.min_width_m.status == "V"
    assert r.fire_lane.deadend_max_len_m.value == 40.0
    assert (r.fire_lane.turnaround_m.value, r.fire_lane.turnaround_high_rise_m.value, r.fire_lane.turnaround_heavy_m.value) == (12, 15, 18)
    assert r.rescue_site.min_length_m.value == 15 and r.rescue_site.min_width_m.value == 10
    assert r.fire_separation.table_m.value[0][0] == 13 and r.fire_separation.table_m.value[1][1] == 6
    assert r.building.height_class.residential_multi_max_m.value == 27
    assert r.building.storey_height_new_min_m.value == 3.0
    assert [t.ratio for t in r.massing.tiers.value] == [0.30, 0.30, 0.20, 0.10]
    assert r.sunlight.min_hours.value == 2 and r.sunlight.band_start_h.value == 8 and r.sunlight.band_end_h.value == 16
    assert r.land.scrap_max_area_m2.value == 2000 and r.land.scrap_share_max.value == 0.10
    assert r.crs.project_epsg.value == 4538 and r.crs.zone_prefixed_epsg.value == 4517
    assert [t.height_m.value for t in r.building.height_thresholds] == [27, 33, 54, 100]


def test_partial_override_merges_and_marks_source(tmp_path):
    f = tmp_path / "my.toml"
    f.write_text(
        "[fire_lane]\nmin_width_m = 4.5\n"
        "[sunlight.min_hours]\nvalue = 3.0\nsource = \"本地规定 第5条\"\nstatus = \"R\"\n"
        "[fire_lane.turnaround_m]\nvalue = 15.0\n",
        encoding="utf-8",
    )
    r = load_rules(f)
    assert r.fire_lane.min_width_m.value == 4.5
    assert r.fire_lane.min_width_m.source == "override: my.toml" and r.fire_lane.min_width_m.status == "L"
    assert r.fire_lane.min_width_m.unit == "m"  # kept from the default
    assert r.sunlight.min_hours.value == 3.0 and r.sunlight.min_hours.source == "本地规定 第5条"
    assert r.fire_lane.turnaround_m.value == 15.0 and r.fire_lane.turnaround_m.status == "L"
    assert r.fire_lane.deadend_max_len_m.value == 40.0  # untouched
    assert r.origin[-1] == str(f)


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("[fire_lane]\nmin_widht_m = 4.5\n", "fire_lane.min_widht_m: unknown rule parameter"),
        ("[fire_lane]\nmin_width_m = \"wide\"\n", "fire_lane.min_width_m.value"),
        ("[fire_lane\nmin_width_m = 4\n", "not valid TOML"),
        ("[meta]\nbase = \"atlantis\"\n", "meta.base = 'atlantis' is not a bundled pack"),
        ("[sunlight.accumulation]\nvalue = \"sometimes\"\n", "sunlight.accumulation.value"),
    ],
)
def test_bad_packs_give_one_clear_line(tmp_path, text, fragment):
    f = tmp_path / "bad.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(RulePackError) as exc:
        load_rules(f)
    assert any(fragment in line for line in exc.value.problems), exc.value.problems
    result = runner.invoke(app, ["rules", "show", "--rules", str(f)])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_missing_pack_file(tmp_path):
    with pytest.raises(RulePackError, match="file not found"):
        load_rules(tmp_path / "none.toml")


def test_rules_show_prints_sources():
    result = runner.invoke(app, ["rules", "show", "--lang", "en"])
    assert result.exit_code == 0
    assert "fire_lane.min_width_m" in result.output
    assert "GB 50016-2014(2018) 7.1.8-1" in result.output
    assert "massing.tiers" in result.output


def test_rules_show_with_override(tmp_path):
    f = tmp_path / "o.toml"
    f.write_text("[rescue_site]\nmin_length_m = 18.0\n", encoding="utf-8")
    result = runner.invoke(app, ["rules", "show", "--rules", str(f)])
    assert result.exit_code == 0
    assert "override: o.toml" in result.output
