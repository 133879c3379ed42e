"""Test-suite setup: ``tests/`` on the path for ``support``; hypothesis profiles."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent))

# The suite asserts Chinese by default and the bundled series: a developer's own language or
# series must not change what the commands under test print.
for _name in ("MEDCALC_LANG", "MEDCALC_SERIES"):
    os.environ.pop(_name, None)

settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
