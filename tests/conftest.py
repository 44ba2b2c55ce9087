"""Test-suite settings shared by every package.

On CI (``CI`` set) hypothesis runs derandomized: the same examples on every run, so a
submission's result does not depend on the draw.  Locally the examples vary, which is how new
counter-examples are found; hypothesis stores them in ``.hypothesis/`` and replays them.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
