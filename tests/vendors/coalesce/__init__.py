"""Coalesce: runs, the list and its keyset pages, the scheduler, errors."""
