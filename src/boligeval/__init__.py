"""boligeval: evaluation engine for area-based social-housing programmes."""

from __future__ import annotations

__version__ = "0.1.0"
