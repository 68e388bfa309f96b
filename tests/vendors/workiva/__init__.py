"""Workiva: the deprecated script-runs list, its cursor, the token endpoint."""
