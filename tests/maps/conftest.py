"""Fixtures of the map and report tests (see ``maps_fixture.py``)."""

from __future__ import annotations

import pytest
from maps_fixture import make_result


@pytest.fixture
def result(tmp_path):
    return make_result(tmp_path)


@pytest.fixture
def empty_result(tmp_path):
    return make_result(tmp_path, empty=True)
