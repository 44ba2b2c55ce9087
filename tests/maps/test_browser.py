"""The review map in a real browser: headless Chromium with networking disabled.

The page is opened from ``file://`` with a dead proxy (so any network request fails and logs
a console error), a probe script appended after the map's own script counts the rendered
features, opens every hover tooltip and records any ``alert`` call.  Chromium's console is
read from its stderr (``--enable-logging=stderr``): the clean page prints no ``CONSOLE`` line.

Skipped, with a message, where ``chromium`` is not installed (``apt-get install chromium
fonts-noto-cjk``); CI (``.ci/run``) installs it.
"""

from __future__ import annotations

import html as htmllib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from maps_fixture import EVIL, EVIL_IMG, make_result

from maps import render_review_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (apt-get install chromium "
                                                  "fonts-noto-cjk); CI installs it in .ci/run"),
]

_PROBE = """
<script>
window.alert = function () { document.documentElement.setAttribute('data-alerted', '1'); };
window.addEventListener('load', function () { setTimeout(function () {
  var names = Object.keys(window).filter(function (k) { return k.indexOf('map_') === 0 && window[k] instanceof L.Map; });
  var m = window[names[0]];
  m.eachLayer(function (l) {
    var t = l.getTooltip && l.getTooltip();
    if (t && !t.options.permanent) { l.openTooltip(); }
  });
  setTimeout(function () {
    var tips = Array.prototype.map.call(document.querySelectorAll('.leaflet-tooltip'), function (e) { return e.textContent; });
    var res = {
      maps: names.length,
      interactive: document.querySelectorAll('path.leaflet-interactive').length,
      images: document.querySelectorAll('img.leaflet-image-layer').length,
      timeline: document.querySelectorAll('.leaflet-timeline-control').length,
      fullscreen: document.querySelectorAll('.leaflet-control-zoom-fullscreen, .leaflet-control-fullscreen').length,
      measure: document.querySelectorAll('.leaflet-control-measure').length,
      layers: document.querySelectorAll('.leaflet-control-layers-overlays label').length,
      scripts_in_tooltips: document.querySelectorAll('.leaflet-tooltip script, .leaflet-tooltip img').length,
      tooltips: tips
    };
    document.body.setAttribute('data-probe', JSON.stringify(res));
  }, 300);
}, 300); });
</script>
"""


def _open(page: str, tmp_path: Path) -> tuple[dict, list[str], str]:
    """Open ``page`` (with the probe) headless; return the probe result, console lines, alert flag."""
    path = tmp_path / "review_probe.html"
    path.write_text(page.replace("</html>", _PROBE + "</html>"), encoding="utf-8")
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--no-first-run", "--proxy-server=127.0.0.1:9",
           "--proxy-bypass-list=<-loopback>", f"--user-data-dir={tmp_path / 'profile'}",
           "--enable-logging=stderr", "--v=0", "--virtual-time-budget=8000", "--window-size=1400,900",
           "--dump-dom", path.as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line]
    m = re.search(r'data-probe="([^"]*)"', proc.stdout)
    assert m, f"probe did not run; stderr tail: {proc.stderr[-2000:]}"
    probe = json.loads(htmllib.unescape(m.group(1)))
    alerted = 'data-alerted="1"' in proc.stdout
    return probe, console, alerted


def test_review_map_renders_offline_with_expected_features(tmp_path):
    page = render_review_html(make_result(tmp_path), lang="zh")
    probe, console, alerted = _open(page, tmp_path)
    assert console == [], console
    assert probe["maps"] == 1
    # shown on opening: parcels 2, net land 1, buildings kept/proposed/context 3, fire lane 1,
    # spacing dimension line 1, fire-lane finding 1, window markers 2, the 09:00 "after" shadow 1
    assert probe["interactive"] == 12, probe
    assert probe["images"] == 1  # ground hours "after"; "before" starts hidden
    assert probe["timeline"] == 1 and probe["fullscreen"] >= 1 and probe["measure"] == 1
    # overlays: parcels, net land, roads, green, buildings ×4, fire lanes, two finding topics,
    # windows, ground hours ×2, shadows ×2
    assert probe["layers"] == 16, probe
    # escaping: the hostile names show as text, never as markup, and nothing called alert()
    assert not alerted and probe["scripts_in_tooltips"] == 0
    text = " ".join(probe["tooltips"])
    assert EVIL in text and EVIL_IMG in text
    assert "28.0 m" in text  # permanent dimension label


def test_sample_review_map_has_no_console_errors(tmp_path):
    from gis.datasets import get_path
    from gis.io.package import write_review_package
    from gis.pipeline import run_review
    from gis.rules import load_rules
    from gis.site import load_site

    rules = load_rules()
    result = run_review(load_site(get_path("sample"), rules=rules), rules)
    files = write_review_package(result, tmp_path / "pkg", lang="en")
    assert files["sunlight.tif"].is_file()
    probe, console, alerted = _open(files["review.html"].read_text(encoding="utf-8"), tmp_path)
    assert console == [], console
    assert probe["interactive"] > 50 and probe["timeline"] == 1 and not alerted
    assert probe["images"] == 1


def test_compare_map_renders_offline(tmp_path):
    from maps import render_compare_html

    probe, console, alerted = _open(render_compare_html(make_result(tmp_path), lang="zh"), tmp_path)
    assert console == [], console
    # the probe counts the whole page: left (parcels 2, existing + kept + context 3) and right
    # (net land 1, kept + proposed + context 3, lane 1, two findings, windows 2)
    assert probe["maps"] == 2 and probe["interactive"] == 5 + 9 and probe["images"] == 2 and not alerted
