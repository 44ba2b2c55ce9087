"""The examples in the docstrings run and give what they show (imported normally, so numba caches work)."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import pkgutil
from pathlib import Path

import pytest

import gis
import maps


def _modules_with_examples() -> list[str]:
    names = []
    for pkg in (gis, maps):
        for info in pkgutil.walk_packages(pkg.__path__, prefix=pkg.__name__ + "."):
            spec = importlib.util.find_spec(info.name)
            if spec and spec.origin and spec.origin.endswith(".py") and ">>> " in Path(spec.origin).read_text(encoding="utf-8"):
                names.append(info.name)
    return names


@pytest.mark.parametrize("name", _modules_with_examples())
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
