"""Result objects shared by every scale: a tidy table plus metadata, saved atomically.

A result holds one long-format :class:`pandas.DataFrame` and a JSON-serialisable ``metadata`` dict
(model name, parameters, units, provenance). ``save`` writes ``<stem>.parquet`` and ``<stem>.json``
through a temporary file and an atomic rename, so that a killed job never leaves a half-written file.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, Self

import pandas as pd

from nanomed.core.errors import DataError

__all__ = ["Result", "atomic_write"]


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` and rename the temporary file onto ``path`` atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        # mkstemp creates the file 0600; give it the permissions a normal open() would
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


class Result:
    """A tidy table with metadata.

    Parameters
    ----------
    data : pandas.DataFrame
        Long-format table of the result.
    metadata : dict
        JSON-serialisable description (model, parameters, units, provenance).
    """

    #: column plotted on the x axis by :meth:`plot`, when present
    x_column: ClassVar[str] = "time"

    def __init__(self, data: pd.DataFrame, metadata: dict[str, Any] | None = None) -> None:
        self.data = data
        self.metadata = dict(metadata or {})

    def to_dataframe(self) -> pd.DataFrame:
        """Return a copy of the result table."""
        return self.data.copy()

    def summary(self) -> pd.DataFrame:
        """Return a short table describing the result (override in subclasses)."""
        return self.data.describe()

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Plot every numeric column against :attr:`x_column` and return the matplotlib axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        df = self.data
        x = self.x_column if self.x_column in df else df.columns[0]
        for col in df.select_dtypes("number").columns:
            if col != x:
                ax.plot(df[x], df[col], label=col, **kwargs)
        ax.set_xlabel(x)
        ax.legend(fontsize="small")
        return ax

    def save(self, stem: str | os.PathLike[str]) -> tuple[Path, Path]:
        """Write ``stem.parquet`` and ``stem.json`` atomically; return both paths."""
        stem = Path(stem)
        table = atomic_write(
            stem.with_suffix(".parquet"), lambda p: self.data.to_parquet(p, index=False)
        )
        meta = {"class": type(self).__name__, "metadata": self.metadata}
        # NaN/inf (an interval not computed, an unbounded end) are not JSON: write them as null
        plain = _finite(json.loads(json.dumps(meta, default=_json_default)))
        js = atomic_write(
            stem.with_suffix(".json"),
            lambda p: p.write_text(json.dumps(plain, indent=2, allow_nan=False)),
        )
        return table, js

    @classmethod
    def load(cls, stem: str | os.PathLike[str]) -> Self:
        """Read a result written by :meth:`save`."""
        stem = Path(stem)
        table, meta_file = stem.with_suffix(".parquet"), stem.with_suffix(".json")
        missing = [p.name for p in (table, meta_file) if not p.is_file()]
        if missing:
            raise DataError(f"{stem}: no saved result there ({', '.join(missing)} missing)")
        try:
            data = pd.read_parquet(table)
        except Exception as exc:  # pyarrow's errors have no common base: any means damaged
            first = (str(exc).splitlines() or [type(exc).__name__])[0]
            raise DataError(f"{table}: not a readable saved table ({first})") from None
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DataError(f"{meta_file}: damaged, not valid JSON ({exc})") from None
        if not isinstance(meta, dict) or not isinstance(meta.get("metadata", {}), dict):
            raise DataError(f"{meta_file}: not a saved nanomed result (no metadata mapping)")
        return cls(data, meta.get("metadata", {}))


def _finite(obj: Any) -> Any:
    """``obj`` with every non-finite float replaced by None (JSON null)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_finite(v) for v in obj]
    return obj


def _json_default(obj: Any) -> Any:
    """Make numpy scalars and arrays JSON-serialisable."""
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"cannot serialise {type(obj).__name__}")
