"""Kinetic Task: runs of a source, one run, run-tree, the run object and its tasks."""
