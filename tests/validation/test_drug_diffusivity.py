"""Wilke–Chang water diffusivities of small drug molecules against measured values.

Measured values (25 °C, water, dilute), read in the abstract of the source:

- benzoic acid (antifungal, e.g. Whitfield's ointment): 1.3e-5 cm²/s at infinite dilution;
- acetanilide (the analgesic/antipyretic "antifebrin"): 1.1e-5 cm²/s, the low-concentration
  ("initial") value; the diffusivity falls as the concentration rises, so the infinite-dilution
  value is at least this.

Source: "On the measurement of liquid phase diffusivities for slightly soluble solids",
Can. J. Chem. Eng. 49 (1971), doi:10.1002/cjce.5450490103 (Mach–Zehnder interferometry of a
dissolving planar solid). The stored copy of the page did not show the authors or the pages.

Tolerance: the measured range (± half a unit in the last quoted digit) widened by 20 %.
Reid & Sherwood (1966) found an 11 % average absolute error for Wilke–Chang in water (as quoted
by Hayduk & Laudie, "Prediction of diffusion coefficients for nonelectrolytes in dilute aqueous
solutions"); individual solutes reach ~20 % (Reid, Prausnitz & Poling 1987, the bound the unit
tests already use).

Result: both drugs fall outside, with Wilke–Chang (Le Bas volumes) low by 25-30 %. They are kept
as strict expected failures, not widened tolerances.
"""

import pytest

from nanomed.molecular import molecular_profile

pytest.importorskip("rdkit")

WILKE_CHANG_ACCURACY = 0.20  # relative, see module docstring

# name, SMILES, temperature [K], measured D [cm2/s], half-width of the quoted value [cm2/s]
MEASURED = [
    ("benzoic acid", "OC(=O)c1ccccc1", 298.15, 1.3e-5, 0.05e-5),
    ("acetanilide", "CC(=O)Nc1ccccc1", 298.15, 1.1e-5, 0.05e-5),
]

MISSES = {
    "benzoic acid": "Wilke-Chang/Le Bas gives 0.91e-5 cm2/s, 30 % below the measured 1.3e-5 "
    "(at infinite dilution the acid is ionised; the fast H+ speeds the measured diffusion)",
    "acetanilide": "Wilke-Chang/Le Bas gives 0.82e-5 cm2/s, 26 % below the measured 1.1e-5",
}


def _cases():
    for name, smiles, t, d, half in MEASURED:
        marks = [pytest.mark.xfail(strict=True, reason=MISSES[name])] if name in MISSES else []
        yield pytest.param(smiles, t, d, half, id=name, marks=marks)


@pytest.mark.parametrize(("smiles", "temperature", "measured", "half_width"), list(_cases()))
def test_wilke_chang_within_measured_range(smiles, temperature, measured, half_width):
    profile = molecular_profile(smiles, "PLGA", temperature=temperature)
    d = profile["d_water"].value
    low = (measured - half_width) * (1 - WILKE_CHANG_ACCURACY)
    high = (measured + half_width) * (1 + WILKE_CHANG_ACCURACY)
    assert low <= d <= high, f"D = {d:.3g} cm2/s outside [{low:.3g}, {high:.3g}]"
