"""ArcGIS: task runs, the three output formats, the update operation."""
