"""Counting in words: ``1 day``, ``2 days``."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun, singular for one: ``counted(1, "day")`` → ``1 day``; irregular
    plurals are given: ``counted(3, "company", "companies")``."""
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"
