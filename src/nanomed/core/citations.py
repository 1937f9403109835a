"""Literature references used by the models, registered at run time (as PyBaMM does).

``cite(key)`` records that a model was used; :func:`citations` lists what a run actually relied on.
"""

from __future__ import annotations

__all__ = ["REFERENCES", "citations", "cite", "reset_citations"]

#: key -> full reference. Models add to it with :func:`cite`'s ``text`` argument.
REFERENCES: dict[str, str] = {}
_used: list[str] = []


def cite(key: str, text: str | None = None) -> str:
    """Register that ``key`` was used (and its full text on first use); return ``key``."""
    if text is not None:
        REFERENCES.setdefault(key, text)
    if key not in _used:
        _used.append(key)
    return key


def citations() -> list[str]:
    """Return the full references used so far, in order of first use."""
    return [REFERENCES.get(k, k) for k in _used]


def reset_citations() -> None:
    """Forget which references were used (e.g. between runs)."""
    _used.clear()
