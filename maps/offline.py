"""Make a rendered folium page self-contained: inline every CDN script and stylesheet.

folium (0.20) and its plugins reference Leaflet and the plugins' JS/CSS by CDN URL
(``folium/folium.py::_default_js``, each plugin's ``default_js``/``default_css``).  A meeting room
or CI machine has no network, so :func:`inline_assets` replaces every ``<script src=URL>`` and
``<link href=URL>`` with the vendored copy under ``maps/vendor/`` (taken from the npm registry,
licences beside them), and rewrites the ``url(...)`` images the stylesheets use to ``data:`` URIs.

An unknown external URL raises :class:`OfflineAssetError`: a folium upgrade that moves a pinned
CDN version fails loudly instead of writing a map that is blank offline.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

__all__ = ["VENDOR_DIR", "CDN_ASSETS", "OfflineAssetError", "inline_assets", "external_refs", "vendored_asset"]

VENDOR_DIR = Path(__file__).with_name("vendor")

# CDN URL used by folium 0.20 / its plugins → vendored file (relative to VENDOR_DIR).
CDN_ASSETS: dict[str, str] = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet@1.9.3/dist/leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet@1.9.3/dist/leaflet.css",
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js":
        "leaflet.fullscreen@3.0.0/Control.FullScreen.js",
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css":
        "leaflet.fullscreen@3.0.0/Control.FullScreen.css",
    "https://cdn.jsdelivr.net/gh/ljagis/leaflet-measure@2.1.7/dist/leaflet-measure.min.js":
        "leaflet-measure@2.1.7/dist/leaflet-measure.min.js",
    "https://cdn.jsdelivr.net/gh/ljagis/leaflet-measure@2.1.7/dist/leaflet-measure.min.css":
        "leaflet-measure@2.1.7/dist/leaflet-measure.css",
    "https://cdn.jsdelivr.net/npm/leaflet.timeline@1.6.0/dist/leaflet.timeline.min.js":
        "leaflet.timeline@1.6.0/dist/leaflet.timeline.js",
    "https://cdnjs.cloudflare.com/ajax/libs/moment.js/2.18.1/moment.min.js": "moment@2.18.1/min/moment.min.js",
    "https://cdn.jsdelivr.net/gh/jieter/Leaflet.Sync/L.Map.Sync.min.js": "leaflet.sync@0.2.4/L.Map.Sync.js",
}

_SCRIPT_RE = re.compile(r'<script\s+src="(?P<url>[^"]+)"\s*>\s*</script>')
_LINK_RE = re.compile(r'<link\s+rel="stylesheet"\s+href="(?P<url>[^"]+)"\s*/?>')
_CSS_URL_RE = re.compile(r"url\((?P<q>['\"]?)(?P<ref>[^'\")]+)(?P=q)\)")


class OfflineAssetError(KeyError):
    """A rendered page references an external script or stylesheet with no vendored copy."""


@cache
def vendored_asset(rel: str) -> str:
    """Text of a vendored file (``rel`` relative to :data:`VENDOR_DIR`); CSS with images inlined."""
    path = VENDOR_DIR / rel
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".css":
        text = _inline_css_urls(text, path.parent)
    return text


def _inline_css_urls(css: str, base: Path) -> str:
    def repl(m: re.Match) -> str:
        ref = m.group("ref")
        if ref.startswith(("data:", "#")):
            return m.group(0)
        file = (base / ref).resolve()
        if not file.is_file():  # a reference we do not vendor (e.g. a retina variant): drop it
            return "url(data:,)"
        mime = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        return f"url(data:{mime};base64,{base64.b64encode(file.read_bytes()).decode('ascii')})"

    return _CSS_URL_RE.sub(repl, css)


def _safe_script(js: str) -> str:
    # A literal "</script" inside inlined code would end the element early.
    return js.replace("</script", "<\\/script")


def inline_assets(html: str) -> str:
    """Replace every CDN ``<script src>`` / ``<link rel=stylesheet href>`` by inline code.

    Raises
    ------
    OfflineAssetError
        When a script or stylesheet URL has no vendored copy in :data:`CDN_ASSETS`.
    """

    def script(m: re.Match) -> str:
        url = m.group("url")
        if url not in CDN_ASSETS:
            raise OfflineAssetError(f"no vendored copy of script {url}; add it to maps/vendor and CDN_ASSETS")
        return f"<script>/* {CDN_ASSETS[url]} */\n{_safe_script(vendored_asset(CDN_ASSETS[url]))}\n</script>"

    def link(m: re.Match) -> str:
        url = m.group("url")
        if url not in CDN_ASSETS:
            raise OfflineAssetError(f"no vendored copy of stylesheet {url}; add it to maps/vendor and CDN_ASSETS")
        return f"<style>/* {CDN_ASSETS[url]} */\n{vendored_asset(CDN_ASSETS[url])}\n</style>"

    html = _SCRIPT_RE.sub(script, html)
    html = _LINK_RE.sub(link, html)
    left = external_refs(html)
    if left:
        raise OfflineAssetError(f"external references left in the page: {left[:5]}")
    return html


class _RefParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value and re.match(r"\s*(?:https?:)?//", value, re.IGNORECASE):
                self.refs.append(f"<{tag} {name}={value}>")


def external_refs(html: str) -> list[str]:
    """Every ``src``/``href`` attribute of an HTML element that points to ``http(s)://`` or ``//``.

    Text inside ``<script>`` (JavaScript string literals) is not markup and is not reported.
    """
    parser = _RefParser()
    parser.feed(html)
    parser.close()
    return parser.refs
