"""A self-contained HTML report (figures embedded as PNG), written atomically.

>>> import pandas as pd
>>> r = Report("Demo")
>>> r.add_table("Numbers", pd.DataFrame({"a": [1, 2]}))
>>> "Numbers" in r.render()
True
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from nanomed._version import __version__
from nanomed.core.results import atomic_write

__all__ = ["Report"]


@dataclass
class _Section:
    title: str
    kind: str  # "table", "figure" or "text"
    body: str


@dataclass
class Report:
    """Collect tables, figures and text, then :meth:`write` one HTML file.

    Parameters
    ----------
    title : str
        Page title.
    """

    title: str
    sections: list[_Section] = field(default_factory=list)

    def add_text(self, title: str, text: str) -> None:
        """Add a paragraph (plain text, escaped)."""
        self.sections.append(_Section(title, "text", html.escape(text)))

    def add_table(self, title: str, df: pd.DataFrame, float_format: str = "{:.4g}") -> None:
        """Add a table."""
        body = df.to_html(
            index=False,
            float_format=lambda v: float_format.format(v),
            classes="tbl",
            border=0,
            na_rep="",
        )
        self.sections.append(_Section(title, "table", body))

    def add_figure(self, title: str, fig: Any) -> None:
        """Add a matplotlib figure (embedded as PNG) and close it."""
        import matplotlib.pyplot as plt

        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        plt.close(fig)
        data = base64.b64encode(buf.getvalue()).decode("ascii")
        self.sections.append(
            _Section(title, "figure", f'<img src="data:image/png;base64,{data}"/>')
        )

    def render(self) -> str:
        """Return the HTML text."""
        env = Environment(
            loader=PackageLoader("nanomed.report", "templates"), autoescape=select_autoescape()
        )
        return env.get_template("report.html").render(
            title=self.title, sections=self.sections, version=__version__
        )

    def write(self, path: str | Path) -> Path:
        """Write the report to ``path`` atomically and return the path."""
        text = self.render()
        return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))
