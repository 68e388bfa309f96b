"""Every Python example in the README and docs/ that defines tests runs, and passes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def examples() -> list[tuple[str, str]]:
    found = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for i, block in enumerate(BLOCK.findall(doc.read_text(encoding="utf-8"))):
            if re.search(r"^def test_|^async def test_", block, re.MULTILINE):
                found.append((f"{doc.name}#{i}", block))
    return found


@pytest.mark.parametrize(("where", "code"), examples(), ids=[w for w, _ in examples()])
def test_doc_example_passes(pytester: pytest.Pytester, where: str, code: str) -> None:
    pytester.makepyfile(test_example=code)
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "error::pytest.PytestWarning")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 1, result.stdout.str()
    assert not outcomes.get("failed") and not outcomes.get("errors"), result.stdout.str()


def test_there_are_doc_examples() -> None:
    assert len(examples()) >= 2
