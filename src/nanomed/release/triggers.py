"""How the medium changes release rates: pH, temperature and proteins.

Each function returns a dimensionless factor (or fraction) that a mechanistic release model multiplies
into one of its rates; the models never write these relations themselves. Every constant is a
:class:`~nanomed.core.Parameter` with its source, and a default that is an order-of-magnitude guess
says so (``guess=True``).

Reference conditions of every mechanistic parameter: pH 7.4 and 37 °C (:data:`PH_REF`,
:data:`T_REF_C`), i.e. a rate constant given for a model is its value in buffer at pH 7.4 and 37 °C.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nanomed.core.errors import ParameterError
from nanomed.core.parameter import Parameter

__all__ = [
    "CHOLESTEROL_PERMEABILITY_RATIO",
    "GEL_PERMEABILITY_RATIO",
    "PH_REF",
    "PK_ACID_CATALYSIS",
    "SILICA_SILANOL_SITES",
    "TRANSITION_PEAK",
    "TRANSITION_WIDTH_C",
    "T_REF_C",
    "arrhenius_factor",
    "binding_constant_from_fu",
    "fraction_neutral",
    "ionised_surface_fraction",
    "membrane_phase_factor",
    "ph_trigger_factor",
    "polyester_hydrolysis_ph_factor",
    "protein_sink_factor",
]

#: Reference pH of every mechanistic rate parameter [-].
PH_REF = 7.4
#: Reference temperature of every mechanistic rate parameter [°C].
T_REF_C = 37.0
_R_KJ = 8.314462618e-3  # gas constant [kJ/(mol K)]
_KELVIN = 273.15

GEL_PERMEABILITY_RATIO = Parameter(
    "gel_permeability_ratio",
    0.01,
    "dimensionless",
    (1e-6, 1.0),
    ref="order of magnitude: solute permeability of gel-phase PC bilayers is one to several decades "
    "below the fluid phase (Papahadjopoulos et al., BBA 311:330 (1973); Xiang & Anderson, "
    "Biophys J 75:2658 (1998))",
    guess=True,
    description="permeability of the gel phase relative to the fluid phase",
)
TRANSITION_PEAK = Parameter(
    "transition_peak",
    10.0,
    "dimensionless",
    (0.0, None),
    ref="leakage maximum at Tm: Papahadjopoulos et al., BBA 311:330 (1973); theory: permeability "
    "follows the lateral compressibility, Nagle & Scott, BBA 513:236 (1978); height is a guess",
    guess=True,
    description="extra permeability at Tm, relative to the fluid phase",
)
TRANSITION_WIDTH_C = Parameter(
    "transition_width",
    1.5,
    "delta_degC",
    (0.05, 20.0),
    ref="main transition of PC vesicles is 1-3 °C wide (Koynova & Caffrey, BBA 1376:91 (1998)); "
    "guess for liposomal formulations",
    guess=True,
    description="width of the gel-fluid transition",
)
CHOLESTEROL_PERMEABILITY_RATIO = Parameter(
    "cholesterol_permeability_ratio",
    0.1,
    "dimensionless",
    (1e-6, 1.0),
    ref="cholesterol orders the bilayer and lowers leakage, abolishing the Tm maximum above "
    "~30 mol% (Papahadjopoulos et al., BBA 311:330 (1973); McMullen, Lewis & McElhaney, "
    "Biochemistry 32:516 (1993)); the ratio is a guess",
    guess=True,
    description="permeability at >= 30 mol% cholesterol relative to cholesterol-free",
)
#: Cholesterol mole fraction above which the model drops the leakage maximum at Tm [-]. The
#: sharp, cooperative component of the PC main transition vanishes at 20-25 mol % cholesterol
#: (McMullen, Lewis & McElhaney, Biochemistry 32:516 (1993)); a broad component persists at higher
#: contents, so 0.30 (the ~30 mol % quoted above) is a rounded nanomed choice, a guess.
CHOLESTEROL_SATURATION = 0.30
PK_ACID_CATALYSIS = Parameter(
    "pk_acid_catalysis",
    3.0,
    "dimensionless",
    (-2.0, 14.0),
    ref="specific acid catalysis of ester hydrolysis, k = k0 (1 + 10**(pK - pH)); PLGA degrades "
    "faster at pH 2.4 than 7.4 (Zolnik & Burgess, J Control Release 122:338 (2007)); pK is a guess",
    guess=True,
    description="pH at which acid catalysis doubles the uncatalysed polyester hydrolysis rate",
)
#: Silanol sites of silica: (pKa, fraction of sites); Ong, Zhao & Eisenthal, Chem Phys Lett 191:327 (1992).
SILICA_SILANOL_SITES: tuple[tuple[float, float], ...] = ((4.5, 0.19), (8.5, 0.81))


def arrhenius_factor(
    temperature_C: float | np.ndarray,
    activation_energy_kJ_mol: float,
    reference_C: float = T_REF_C,
) -> float | np.ndarray:
    """Arrhenius ratio k(T)/k(T_ref) = exp(-Ea/R (1/T - 1/T_ref)).

    Arrhenius, Z Phys Chem 4:226 (1889).

    Parameters
    ----------
    temperature_C : float or array
        Temperature [°C].
    activation_energy_kJ_mol : float
        Activation energy Ea [kJ/mol], >= 0.
    reference_C : float
        Reference temperature [°C] at which the factor is 1.

    Returns
    -------
    float or array
        Rate ratio [-].

    Examples
    --------
    >>> round(float(arrhenius_factor(47.0, 50.0)), 3)
    1.832
    """
    if activation_energy_kJ_mol < 0:
        raise ParameterError(f"activation_energy: {activation_energy_kJ_mol:g} kJ/mol must be >= 0")
    t_k = np.asarray(temperature_C, dtype=float) + _KELVIN
    return np.exp(-activation_energy_kJ_mol / _R_KJ * (1.0 / t_k - 1.0 / (reference_C + _KELVIN)))


def fraction_neutral(
    ph: float | np.ndarray, pka_acid: Sequence[float] = (), pka_base: Sequence[float] = ()
) -> float | np.ndarray:
    """Fraction of a drug in its neutral (uncharged) form, by Henderson–Hasselbalch.

    Sites are treated as independent (product of the per-site neutral fractions), the usual
    approximation when micro-constants are unknown (Avdeef, *Absorption and Drug Development*,
    Wiley 2003, ch. 3).

    Parameters
    ----------
    ph : float or array
        pH of the medium [-].
    pka_acid : sequence of float
        pKa values of acidic groups (neutral below their pKa) [-].
    pka_base : sequence of float
        pKa values of the conjugate acids of basic groups (neutral above their pKa) [-].

    Returns
    -------
    float or array
        Neutral fraction [-], in (0, 1].

    Examples
    --------
    >>> round(float(fraction_neutral(7.4, pka_base=[8.4])), 4)
    0.0909
    """
    ph = np.asarray(ph, dtype=float)
    f = np.ones_like(ph)
    for pka in pka_acid:
        f = f / (1.0 + 10.0 ** (ph - pka))
    for pka in pka_base:
        f = f / (1.0 + 10.0 ** (pka - ph))
    return f


def ionised_surface_fraction(
    ph: float | np.ndarray, sites: Sequence[tuple[float, float]] = SILICA_SILANOL_SITES
) -> float | np.ndarray:
    """Fraction of acidic surface sites that are deprotonated (negatively charged).

    Parameters
    ----------
    ph : float or array
        pH of the medium [-].
    sites : sequence of (pKa, fraction)
        Site types; the default is silica's two silanol populations (Ong, Zhao & Eisenthal,
        Chem Phys Lett 191:327 (1992): 19 % with pKa 4.5, 81 % with pKa 8.5).

    Returns
    -------
    float or array
        Charged fraction of all sites [-].
    """
    ph = np.asarray(ph, dtype=float)
    return sum(w / (1.0 + 10.0 ** (pka - ph)) for pka, w in sites)


def polyester_hydrolysis_ph_factor(
    ph: float | np.ndarray,
    pk_acid_catalysis: float = PK_ACID_CATALYSIS.value,
    reference_ph: float = PH_REF,
) -> float | np.ndarray:
    """Polyester hydrolysis rate at ``ph`` relative to ``reference_ph`` (specific acid catalysis).

    k(pH) = k0 (1 + 10**(pK - pH)): the uncatalysed (water) rate plus a term proportional to [H+],
    the textbook form of acid-catalysed ester hydrolysis (e.g. Siepmann & Göpferich, Adv Drug Deliv
    Rev 48:229 (2001) for polyesters). ``pk_acid_catalysis`` is a guess (:data:`PK_ACID_CATALYSIS`);
    base catalysis is neglected below pH ~8.

    Parameters
    ----------
    ph : float or array
        pH of the medium [-].
    pk_acid_catalysis : float
        pH at which the acid-catalysed term equals the uncatalysed rate [-].
    reference_ph : float
        pH at which the factor is 1 [-].

    Returns
    -------
    float or array
        Rate ratio [-] (> 1 below ``reference_ph``).
    """
    ph = np.asarray(ph, dtype=float)
    return (1.0 + 10.0 ** (pk_acid_catalysis - ph)) / (
        1.0 + 10.0 ** (pk_acid_catalysis - reference_ph)
    )


def membrane_phase_factor(
    temperature_C: float | np.ndarray,
    transition_C: float,
    cholesterol_fraction: float = 0.0,
    *,
    gel_ratio: float = GEL_PERMEABILITY_RATIO.value,
    peak: float = TRANSITION_PEAK.value,
    width_C: float = TRANSITION_WIDTH_C.value,
    cholesterol_ratio: float = CHOLESTEROL_PERMEABILITY_RATIO.value,
) -> float | np.ndarray:
    """Bilayer permeability relative to a cholesterol-free fluid bilayer.

    P/P_fluid = [gel_ratio**(1 - s) + peak·exp(-((T-Tm)/w)²)·(1 - x/x_sat)] · chol_ratio**(x/x_sat),
    with s = 1/(1 + exp(-(T-Tm)/w)) the fluid fraction and x the cholesterol mole fraction (capped at
    x_sat = 0.3). Gel phase far less permeable, a leakage maximum at Tm from coexisting gel and fluid
    domains (Papahadjopoulos et al., BBA 311:330 (1973); Nagle & Scott, BBA 513:236 (1978)),
    cholesterol lowering permeability and flattening the maximum. The functional form is this
    module's interpolation; the constants are guesses (see their :class:`Parameter` objects).

    Parameters
    ----------
    temperature_C : float or array
        Temperature [°C].
    transition_C : float
        Main phase-transition temperature Tm of the bilayer [°C].
    cholesterol_fraction : float
        Cholesterol mole fraction [-], 0-1.
    gel_ratio, peak, width_C, cholesterol_ratio : float
        Shape constants [-, -, °C, -] (defaults: module constants).

    Returns
    -------
    float or array
        Permeability ratio [-].

    Examples
    --------
    >>> gel = membrane_phase_factor(25.0, 41.3)
    >>> fluid = membrane_phase_factor(50.0, 41.3)
    >>> bool(gel < 0.05 < fluid)
    True
    """
    if not 0.0 <= cholesterol_fraction <= 1.0:
        raise ParameterError(f"cholesterol_fraction: {cholesterol_fraction:g} outside 0-1")
    x = np.asarray(temperature_C, dtype=float) - transition_C
    u = x / width_C
    fluid = 0.5 * (1.0 + np.tanh(0.5 * u))  # logistic, overflow-free
    chol = min(cholesterol_fraction / CHOLESTEROL_SATURATION, 1.0)
    anomaly = peak * np.exp(-np.minimum(u * u, 700.0)) * (1.0 - chol)
    return (gel_ratio ** (1.0 - fluid) + anomaly) * cholesterol_ratio**chol


def ph_trigger_factor(
    ph: float | np.ndarray, trigger_ph: float, gain: float, steepness: float = 2.0
) -> float | np.ndarray:
    """Rate factor of a pH-sensitive carrier: 1 above ``trigger_ph``, rising to ``gain`` below it.

    factor = 1 + (gain - 1) / (1 + 10**(steepness (pH - trigger_pH))), a Hill-type switch, the
    shape of release from pH-sensitive (e.g. DOPE/CHEMS) liposomes whose release sets in between
    pH 5 and 6.5 (Simões et al., Adv Drug Deliv Rev 56:947 (2004)).

    Parameters
    ----------
    ph : float or array
        pH of the medium [-].
    trigger_ph : float
        pH of half-maximal acceleration [-].
    gain : float
        Rate factor far below ``trigger_ph`` [-], >= 1 (1 = not pH-sensitive).
    steepness : float
        Hill coefficient in pH units [-].

    Returns
    -------
    float or array
        Rate factor [-].
    """
    if gain < 1.0:
        raise ParameterError(f"trigger_gain: {gain:g} must be >= 1")
    ph = np.asarray(ph, dtype=float)
    expo = np.clip(steepness * (ph - trigger_ph), -300.0, 300.0)
    return 1.0 + (gain - 1.0) / (1.0 + 10.0**expo)


def protein_sink_factor(protein_g_L: float, binding_L_g: float) -> float:
    """Capacity of a protein-containing medium relative to buffer, 1 + K·[protein].

    Linear (unsaturated) binding of the drug to medium proteins raises the medium's capacity by
    1 + K_b·[P] (total/free concentration ratio = 1/fu), so a finite release volume acts as a larger
    sink (mass balance with linear binding; the ratio is 1/fu at the plasma protein level): bound
    drugs are released faster and more completely into plasma than into buffer of the same volume.

    Parameters
    ----------
    protein_g_L : float
        Protein concentration of the medium [g/L].
    binding_L_g : float
        Binding constant K_b [L/g] (0: the drug does not bind proteins).

    Returns
    -------
    float
        Capacity ratio [-], >= 1.
    """
    if binding_L_g < 0:
        raise ParameterError(f"protein_binding: {binding_L_g:g} L/g must be >= 0")
    return 1.0 + binding_L_g * protein_g_L


def binding_constant_from_fu(fraction_unbound: float, protein_g_L: float = 70.0) -> float:
    """Protein binding constant K_b [L/g] from the fraction unbound in plasma, fu = 1/(1 + K_b·[P]).

    Parameters
    ----------
    fraction_unbound : float
        Fraction unbound in plasma fu [-], in (0, 1].
    protein_g_L : float
        Plasma protein concentration [g/L] at which fu was measured. Default 70 g/L: a typical
        human plasma total protein (reference range 60-80 g/L), not a measured value; give the
        measured one when known.

    Returns
    -------
    float
        K_b [L/g].

    Examples
    --------
    >>> round(binding_constant_from_fu(0.25), 4)
    0.0429
    """
    if not 0.0 < fraction_unbound <= 1.0:
        raise ParameterError(f"fraction_unbound: {fraction_unbound:g} outside (0, 1]")
    if protein_g_L <= 0:
        raise ParameterError(f"protein_g_L: {protein_g_L:g} must be > 0")
    return (1.0 / fraction_unbound - 1.0) / protein_g_L
