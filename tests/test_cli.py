"""`renewal check` end to end: the review package, languages, exit statuses, the bundled sample."""

from __future__ import annotations

import subprocess
import sys

import pyogrio
import pytest
from typer.testing import CliRunner

from gis.cli import app
from gis.datasets import get_path
from gis.testing import make_site_layers, write_site

runner = CliRunner()


def test_check_writes_package(tmp_path):
    site = write_site(make_site_layers(), tmp_path / "s.gpkg")
    out = tmp_path / "out"
    result = runner.invoke(app, ["check", str(site), "--out", str(out), "--quiet", "--only", "planning.*", "--only", "buildings.*"])
    assert result.exit_code == 0, result.output
    layers = dict(pyogrio.list_layers(out / "results.gpkg"))
    assert {"findings", "buildings", "indicators"} <= set(layers)
    findings = pyogrio.read_dataframe(out / "results.gpkg", layer="findings")
    assert {"rule_id", "verdict", "existing", "proposed", "threshold", "message_zh", "message_en"} <= set(findings.columns)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "主要技术经济指标表" in html and "容积率" in html and "http" not in html.split("<body>")[0]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_english_report(tmp_path):
    site = write_site(make_site_layers(), tmp_path / "s.gpkg")
    result = runner.invoke(app, ["check", str(site), "--out", str(tmp_path / "o"), "--lang", "en", "--quiet", "--only", "planning.*"])
    html = (tmp_path / "o" / "report.html").read_text(encoding="utf-8")
    assert result.exit_code == 0 and "Floor area ratio (FAR)" in html and "lang=\"en\"" in html


def test_exit_one_when_a_check_fails(tmp_path):
    layers = make_site_layers()
    p = layers["parcels"].copy()
    p["far_max"] = [0.3, 0.3]  # proposed FAR 0.63 exceeds it
    layers["parcels"] = p
    result = runner.invoke(app, ["check", str(write_site(layers, tmp_path / "s.gpkg")), "--out", str(tmp_path / "o"), "--quiet",
                                 "--only", "planning.*"])
    assert result.exit_code == 1
    findings = pyogrio.read_dataframe(tmp_path / "o" / "results.gpkg", layer="findings")
    far = findings[findings.rule_id == "FAR-01"].iloc[0]
    assert far.verdict == "FAIL" and far.proposed == pytest.approx(7560 / 12000) and far.threshold == pytest.approx(0.3)


def test_sample_site_end_to_end(tmp_path):
    """The bundled sample runs through a real process; it is built to contain failures (exit 1)."""
    out = tmp_path / "demo"
    proc = subprocess.run([sys.executable, "-m", "gis.cli", "check", str(get_path("sample")), "--out", str(out), "--quiet"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    findings = pyogrio.read_dataframe(out / "results.gpkg", layer="findings")
    verdicts = set(findings["verdict"])
    assert {"PASS", "FAIL", "WARN"} <= verdicts
    assert (out / "report.html").stat().st_size > 5000


def test_validate_command(tmp_path):
    site = write_site(make_site_layers(), tmp_path / "s.gpkg")
    result = runner.invoke(app, ["validate", str(site), "--lang", "en"])
    assert result.exit_code == 0 and "EPSG:4538" in result.output and "no height_m" in result.output


def test_output_errors_are_one_line_exit_2(tmp_path):
    site = write_site(make_site_layers(), tmp_path / "results.gpkg")
    result = runner.invoke(app, ["check", str(site), "--out", str(tmp_path), "--quiet", "--only", "planning.*"])
    assert result.exit_code == 2 and "would overwrite the input site" in result.output
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    other = write_site(make_site_layers(), tmp_path / "s.gpkg")
    result = runner.invoke(app, ["check", str(other), "--out", str(blocker / "out"), "--quiet", "--only", "planning.*"])
    assert result.exit_code == 2 and "fix: check the path" in result.output and "Traceback" not in result.output
