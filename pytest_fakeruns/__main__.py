"""``python -m pytest_fakeruns serve``: the same as the ``fakeruns`` command."""

from __future__ import annotations

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m pytest_fakeruns"))
