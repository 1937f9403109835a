"""The README's Python quick start runs as written."""

import os
import re
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_readme_python_quick_start_runs(monkeypatch):
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "README has no python block"
    monkeypatch.chdir(ROOT)
    os.environ.setdefault("MPLBACKEND", "Agg")
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    # the quick start simulated the liposome and fitted Korsmeyer–Peppas
    assert namespace["res"].organ.delivery_efficiency()["DE24"] > 0
    # conservation: body + excreta equals the administered amount at every output time
    balance = namespace["res"].organ.mass_balance()
    assert len(balance) > 0 and balance["relative_error"].abs().max() <= 1e-6
    assert namespace["fit"].params["n"] < 1
