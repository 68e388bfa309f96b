"""Tests of the built-in vendors, one folder per vendor (as pytest_fakeruns/vendors/)."""
