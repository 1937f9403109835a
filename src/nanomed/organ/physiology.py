"""Species physiology: organ volumes, blood flows and capillary blood fractions, scaled to body weight.

Tables in ``nanomed/data/physiology/<name>.yaml`` give, per organ, the volume as a fraction of body
weight, the blood flow as a fraction of cardiac output and the residual (capillary) blood fraction,
each with its source — mostly Brown R.P. et al., "Physiological parameter values for PBPK models",
Toxicol Ind Health 13:407 (1997), and Davies B. & Morris T., Pharm Res 10:1093 (1993). Values that
are guesses (e.g. a rat value used for another species) are flagged ``guess`` in the table and
keep that flag in :meth:`Physiology.parameters`.

Scaling to a body weight ``BW`` [kg]:

* organ volume ``V = f_V * BW`` [L] (tissue density 1 kg/L);
* cardiac output ``QC = QCC * BW**0.75`` [L/h] (allometric, as in Lin 2016 and Chou 2023);
* organ blood flow ``Q = f_Q * QC``; the lung receives all of ``QC``;
* GFR proportional to ``BW``;
* the rest of the body takes what remains of body weight and cardiac output, after the organs,
  the central blood pool and the tumour; it must stay positive (else :class:`InputError`).

Portal organs (spleen, gut) drain into the liver, so the liver's venous outflow is its hepatic
artery flow plus theirs. A tumour is added with :meth:`Physiology.with_tumour`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import yaml

from nanomed.core.checks import as_number
from nanomed.core.errors import InputError
from nanomed.core.parameter import Parameter, ParameterSet
from nanomed.core.units import convert, parse_quantity
from nanomed.data import data_path

__all__ = ["Organ", "Physiology", "available_physiologies", "get_physiology"]

_SETS = ("mouse", "rat", "human", "mouse_chou2023")

#: table entry -> parameter name of the top-level values
_TOP = {
    "body_weight": "body_weight",
    "cardiac_output_coefficient": "cardiac_output",
    "central_blood": "central_blood_volume",
    "gfr": "gfr",
}
#: organ-row field -> parameter prefix
_FIELDS = {"volume": "V", "flow": "Q", "blood": "BV"}
#: tumour defaults of a table (used by Physiology.with_tumour): parameter name, unit, upper
#: bound, description
_TUMOUR_DEFAULTS = {
    "flow_per_gram": (
        "tumour_flow_per_gram",
        "L/h/g",
        None,
        "default tumour blood flow per gram of tumour",
    ),
    "flow_fraction": (
        "tumour_flow_fraction",
        "dimensionless",
        1,
        "default tumour blood flow / cardiac output",
    ),
    "blood": ("tumour_blood_fraction", "dimensionless", 1, "default tumour vascular fraction"),
}


@dataclass(frozen=True)
class Organ:
    """One organ (or the tumour).

    Parameters
    ----------
    name : str
        Organ name (``liver``, ``tumour`` ...).
    volume : float
        Organ volume including its capillary blood [L].
    flow : float
        Arterial blood flow into the organ [L/h] (the lung: cardiac output).
    blood_fraction : float
        Capillary blood volume / organ volume [-].
    drains_to : str or None
        Organ receiving the venous outflow (``"liver"`` for portal organs), None: venous blood.
    """

    name: str
    volume: float
    flow: float
    blood_fraction: float
    drains_to: str | None = None

    @property
    def blood_volume(self) -> float:
        """Capillary blood volume [L]."""
        return self.volume * self.blood_fraction

    @property
    def tissue_volume(self) -> float:
        """Tissue (extravascular) volume [L]."""
        return self.volume - self.blood_volume


@dataclass(frozen=True)
class Physiology:
    """Physiology of one subject, in L and L/h.

    Examples
    --------
    >>> phys = get_physiology("mouse", body_weight=0.02)
    >>> round(phys.cardiac_output, 3)  # 16.5 * 0.02**0.75 L/h
    0.878
    >>> phys.outflow("liver") > phys.organs["liver"].flow  # spleen and gut drain into it
    True
    """

    name: str
    species: str
    body_weight: float
    cardiac_output: float
    central_blood_volume: float
    gfr: float
    organs: dict[str, Organ]
    references: dict[str, str] = field(default_factory=dict)
    #: names of the :meth:`parameters` whose table value is flagged ``guess``
    guesses: frozenset[str] = frozenset()

    def organ(self, name: str) -> Organ:
        """Return an organ; unknown names raise :class:`InputError`."""
        try:
            return self.organs[name]
        except KeyError:
            raise InputError(
                f"physiology {self.name!r}: unknown organ {name!r} (known: {', '.join(self.organs)})"
            ) from None

    @property
    def systemic(self) -> list[str]:
        """Organs fed by arterial blood (all but the lung), in table order."""
        return [n for n in self.organs if n != "lung"]

    def outflow(self, name: str) -> float:
        """Venous outflow of an organ [L/h]: its own flow plus the flows draining into it."""
        own = self.organ(name).flow
        return own + sum(o.flow for o in self.organs.values() if o.drains_to == name)

    @property
    def has_tumour(self) -> bool:
        """True when a tumour compartment is present."""
        return "tumour" in self.organs

    def with_tumour(
        self,
        mass: float | None = None,
        *,
        volume: float | None = None,
        flow: float | None = None,
        flow_fraction: float | None = None,
        blood_fraction: float | None = None,
    ) -> Physiology:
        """Return a copy with a tumour taken out of the rest of the body.

        Parameters
        ----------
        mass : float, optional
            Tumour mass [g] (volume = mass / 1 g/mL).
        volume : float, optional
            Tumour volume [L] (instead of ``mass``).
        flow, flow_fraction : float, optional
            Tumour blood flow [L/h], or as a fraction of cardiac output (Chou 2023's QTC);
            default: the table's flow per gram (or fraction).
        blood_fraction : float, optional
            Tumour vascular fraction [-] (Chou 2023's BVT); default from the table.

        The tumour's ``Q_tumour`` and ``BV_tumour`` in :meth:`parameters` carry the table's
        reference and guess flag when they come from the table, and say "given" otherwise.
        """
        if (mass is None) == (volume is None):
            raise InputError(f"physiology {self.name!r}: give the tumour mass or its volume")
        where = f"physiology {self.name!r}: tumour"
        given = {"mass": mass, "volume": volume, "flow": flow, "flow_fraction": flow_fraction}
        mass, volume, flow, flow_fraction = (
            None if v is None else as_number(v, f"{where} {k}") for k, v in given.items()
        )
        if flow is not None and flow < 0:
            raise InputError(f"{where} flow must be >= 0 L/h, got {flow:g}")
        if flow_fraction is not None and not 0 <= flow_fraction <= 1:
            raise InputError(f"{where} flow_fraction must lie in [0, 1], got {flow_fraction:g}")
        vol = volume if volume is not None else (mass or 0.0) / 1000.0
        if not vol > 0:
            raise InputError(f"physiology {self.name!r}: tumour size must be > 0, got {vol:g} L")
        table = _load(self.name).get("tumour", {})
        q_key: str | None = None  # the table entry the flow comes from (None: given)
        if flow is None:
            if flow_fraction is None and "flow_fraction" in table:
                flow_fraction = table["flow_fraction"]["value"]
                q_key = "flow_fraction"
            if flow_fraction is not None:
                flow = flow_fraction * self.cardiac_output
            else:
                flow = table["flow_per_gram"]["value"] * vol * 1000.0
                q_key = "flow_per_gram"
        b_key = None if blood_fraction is not None else "blood"
        bf = blood_fraction if blood_fraction is not None else table["blood"]["value"]
        if not 0 <= bf < 1:
            raise InputError(f"physiology {self.name!r}: tumour blood fraction {bf} outside [0, 1)")
        rest = self.organs["rest"]
        new_rest = replace(rest, volume=rest.volume - vol, flow=rest.flow - flow)
        _check_positive(self.name, self.body_weight, new_rest)
        organs = {k: (new_rest if k == "rest" else v) for k, v in self.organs.items()}
        organs["tumour"] = Organ("tumour", vol, flow, bf)
        refs = dict(self.references)
        refs["tumour"] = "; ".join(
            [
                "volume: given",
                f"flow: {table[q_key].get('ref', '')}" if q_key else "flow: given",
                f"blood: {table[b_key].get('ref', '')}" if b_key else "blood: given",
            ]
        )
        guesses = set(self.guesses) - {"Q_tumour", "BV_tumour"}
        guesses |= {
            f"{prefix}_tumour"
            for prefix, key in (("Q", q_key), ("BV", b_key))
            if key is not None and table[key].get("guess", False)
        }
        return replace(self, organs=organs, references=refs, guesses=frozenset(guesses))

    def parameters(self) -> ParameterSet:
        """All values as :class:`~nanomed.core.Parameter` objects (for tables and reports).

        The guess flag of each value is the table's (``guess:`` of an entry, or the list of
        guessed fields of an organ row). The tumour defaults of the table (used by
        :meth:`with_tumour`) close the list as ``tumour_*``.
        """
        ref, g = self.references, self.guesses
        ps = [
            Parameter(
                "body_weight",
                self.body_weight,
                "kg",
                (0, None),
                ref.get("body_weight", ""),
                "body_weight" in g,
            ),
            Parameter(
                "cardiac_output",
                self.cardiac_output,
                "L/h",
                (0, None),
                ref.get("cardiac_output_coefficient", ""),
                "cardiac_output" in g,
            ),
            Parameter(
                "central_blood_volume",
                self.central_blood_volume,
                "L",
                (0, None),
                ref.get("central_blood", ""),
                "central_blood_volume" in g,
            ),
            Parameter("gfr", self.gfr, "L/h", (0, None), ref.get("gfr", ""), "gfr" in g),
        ]
        for o in self.organs.values():
            r = ref.get(o.name, "")
            ps += [
                Parameter(f"V_{o.name}", o.volume, "L", (0, None), r, f"V_{o.name}" in g),
                Parameter(f"Q_{o.name}", o.flow, "L/h", (0, None), r, f"Q_{o.name}" in g),
                Parameter(
                    f"BV_{o.name}",
                    o.blood_fraction,
                    "dimensionless",
                    (0, 1),
                    r,
                    f"BV_{o.name}" in g,
                ),
            ]
        tumour = _load(self.name).get("tumour", {}) if self.name in _SETS else {}
        for key, (pname, unit, hi, desc) in _TUMOUR_DEFAULTS.items():
            if key in tumour:
                row = tumour[key]
                guess = bool(row.get("guess", False))
                ref_t = row.get("ref", "")
                ps.append(Parameter(pname, row["value"], unit, (0, hi), ref_t, guess, desc))
        return ParameterSet(ps)


def available_physiologies() -> list[str]:
    """Names of the bundled physiology tables."""
    return list(_SETS)


@cache
def _load(name: str) -> dict[str, Any]:
    if name not in _SETS:
        raise InputError(f"unknown species or physiology set {name!r} (known: {', '.join(_SETS)})")
    return yaml.safe_load(data_path("physiology", f"{name}.yaml").read_text(encoding="utf-8"))


def _row_guesses(name: str, organ: str, flag: bool | list[str]) -> set[str]:
    """Parameter names flagged by an organ row's ``guess``: true (all) or a list of fields."""
    fields = list(_FIELDS) if flag is True else (flag or [])
    unknown = [f for f in fields if f not in _FIELDS]
    if unknown:
        raise InputError(f"physiology {name!r}: organ {organ!r} guesses unknown field(s) {unknown}")
    return {f"{_FIELDS[f]}_{organ}" for f in fields}


def _check_positive(name: str, bw: float, rest: Organ) -> None:
    if rest.volume <= 0:
        raise InputError(
            f"physiology {name!r} (BW {bw:g} kg): organ, blood and tumour volumes exceed body weight"
        )
    if rest.flow <= 0:
        raise InputError(
            f"physiology {name!r} (BW {bw:g} kg): organ and tumour blood flows exceed cardiac output"
        )


def get_physiology(
    name: str = "mouse", body_weight: float | None = None, tumour_mass: float | None = None
) -> Physiology:
    """Build the physiology of a species (or a named set) at a body weight.

    Parameters
    ----------
    name : str
        ``mouse``, ``rat``, ``human`` or ``mouse_chou2023`` (Chou 2023's generic mouse).
    body_weight : float or str or pint.Quantity, optional
        Body weight [kg] (or a quantity such as ``"25 g"``); default: the table's reference weight.
    tumour_mass : float, optional
        Tumour mass [g]; adds a tumour compartment.

    Returns
    -------
    Physiology
    """
    table = _load(str(name))
    if body_weight is None:
        bw = table["body_weight"]["value"]
    else:
        bw = parse_quantity(body_weight, "kg", name=f"physiology {name!r}: body_weight")
    if not (bw > 0 and math.isfinite(bw)):
        raise InputError(f"physiology {name!r}: body weight must be finite and > 0 kg, got {bw:g}")
    qc = table["cardiac_output_coefficient"]["value"] * bw**0.75
    central = table["central_blood"]["value"] * bw
    gfr = convert(table["gfr"]["value"] * bw, "mL/min", "L/h")
    refs = {k: v["ref"] for k, v in table.items() if isinstance(v, dict) and "ref" in v}
    guesses = {p for k, p in _TOP.items() if table[k].get("guess", False)}
    organs: dict[str, Organ] = {}
    used_v = central
    used_q = 0.0
    for oname, row in table["organs"].items():
        refs[oname] = row.get("ref", "")
        guesses |= _row_guesses(str(name), oname, row.get("guess", False))
        if oname == "rest":
            continue
        if not (row["volume"] > 0 and row["flow"] >= 0 and 0 <= row["blood"] < 1):
            raise InputError(f"physiology {name!r}: impossible values for organ {oname!r}")
        q = qc if oname == "lung" else row["flow"] * qc
        organs[oname] = Organ(oname, row["volume"] * bw, q, row["blood"], row.get("drains_to"))
        used_v += row["volume"] * bw
        used_q += 0.0 if oname == "lung" else q
    rest_row = table["organs"]["rest"]
    rest = Organ("rest", bw - used_v, qc - used_q, rest_row["blood"])
    _check_positive(str(name), bw, rest)
    organs["rest"] = rest
    for o in organs.values():
        if o.drains_to is not None and o.drains_to not in organs:
            raise InputError(f"physiology {name!r}: {o.name} drains to unknown {o.drains_to!r}")
    phys = Physiology(
        str(name), table["species"], bw, qc, central, gfr, organs, refs, frozenset(guesses)
    )
    if tumour_mass is not None:
        phys = phys.with_tumour(tumour_mass)
    return phys
