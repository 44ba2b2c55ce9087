"""The review map (审查图): an offline folium page of a review result.

>>> from maps import build_review_map, render_review_html  # doctest: +SKIP
"""

from maps.review import build_review_map, render_review_html

__all__ = ["build_review_map", "render_review_html"]
