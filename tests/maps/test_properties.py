"""Laws of the small helpers, checked with hypothesis."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from gis.io.xlsx import sheet_name
from maps.layers import display_value


@given(st.text())
def test_display_text_is_inert_markup_that_reads_back_as_the_input(text):
    shown = display_value(text)
    assert "<" not in shown and ">" not in shown and '"' not in shown
    assert html.unescape(shown) == text


@given(st.lists(st.text(min_size=0, max_size=60), min_size=1, max_size=30))
def test_sheet_names_always_valid_and_unique(titles):
    used: set[str] = set()
    names = [sheet_name(t, used) for t in titles]
    assert len({n.lower() for n in names}) == len(names)
    for n in names:
        assert 1 <= len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n)
