"""Simulate PEGylated liposomal doxorubicin in a tumour-bearing mouse and print the headline metrics."""

from pathlib import Path

import nanomed

SCENARIO = Path(__file__).parents[1] / "scenarios" / "liposomal_doxorubicin.yaml"

result = nanomed.simulate(SCENARIO)
print(result.summary().to_string(index=False))
print("bridges:", "; ".join(result.provenance()["source"]))
