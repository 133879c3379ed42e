"""Placeholder: `medcalc` audit commands are being written."""

from __future__ import annotations
