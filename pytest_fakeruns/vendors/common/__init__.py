"""Helpers shared by several built-in vendors: OData queries (``odata``), HTTP Basic
credentials (``basic_auth``) and a parent's runs in list order (``lazy_order``).

Like every vendor module they import only :mod:`pytest_fakeruns.vendor_kit` and the standard
library; a vendor pack may use them too.
"""
