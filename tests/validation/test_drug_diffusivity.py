"""Water diffusivities of small drugs and excipients: Wilke–Chang and Hayduk–Laudie vs measurements.

Measured values (water, dilute, 298.15 K), each read in the retrieved text named here:

- Benzoic acid (antifungal, e.g. Whitfield's ointment), the undissociated molecule:
  0.900 (± 0.006) × 1e-9 m²/s at 25 °C. Source: Noulty & Leaist, "Diffusion coefficient of aqueous
  benzoic acid at 25 °C", J. Chem. Eng. Data 32:418-420 (1987) (conductometric binary diffusion,
  0.0003-0.0153 mol/dm³; the limiting value of the undissociated molecule is separated from the
  dissociation that speeds diffusion as the concentration drops), read in the abstract at
  https://datapdf.com/diffusion-coefficient-of-aqueous-benzoic-acid-at-25degreec-j.html. The
  scanned text shows the exponent as "lo-'"; 1e-9 m²/s is the only physical reading for a small
  molecule in water. This is the quantity a neutral-solute correlation estimates.
- Benzoic acid at infinite dilution, 1.3e-5 cm²/s, and acetanilide (the analgesic "antifebrin"),
  1.1e-5 cm²/s, the low-concentration ("initial") value. Source: "On the measurement of liquid phase
  diffusivities for slightly soluble solids", Can. J. Chem. Eng. 49 (1971),
  doi:10.1002/cjce.5450490103 (Mach–Zehnder interferometry of a dissolving planar solid), read in
  the abstract; authors, pages and uncertainty not shown. The benzoic-acid value is the dissociated
  acid's (H+ and benzoate diffuse faster than the molecule), so it is not used here. Acetanilide
  (135 g/mol) measured faster than the smaller neutral benzoic-acid molecule (122 g/mol, above) is
  physically doubtful, but no second measurement could be retrieved, so it stays as a strict
  expected failure.
- Excipients (sugars; no further drug value could be retrieved, see below). Infinite-dilution
  D0 = 0.523 (sucrose), 0.566 (lactose), 0.679 (glucose), 0.686 (fructose) × 1e-9 m²/s: Ribeiro,
  Ortona, Simões, Santos, Prazeres, Valente, Lobo & Burrows, J. Chem. Eng. Data 51:1836-1840
  (2006), doi:10.1021/je0602061, Table 5 (least-squares D0 of D = D0 (1 + A c), Taylor dispersion
  in two laboratories, c = 0.001-0.1 mol/dm³; fit standard deviations σ 2.4e-3, 2.0e-3, 1.9e-4 and
  3.5e-3 × 1e-9 m²/s), read at https://datapdf.com/binary-mutual-diffusion-coefficients-of-aqueous-
  solutions-of6eac27681b62d488da8c56325b7b9f7867630.html

Not found in retrievable text (left out, not filled in from memory): caffeine and theophylline
(Ribeiro et al., J. Chem. Eng. Data 55:897 and 55:2192, 2010; Santos, Ribeiro & Esteso,
Biomolecules 9:196, 2019: only the abstracts and first pages were retrievable), paracetamol and
sodium salicylate (Ribeiro et al., J. Chem. Thermodyn. 138:282, 2019: abstract only), nicotinamide.

Tolerance: the measured range (± the stated uncertainty, else half a unit in the last quoted digit)
widened by 20 %.
Reid & Sherwood (1966) found an 11 % average absolute error for Wilke–Chang in water (as quoted
by Hayduk & Laudie, AIChE J. 20:611, 1974, who revised the Othmer–Thakar form into theirs);
individual solutes reach ~20 % (Reid, Prausnitz & Poling 1987, the bound the unit tests already
use). Hayduk & Laudie's own error statistics were not in the retrieved text, so the same 20 % is
applied to their correlation.

Result at 298.15 K (estimate, relative error): benzoic acid WC 0.913e-5 (+1 %), HL 0.860e-5
(-4 %); acetanilide WC 0.819e-5 (-26 %), HL 0.773e-5 (-30 %); sucrose WC +1 %, HL -4 %; lactose
WC -6 %, HL -11 %; glucose WC +16 %, HL +10 %; fructose WC +15 %, HL +9 %. Acetanilide falls
outside for both estimators and is kept as a strict expected failure, not a widened tolerance.
"""

import pytest

from nanomed.molecular import molecular_profile
from nanomed.molecular.descriptors import compute_descriptors
from nanomed.molecular.diffusivity import hayduk_laudie

pytest.importorskip("rdkit")

ACCURACY = 0.20  # relative, see module docstring

# name, SMILES, temperature [K], measured D [cm2/s], half-width of the quoted value [cm2/s]
MEASURED = [
    ("benzoic acid", "OC(=O)c1ccccc1", 298.15, 0.900e-5, 0.006e-5),
    ("acetanilide", "CC(=O)Nc1ccccc1", 298.15, 1.1e-5, 0.05e-5),
    ("sucrose", "OCC1OC(OC2(CO)OC(CO)C(O)C2O)C(O)C(O)C1O", 298.15, 0.523e-5, 0.0005e-5),
    ("lactose", "OCC1OC(OC2C(CO)OC(O)C(O)C2O)C(O)C(O)C1O", 298.15, 0.566e-5, 0.0005e-5),
    ("glucose", "OCC1OC(O)C(O)C(O)C1O", 298.15, 0.679e-5, 0.0005e-5),
    ("fructose", "OCC1(O)OCC(O)C(O)C1O", 298.15, 0.686e-5, 0.0005e-5),  # beta-pyranose
]

_DOUBT = (
    "(the only retrievable value, from a 1971 dissolution method; it puts acetanilide above "
    "the smaller neutral benzoic-acid molecule, 0.90e-5)"
)
MISSES = {
    ("wilke_chang", "acetanilide"): "Wilke-Chang/Le Bas gives 0.82e-5 cm2/s, 26 % below the "
    f"measured 1.1e-5 {_DOUBT}",
    ("hayduk_laudie", "acetanilide"): "Hayduk-Laudie/Le Bas gives 0.77e-5 cm2/s, 30 % below the "
    f"measured 1.1e-5 {_DOUBT}",
}


def _cases(estimator):
    for name, smiles, t, d, half in MEASURED:
        reason = MISSES.get((estimator, name))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        yield pytest.param(smiles, t, d, half, id=name, marks=marks)


def _allowed(measured, half_width):
    """The measured range widened by ACCURACY [cm2/s]."""
    return (measured - half_width) * (1 - ACCURACY), (measured + half_width) * (1 + ACCURACY)


@pytest.mark.parametrize(
    ("smiles", "temperature", "measured", "half_width"), list(_cases("wilke_chang"))
)
def test_wilke_chang_within_measured_range(smiles, temperature, measured, half_width):
    # the profile's d_water is the Wilke-Chang estimate on the Le Bas volume
    d = molecular_profile(smiles, "PLGA", temperature=temperature)["d_water"].value
    low, high = _allowed(measured, half_width)
    assert low <= d <= high, f"D = {d:.3g} cm2/s outside [{low:.3g}, {high:.3g}]"


@pytest.mark.parametrize(
    ("smiles", "temperature", "measured", "half_width"), list(_cases("hayduk_laudie"))
)
def test_hayduk_laudie_within_measured_range(smiles, temperature, measured, half_width):
    d = hayduk_laudie(compute_descriptors(smiles).molar_volume, temperature)
    low, high = _allowed(measured, half_width)
    assert low <= d <= high, f"D = {d:.3g} cm2/s outside [{low:.3g}, {high:.3g}]"
