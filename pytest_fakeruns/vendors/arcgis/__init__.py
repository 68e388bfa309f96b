"""ArcGIS Enterprise administrator API: system task runs (docs/contracts/arcgis.md)."""

from __future__ import annotations

from .definition import ArcGIS

__all__ = ["ArcGIS"]
