"""The same run as simulate_liposome.py, step by step: declare, bridge, solve, analyse.

Each step is public so that any of them can be replaced (here: a measured first-order release
instead of the mechanistic liposome model, and scipy's BDF instead of CVODE).
"""

from pathlib import Path

from nanomed.organ import build_organ_model, organ_result, output_times, solve_organ_model
from nanomed.release import get_release_model
from nanomed.schema import Scenario

scenario = Scenario.from_file(
    Path(__file__).parents[1] / "scenarios" / "liposomal_doxorubicin.yaml"
)
release = get_release_model("first_order", k=0.01)  # 1 %/h, as if measured in plasma
model = build_organ_model(scenario, release)  # declare (no solving)
solution = solve_organ_model(model, output_times(scenario), solver="scipy")
result = organ_result(model, solution)
print(result.delivery_efficiency())
print(result.mass_balance()["relative_error"].abs().max(), "(relative mass-balance error)")
