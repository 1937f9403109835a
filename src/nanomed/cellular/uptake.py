"""Binding and endocytosis of nanoparticles by cells: size, shape, charge, PEG and ligand effects.

Model, for one particle population and one cell type (rates per hour, particles per cell):

1. **Attachment** of free particles to the cell surface, ``k_att = k_ns + k_sp``:

   * non-specific adsorption ``k_ns = k_ns0 exp(zeta / zeta_s) exp(-sigma_PEG / sigma_s)``: cationic
     particles adsorb more to the anionic cell surface than anionic ones (trend reviewed by
     Fröhlich, Int J Nanomedicine 7:5577, 2012) and a PEG brush shields the surface (lower protein
     adsorption and uptake with grafting density: Walkey et al., J Am Chem Soc 134:2139, 2012);
     the exponential forms and their scales are phenomenological (guesses, stated as such);
   * specific (ligand–receptor) attachment ``k_sp = k_sp0 (R_free/R_0) P_a`` with the multivalent
     adhesion probability ``P_a = 1 - exp(-m_l m_r K_a A_c)`` (the small-load limit
     ``m_l m_r K_a A_c`` is Decuzzi & Ferrari, Biomaterials 27:5307, 2006, saturated to 1 here): it
     rises with ligand density ``m_l`` (avidity).

2. **Membrane wrapping** (internalisation) of bound particles at ``k_wrap = 1 / t_w`` with the
   receptor-diffusion-limited wrapping time of Gao, Shi & Freund (PNAS 102:9469, 2005): the
   contact front advances as ``a = alpha sqrt(D_r t)``, receptor conservation at the front gives
   ``(xi_L - xi_+) x e^x E1(x) = xi_0 - xi_+`` with ``x = alpha²/4``, and the front density follows
   from the energy balance of binding against bending, ``xi_+ = xi_L exp(-(e_RL - 2B/(xi_L R²)))``
   (local equilibrium at the front: the dissipative term of Gao et al. is dropped — a
   simplification). ``t_w = A / (pi alpha² D_r)`` for a particle of surface ``A`` (``4R²/(alpha² D_r)``
   for a sphere). Small particles cannot pay the bending cost, large ones need receptors from far
   away: the optimum radius is ~28 nm with the defaults (Gao et al.: 25–30 nm). Elongated particles
   (prolate spheroids of the same volume) have more surface to wrap and are taken up more slowly,
   as Chithrani, Ghazani & Chan (Nano Lett 6:662, 2006) observed for gold rods vs spheres.
   Non-targeted particles are wrapped through adsorbed serum proteins acting as ligands, as Chithrani
   et al. interpreted their size optimum (effective density ``xi_serum``, shielded by PEG).

3. **Receptor depletion and recycling**: each internalised particle takes ``n_r = xi_L A`` receptors
   (the bonds of the wrapped surface) into the cell; they return to the surface at ``k_rec``.

The macrophage (phagocyte) uptake rate is in :func:`macrophage_uptake_rate`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from numbers import Real

import numpy as np
import pandas as pd
from scipy.integrate import solve_ivp
from scipy.optimize import brentq
from scipy.special import exp1

from nanomed.core.checks import as_numbers, number_fields
from nanomed.core.citations import cite
from nanomed.core.errors import InputError, SolverError
from nanomed.core.parameter import Parameter, ParameterSet
from nanomed.core.results import Result

__all__ = [
    "MACROPHAGE_PARAMETERS",
    "UPTAKE_PARAMETERS",
    "CarrierSurface",
    "UptakeModel",
    "macrophage_uptake_rate",
    "surface_area_ratio",
    "wrapping_time_s",
]

_GAO = "Gao, Shi & Freund, PNAS 102:9469 (2005)"

UPTAKE_PARAMETERS = (
    Parameter(
        "bond_energy",
        15.0,
        "kT",
        (0, 100),
        ref=_GAO,
        description="receptor-ligand bond energy e_RL",
    ),
    Parameter(
        "bending_rigidity",
        20.0,
        "kT",
        (0, 1000),
        ref=_GAO,
        description="membrane bending rigidity B",
    ),
    Parameter(
        "receptor_diffusivity",
        1e4,
        "nm**2/s",
        (1, 1e7),
        ref=_GAO,
        description="lateral diffusivity of receptors D_r",
    ),
    Parameter(
        "receptor_density",
        500.0,
        "1/um**2",
        (1e-3, 1e5),
        ref=_GAO + " (order of magnitude)",
        guess=True,
        description="density of free receptors on the membrane xi_0",
    ),
    Parameter(
        "serum_ligand_density",
        5000.0,
        "1/um**2",
        (0, 1e5),
        ref="Chithrani et al., Nano Lett 6:662 (2006) (serum proteins as ligands); value a guess",
        guess=True,
        description="effective ligand density of adsorbed serum proteins on a bare particle",
    ),
    Parameter(
        "k_nonspecific",
        0.5,
        "1/h",
        (0, 1e4),
        ref="nanomed choice (order of magnitude), no source; fit to data (in-vitro NP association)",
        guess=True,
        description="non-specific attachment rate of a neutral, bare particle",
    ),
    Parameter(
        "k_specific",
        5.0,
        "1/h",
        (0, 1e4),
        ref="nanomed choice (order of magnitude), no source; fit to data "
        "(rate at full adhesion probability)",
        guess=True,
        description="ligand-receptor attachment rate at adhesion probability 1",
    ),
    Parameter(
        "k_detach",
        60.0,
        "1/h",
        (0, 1e4),
        ref="nanomed choice (order of magnitude), no source; fit to data "
        "(~1 min residence, the time scale of endocytic events)",
        guess=True,
        description="detachment rate of bound particles",
    ),
    Parameter(
        "zeta_scale",
        25.0,
        "mV",
        (1, 1000),
        ref="Fröhlich, Int J Nanomedicine 7:5577 (2012) (trend); scale a guess",
        guess=True,
        description="zeta potential giving an e-fold change of non-specific attachment",
    ),
    Parameter(
        "peg_scale",
        0.2,
        "1/nm**2",
        (1e-4, 10),
        ref="Walkey et al., J Am Chem Soc 134:2139 (2012) (trend); scale a guess",
        guess=True,
        description="PEG density giving an e-fold drop of protein adsorption/attachment",
    ),
    Parameter(
        "affinity",
        500.0,
        "nm**2",
        (0, 1e8),
        ref="Decuzzi & Ferrari, Biomaterials 27:5307 (2006) (2-D association constant K_a^0); value a guess",
        guess=True,
        description="ligand-receptor association constant at zero load K_a",
    ),
    Parameter(
        "receptors_per_cell",
        1e5,
        "dimensionless",
        (1, 1e9),
        ref="receptor numbers span ~1e3-1e6 per cell (Lauffenburger & Linderman, Receptors: "
        "Models for Binding, Trafficking, and Signaling, Oxford UP, 1993); 1e5 a nanomed "
        "choice; fit to data",
        guess=True,
        description="surface receptors per cell R_0",
    ),
    Parameter(
        "k_recycle",
        4.0,
        "1/h",
        (0, 1e3),
        ref="receptor recycling in ~15 min (transferrin receptor; Maxfield & McGraw, Nat Rev Mol Cell Biol 5:121, 2004)",
        description="return rate of internalised receptors to the surface",
    ),
)


#: most particles per cell, and most drug per carrier, that the cell models accept (1e300 made the
#: stiff solve run for ever)
MAX_PER_CELL = 1e12
#: latest output time [h] the cell models accept (a century; 1e300 h gave NaN results)
MAX_TIME_H = 1e6


def time_grid(times_h: object) -> np.ndarray:
    """Output times [h] as a float array: 1-D, finite, increasing, from 0, else an InputError."""
    t = as_numbers(times_h, "times_h")
    if t.ndim != 1 or t.size < 2 or t[0] != 0 or not np.all(np.isfinite(t)):
        raise InputError("times_h must be finite, increasing and start at 0 h")
    if np.any(np.diff(t) <= 0):
        raise InputError("times_h must be finite, increasing and start at 0 h")
    if t[-1] > MAX_TIME_H:
        raise InputError(f"times_h must end by {MAX_TIME_H:g} h, got {t[-1]:g} h")
    return t


def check_per_cell(name: str, value: float, allow_zero: bool = False) -> float:
    """A finite count per cell in (0, MAX_PER_CELL] ([0, ...] with ``allow_zero``), as a float."""
    v = Parameter(name, MAX_PER_CELL, "dimensionless", (0.0, MAX_PER_CELL)).check(value)
    if v == 0 and not allow_zero:
        raise InputError(f"{name}: must be > 0, got {value!r}")
    return v


_BY_NAME = {p.name: p for p in UPTAKE_PARAMETERS}
#: bounds of the arguments of :func:`wrapping_time_s` (those of :data:`UPTAKE_PARAMETERS` where
#: they exist; densities may be 0, which gives an infinite wrapping time)
_WRAP_CHECKS = {
    "radius_nm": Parameter("radius_nm", 50.0, "nm", (0.0, 5e4)),
    "ligand_density_um2": Parameter("ligand_density_um2", 0.0, "1/um**2", (0.0, 1e8)),
    "receptor_density_um2": Parameter(
        "receptor_density_um2", 500.0, "1/um**2", (0.0, _BY_NAME["receptor_density"].bounds[1])
    ),
    "bond_energy_kT": replace(_BY_NAME["bond_energy"], name="bond_energy_kT"),
    "bending_kT": replace(_BY_NAME["bending_rigidity"], name="bending_kT"),
    "receptor_diffusivity_nm2_s": replace(
        _BY_NAME["receptor_diffusivity"], name="receptor_diffusivity_nm2_s"
    ),
}


def _aspect_area(aspect_ratio: float) -> float:
    """Surface of a prolate spheroid over that of the sphere of equal volume [-]."""
    if aspect_ratio == 1.0:
        return 1.0
    e = math.sqrt(1.0 - 1.0 / aspect_ratio**2)
    # semi-axes c = ar * a, equal volume: a = r ar^(-1/3)
    return 0.5 * aspect_ratio ** (-2 / 3) * (1.0 + aspect_ratio * math.asin(e) / e)


def surface_area_ratio(aspect_ratio: float) -> float:
    """Surface of a prolate spheroid of aspect ratio ``ar`` over that of the equal-volume sphere [-].

    Examples
    --------
    >>> surface_area_ratio(1.0), round(surface_area_ratio(3.0), 3)
    (1.0, 1.182)
    """
    if not (isinstance(aspect_ratio, Real) and 1.0 <= aspect_ratio <= 100.0):
        raise InputError(f"aspect ratio must lie in 1-100, got {aspect_ratio!r}")
    return _aspect_area(aspect_ratio)


def wrapping_time_s(
    radius_nm: float,
    ligand_density_um2: float,
    *,
    receptor_density_um2: float = 500.0,
    bond_energy_kT: float = 15.0,
    bending_kT: float = 20.0,
    receptor_diffusivity_nm2_s: float = 1e4,
    aspect_ratio: float = 1.0,
) -> float:
    """Receptor-diffusion-limited wrapping time [s] (Gao, Shi & Freund 2005; see module docstring).

    Parameters
    ----------
    radius_nm : float
        Particle radius [nm] (of the equal-volume sphere for elongated particles).
    ligand_density_um2 : float
        Ligand density on the particle xi_L [1/µm²].
    receptor_density_um2 : float
        Free receptor density far from the particle xi_0 [1/µm²].
    bond_energy_kT, bending_kT : float
        Bond energy e_RL and bending rigidity B [kT].
    receptor_diffusivity_nm2_s : float
        Receptor lateral diffusivity [nm²/s].
    aspect_ratio : float
        Long/short axis of a prolate particle [-].

    Returns
    -------
    float
        Wrapping time [s]; ``inf`` when wrapping cannot proceed (too small, too few ligands).

    Examples
    --------
    >>> round(wrapping_time_s(30.0, 5000.0), 1)
    2.7
    """
    radius_nm = _WRAP_CHECKS["radius_nm"].check(radius_nm)
    if radius_nm <= 0:
        raise InputError(f"radius_nm: must be > 0 nm, got {radius_nm!r}")
    # NaN gave NaN or a scipy root-finding error, a negative diffusivity a negative time, zeros a
    # ZeroDivisionError: each argument is checked against its physical range first
    ligand_density_um2 = _WRAP_CHECKS["ligand_density_um2"].check(ligand_density_um2)
    receptor_density_um2 = _WRAP_CHECKS["receptor_density_um2"].check(receptor_density_um2)
    bond_energy_kT = _WRAP_CHECKS["bond_energy_kT"].check(bond_energy_kT)
    bending_kT = _WRAP_CHECKS["bending_kT"].check(bending_kT)
    receptor_diffusivity_nm2_s = _WRAP_CHECKS["receptor_diffusivity_nm2_s"].check(
        receptor_diffusivity_nm2_s
    )
    surface_area_ratio(aspect_ratio)
    xi_l = ligand_density_um2 * 1e-6  # 1/nm²
    xi_0 = receptor_density_um2 * 1e-6
    if xi_l <= 0 or xi_0 <= 0:
        return math.inf
    bending_per_bond = 2.0 * bending_kT / (xi_l * radius_nm**2)  # Helfrich sphere: 2B/R² per area
    xi_plus = xi_l * math.exp(-(bond_energy_kT - bending_per_bond))
    if xi_plus >= xi_0 or xi_plus >= xi_l:
        return math.inf

    def balance(a: float) -> float:
        x = a * a / 4.0
        return (xi_l - xi_plus) * x * math.exp(x) * exp1(x) - (xi_0 - xi_plus)

    a_max = 48.0  # x = 576: x e^x E1(x) = 1 - O(1/x) there, and exp(x) still fits a float
    alpha = a_max if balance(a_max) < 0 else brentq(balance, 1e-9, a_max, xtol=1e-12)
    area = 4.0 * math.pi * radius_nm**2 * _aspect_area(aspect_ratio)
    return area / (math.pi * alpha**2 * receptor_diffusivity_nm2_s)


@dataclass(frozen=True)
class CarrierSurface:
    """What the cell sees of a carrier: size, shape, charge, PEG and ligands.

    Parameters
    ----------
    diameter_nm : float
        Hydrodynamic diameter [nm].
    zeta_mV : float
        Zeta potential [mV].
    peg_density_nm2 : float
        PEG grafting density [1/nm²].
    ligand_density_nm2 : float
        Targeting-ligand density [1/nm²].
    aspect_ratio : float
        Long/short axis [-] (1 for spheres).
    """

    diameter_nm: float
    zeta_mV: float = 0.0
    peg_density_nm2: float = 0.0
    ligand_density_nm2: float = 0.0
    aspect_ratio: float = 1.0

    def __post_init__(self) -> None:
        number_fields(self)
        if not (math.isfinite(self.diameter_nm) and 0.5 < self.diameter_nm <= 1e5):
            raise InputError(f"diameter {self.diameter_nm!r} nm outside 0.5-100000 nm")
        if not -200 <= self.zeta_mV <= 200:
            raise InputError(f"zeta potential {self.zeta_mV!r} mV outside -200 to 200 mV")
        for name in ("peg_density_nm2", "ligand_density_nm2"):
            val = getattr(self, name)
            if not (math.isfinite(val) and 0 <= val <= 10):
                raise InputError(f"{name} {val!r} outside 0-10 per nm²")
        surface_area_ratio(self.aspect_ratio)

    @classmethod
    def from_carrier(cls, carrier: object) -> CarrierSurface:
        """Read the fields of a :class:`nanomed.schema.Carrier`."""
        c = carrier
        return cls(
            float(c.hydrodynamic_diameter),  # type: ignore[attr-defined]
            float(c.zeta_potential),  # type: ignore[attr-defined]
            float(c.peg_density) if getattr(c, "pegylated", True) else 0.0,  # type: ignore[attr-defined]
            float(c.ligand_density),  # type: ignore[attr-defined]
            float(getattr(c, "aspect_ratio", 1.0)),
        )


class UptakeModel:
    """Attachment, wrapping and receptor recycling for one cell type (module docstring).

    Equations: wrapping time of Gao, Shi & Freund, PNAS 102:9469 (2005); multivalent adhesion
    probability of Decuzzi & Ferrari, Biomaterials 27:5307 (2006); attachment, detachment and
    receptor recycling are first-order mass-action steps (sources and guesses of their rate
    constants in :data:`UPTAKE_PARAMETERS`).

    Parameters
    ----------
    **values : float
        Overrides of :data:`UPTAKE_PARAMETERS` (each checked against its bounds).

    Examples
    --------
    >>> m = UptakeModel()
    >>> s = CarrierSurface(60.0, ligand_density_nm2=0.005)
    >>> r = m.rates(s)
    >>> r["k_wrap"] > 0 and r["k_attach"] > 0
    True
    """

    reference = _GAO

    def __init__(self, **values: float) -> None:
        self.parameters = ParameterSet(UPTAKE_PARAMETERS).update(**values)

    def rates(self, surface: CarrierSurface) -> dict[str, float]:
        """Rate constants [1/h] and receptor cost of one particle type.

        Returns
        -------
        dict
            ``k_nonspecific, k_specific, k_attach, k_detach, k_wrap`` [1/h],
            ``receptors_per_particle`` [-] and ``specific_fraction`` [-].
        """
        p = self.parameters.values()
        cite("Gao2005", _GAO)
        radius = surface.diameter_nm / 2.0
        shield = math.exp(-surface.peg_density_nm2 / p["peg_scale"])
        charge = math.exp(surface.zeta_mV / p["zeta_scale"])
        k_ns = p["k_nonspecific"] * charge * shield
        ligand_um2 = surface.ligand_density_nm2 * 1e6
        # multivalent adhesion probability m_l m_r K_a A_c (Decuzzi & Ferrari 2006), saturated;
        # contact patch of radius R/2 (a guess)
        contact_nm2 = math.pi * (radius / 2.0) ** 2
        x = surface.ligand_density_nm2 * p["receptor_density"] * 1e-6 * p["affinity"] * contact_nm2
        p_adh = 1.0 - math.exp(-x)
        k_sp = p["k_specific"] * p_adh
        xi_eff = ligand_um2 + p["serum_ligand_density"] * shield
        t_w = wrapping_time_s(
            radius,
            xi_eff,
            receptor_density_um2=p["receptor_density"],
            bond_energy_kT=p["bond_energy"],
            bending_kT=p["bending_rigidity"],
            receptor_diffusivity_nm2_s=p["receptor_diffusivity"],
            aspect_ratio=surface.aspect_ratio,
        )
        k_wrap = 0.0 if math.isinf(t_w) else 3600.0 / t_w
        area_um2 = 4.0 * math.pi * (radius * 1e-3) ** 2 * _aspect_area(surface.aspect_ratio)
        k_att = k_ns + k_sp
        return {
            "k_nonspecific": k_ns,
            "k_specific": k_sp,
            "k_attach": k_att,
            "k_detach": p["k_detach"],
            "k_wrap": k_wrap,
            "receptors_per_particle": ligand_um2 * area_um2,
            "specific_fraction": k_sp / k_att if k_att > 0 else 0.0,
        }

    def internalisation_rate(self, surface: CarrierSurface) -> float:
        """Pseudo-first-order internalisation rate of free particles [1/h] (no receptor depletion).

        Quasi-steady bound state: ``k = k_att k_wrap / (k_detach + k_wrap)``.
        """
        r = self.rates(surface)
        den = r["k_detach"] + r["k_wrap"]
        return 0.0 if den == 0 else r["k_attach"] * r["k_wrap"] / den

    def simulate(
        self,
        surface: CarrierSurface,
        times_h: np.ndarray | list[float],
        particles_per_cell: float = 1e4,
    ) -> UptakeResult:
        """Particles free, bound and internalised per cell, and surface receptors, over time.

        Parameters
        ----------
        surface : CarrierSurface
            The particle type.
        times_h : array_like
            Output times [h], increasing, from 0.
        particles_per_cell : float
            Particles available per cell at t = 0 [-]. The default 1e4 is illustrative (a nanomed
            choice, no source); set it from the dose and the cell number of the experiment.

        Returns
        -------
        UptakeResult
            Columns ``time_h, free, bound, internalised, receptors_free, receptors_internal``.
        """
        t = time_grid(times_h)
        particles_per_cell = check_per_cell("particles_per_cell", particles_per_cell)
        r = self.rates(surface)
        r0 = self.parameters["receptors_per_cell"].value
        k_rec = self.parameters["k_recycle"].value
        n_r = r["receptors_per_particle"] * r["specific_fraction"]

        def rhs(_t: float, y: np.ndarray) -> np.ndarray:
            free, bound, _inside, rf, ri = y
            k_att = r["k_nonspecific"] + r["k_specific"] * max(rf, 0.0) / r0
            attach = k_att * free
            wrap = r["k_wrap"] * bound
            return np.array(
                [
                    -attach + r["k_detach"] * bound,
                    attach - r["k_detach"] * bound - wrap,
                    wrap,
                    -n_r * wrap + k_rec * ri,
                    n_r * wrap - k_rec * ri,
                ]
            )

        y0 = np.array([particles_per_cell, 0.0, 0.0, r0, 0.0])
        sol = solve_ivp(rhs, (0.0, t[-1]), y0, method="LSODA", t_eval=t, rtol=1e-8, atol=1e-8)
        if not sol.success:
            raise SolverError(f"uptake solve failed: {sol.message}")
        cols = ["free", "bound", "internalised", "receptors_free", "receptors_internal"]
        df = pd.DataFrame(sol.y.T, columns=cols)
        df.insert(0, "time_h", t)
        return UptakeResult(df, {"model": "UptakeModel", "rates_per_h": r, "reference": _GAO})


class UptakeResult(Result):
    """Per-cell particle and receptor numbers over time (``time_h`` plus one column per state)."""

    x_column = "time_h"


MACROPHAGE_PARAMETERS = (
    Parameter(
        "k_phagocytic_ref",
        0.1,
        "1/h",
        (0, 1e3),
        ref="nanomed choice (order of magnitude), no source; fit to data "
        "(uptake of a 100 nm, neutral, bare particle per macrophage-associated volume)",
        guess=True,
        description="reference macrophage uptake rate",
    ),
    Parameter(
        "size_exponent",
        1.0,
        "dimensionless",
        (0, 4),
        ref="opsonin load ~ surface; uptake rises with size (Walkey et al., JACS 134:2139, 2012); exponent a guess",
        guess=True,
        description="exponent of (d / 100 nm) in the uptake rate",
    ),
)


def macrophage_uptake_rate(surface: CarrierSurface, **values: float) -> float:
    """Phagocytic (macrophage) uptake rate [1/h] of a particle type.

    ``k = k_ref (d/100 nm)^p exp(zeta/zeta_s) exp(-sigma_PEG/sigma_s) S(ar)`` with the same charge
    and PEG factors as :class:`UptakeModel` (opsonisation falls with PEG density and is larger on
    bigger particles: Walkey et al. 2012) and ``S(ar) = 1/surface_area_ratio(ar)`` for elongated
    particles, which macrophages engulf less when they meet the long side (Champion & Mitragotri,
    PNAS 103:4930, 2006).

    Parameters
    ----------
    surface : CarrierSurface
        The particle type.
    **values : float
        Overrides of :data:`MACROPHAGE_PARAMETERS` and of ``zeta_scale``/``peg_scale``.

    Examples
    --------
    >>> round(macrophage_uptake_rate(CarrierSurface(100.0)), 3)
    0.1
    """
    cite("Walkey2012", "Walkey C.D. et al., J Am Chem Soc 134:2139 (2012)")
    own = {k: v for k, v in values.items() if k in {p.name for p in MACROPHAGE_PARAMETERS}}
    shared = {k: v for k, v in values.items() if k not in own}
    p = ParameterSet(MACROPHAGE_PARAMETERS).update(**own).values()
    q = ParameterSet(UPTAKE_PARAMETERS).update(**shared).values()
    size = (surface.diameter_nm / 100.0) ** p["size_exponent"]
    charge = math.exp(surface.zeta_mV / q["zeta_scale"])
    shield = math.exp(-surface.peg_density_nm2 / q["peg_scale"])
    return p["k_phagocytic_ref"] * size * charge * shield / _aspect_area(surface.aspect_ratio)
