"""The review map (审查图): an offline folium page of a review result.

:func:`render_review_html` (one map, layers toggled) and :func:`render_compare_html` (before /
after side by side, synchronised) return self-contained HTML; see :mod:`maps.review`.
"""

from maps.review import build_compare_map, build_review_map, render_compare_html, render_review_html

__all__ = ["build_review_map", "render_review_html", "build_compare_map", "render_compare_html"]
