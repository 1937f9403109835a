"""Declaring a compartment model as a table of first-order fluxes, and compiling it to an ODE.

Every transfer in the organ model — blood flow, membrane exchange, phagocytic uptake and release,
excretion, drug release from the carrier, metabolism — is a flux from one state to another,
``J = k · y[src]``, with ``k`` a rate constant [1/h] times optional factors:

* a Hill time course ``t^n / (K50^n + t^n)`` (phagocytic activation, Chou 2023),
* a saturation ``clip(1 - y[s]/cap, 0, 1)`` of a phagocyte state ``s`` (MPS capacity),
* a release hazard ``h(t - t_dose)`` of a carrier cohort in an environment (release scale),
* a step function of the dosing segment (e.g. accelerated blood clearance after a dose).

Because each flux leaves one state and enters another (sinks such as urine are states too), the
sum of all states changes only by the doses given: mass balance holds by construction, and the
Jacobian's columns sum to zero, so the BDF Newton iterations conserve it as well. The right-hand
side and the sparse Jacobian are vectorised numpy (two ``bincount`` calls), and tables for many
parameter sets stack into one block-diagonal system (:func:`stack_tables`) for the batched path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from nanomed.core.errors import InputError, ModelError
from nanomed.solvers import ODEProblem

__all__ = ["FluxSystem", "FluxTable", "HazardTable", "stack_tables"]


@dataclass
class HazardTable:
    """A release hazard ``h(age)`` [1/h] tabulated on an age grid [h], for one dose cohort.

    ``h(t) = interp(t - t_dose)`` for ``t >= t_dose``, 0 before. Tabulating once keeps the
    right-hand side free of release-model calls; the linear interpolation between grid points is
    the approximation.
    """

    t_dose: float
    ages: np.ndarray
    rates: np.ndarray

    def __call__(self, t: float) -> float:
        age = t - self.t_dose
        if age < 0:
            return 0.0
        return float(np.interp(age, self.ages, self.rates))


@dataclass
class FluxTable:
    """A declared compartment model: state names, fluxes, doses (see the module docstring)."""

    names: list[str] = field(default_factory=list)
    src: list[int] = field(default_factory=list)
    dst: list[int] = field(default_factory=list)
    rate: list[float] = field(default_factory=list)
    hill: list[int] = field(default_factory=list)
    sat: list[int] = field(default_factory=list)
    cap: list[float] = field(default_factory=list)
    hazard: list[int] = field(default_factory=list)
    step: list[int] = field(default_factory=list)
    hill_params: list[tuple[float, float, float]] = field(default_factory=list)
    hazards: list[HazardTable] = field(default_factory=list)
    steps: list[list[tuple[float, float]]] = field(default_factory=list)
    boluses: list[tuple[float, int, float]] = field(default_factory=list)
    infusions: list[tuple[float, float, int, float]] = field(default_factory=list)
    y0: dict[int, float] = field(default_factory=dict)
    atol: dict[int, float] = field(default_factory=dict)

    # -- declaring --------------------------------------------------------------------------
    def state(self, name: str) -> int:
        """Add a state (or return the index of an existing one)."""
        index = self._index
        if name in index:
            return index[name]
        self.names.append(name)
        index[name] = len(self.names) - 1
        return index[name]

    def index(self, name: str) -> int:
        """Index of a declared state."""
        try:
            return self._index[name]
        except KeyError:
            raise ModelError(f"no state {name!r}") from None

    @property
    def _index(self) -> dict[str, int]:
        cache = self.__dict__.setdefault("_idx", {})
        if len(cache) != len(self.names):
            cache.clear()
            cache.update({n: i for i, n in enumerate(self.names)})
        return cache

    def add_hill(self, k50: float, n: float, t0: float = 0.0) -> int:
        """Declare a Hill time course ``(t-t0)^n / (k50^n + (t-t0)^n)``; return its id."""
        self.hill_params.append((float(k50), float(n), float(t0)))
        return len(self.hill_params) - 1

    def add_hazard(self, hazard: HazardTable) -> int:
        """Declare a release hazard; return its id."""
        self.hazards.append(hazard)
        return len(self.hazards) - 1

    def add_step(self, steps: Sequence[tuple[float, float]]) -> int:
        """Declare a step multiplier ``[(t_from, value), ...]`` (value 0 before the first)."""
        self.steps.append(sorted((float(a), float(b)) for a, b in steps))
        return len(self.steps) - 1

    def flux(
        self,
        src: int,
        dst: int,
        rate: float,
        *,
        hill: int = -1,
        sat: int = -1,
        cap: float = np.inf,
        hazard: int = -1,
        step: int = -1,
    ) -> None:
        """Declare a flux ``rate · factors · y[src]`` from ``src`` to ``dst`` [rate: 1/h]."""
        if not (np.isfinite(rate) and rate >= 0):
            raise ModelError(f"flux {self.names[src]} -> {self.names[dst]}: bad rate {rate!r}")
        if rate == 0:
            return
        self.src.append(src)
        self.dst.append(dst)
        self.rate.append(float(rate))
        self.hill.append(hill)
        self.sat.append(sat)
        self.cap.append(float(cap))
        self.hazard.append(hazard)
        self.step.append(step)

    def bolus(self, t: float, state: int, amount: float) -> None:
        """Add ``amount`` to ``state`` at time ``t``."""
        self.boluses.append((float(t), state, float(amount)))

    def infusion(self, t_start: float, t_end: float, state: int, rate: float) -> None:
        """Zero-order input ``rate`` [amount/h] into ``state`` over ``[t_start, t_end)``."""
        self.infusions.append((float(t_start), float(t_end), state, float(rate)))

    # -- copying ----------------------------------------------------------------------------
    def copy_fluxes(self, mapping: dict[int, int], keep_sat: bool = True) -> None:
        """Duplicate every flux whose source and target are in ``mapping`` onto the mapped states.

        Used for carrier-bound drug, which moves exactly as its carrier: the copies share the
        rate constants and factors, and saturation still reads the *particle* phagocyte state.
        """
        for i in range(len(self.src)):
            s, d = self.src[i], self.dst[i]
            if s in mapping and d in mapping:
                self.flux(
                    mapping[s],
                    mapping[d],
                    self.rate[i],
                    hill=self.hill[i],
                    sat=self.sat[i] if keep_sat else -1,
                    cap=self.cap[i],
                    hazard=self.hazard[i],
                    step=self.step[i],
                )

    def compile(self, name: str = "model") -> FluxSystem:
        """Freeze the table into a :class:`FluxSystem` (vectorised right-hand side and Jacobian)."""
        return FluxSystem(self, name)


def stack_tables(tables: Sequence[FluxTable]) -> FluxTable:
    """Concatenate tables (block-diagonal system) for the batched path."""
    out = FluxTable()
    for k, tab in enumerate(tables):
        off = len(out.names)
        h_off, z_off, s_off = len(out.hill_params), len(out.hazards), len(out.steps)
        out.names += [f"{k}:{n}" for n in tab.names]
        out.src += [i + off for i in tab.src]
        out.dst += [i + off for i in tab.dst]
        out.rate += tab.rate
        out.hill += [h + h_off if h >= 0 else -1 for h in tab.hill]
        out.sat += [s + off if s >= 0 else -1 for s in tab.sat]
        out.cap += tab.cap
        out.hazard += [h + z_off if h >= 0 else -1 for h in tab.hazard]
        out.step += [s + s_off if s >= 0 else -1 for s in tab.step]
        out.hill_params += tab.hill_params
        out.hazards += tab.hazards
        out.steps += tab.steps
        out.boluses += [(t, i + off, a) for t, i, a in tab.boluses]
        out.infusions += [(a, b, i + off, r) for a, b, i, r in tab.infusions]
        out.y0.update({i + off: v for i, v in tab.y0.items()})
        out.atol.update({i + off: v for i, v in tab.atol.items()})
    return out


class FluxSystem:
    """A compiled :class:`FluxTable`: ``rhs``, sparse ``jac`` and an :class:`ODEProblem`."""

    def __init__(self, table: FluxTable, name: str = "model") -> None:
        self.table = table
        self.name = name
        self.n = n = len(table.names)
        self.src = np.asarray(table.src, dtype=np.intp)
        self.dst = np.asarray(table.dst, dtype=np.intp)
        self.rate = np.asarray(table.rate, dtype=float)
        hill = np.asarray(table.hill, dtype=np.intp)
        sat = np.asarray(table.sat, dtype=np.intp)
        hazard = np.asarray(table.hazard, dtype=np.intp)
        step = np.asarray(table.step, dtype=np.intp)
        self.hill_idx = np.flatnonzero(hill >= 0)
        self.hill_grp = hill[self.hill_idx]
        hp = np.asarray(table.hill_params, dtype=float).reshape(-1, 3)
        self.k50, self.hill_n, self.hill_t0 = hp[:, 0], hp[:, 1], hp[:, 2]
        self.k50n = self.k50**self.hill_n
        self.sat_idx = np.flatnonzero(sat >= 0)
        self.sat_state = sat[self.sat_idx]
        self.sat_cap = np.asarray(table.cap, dtype=float)[self.sat_idx]
        self._no_sat = np.empty(0)
        self.haz_idx = np.flatnonzero(hazard >= 0)
        self.haz_grp = hazard[self.haz_idx]
        # hazards on one shared age grid are interpolated together (one vectorised lookup)
        hz = table.hazards
        self.haz_shared = bool(hz) and all(
            h.ages is hz[0].ages or np.array_equal(h.ages, hz[0].ages) for h in hz
        )
        if self.haz_shared:
            self.haz_ages = hz[0].ages
            self.haz_tdose = np.array([h.t_dose for h in hz])
            self.haz_rates = np.vstack([h.rates for h in hz])
            self.haz_rows = np.arange(len(hz))
            self.haz_single_t = (
                float(self.haz_tdose[0]) if np.all(self.haz_tdose == self.haz_tdose[0]) else None
            )
        self.step_idx = np.flatnonzero(step >= 0)
        self.step_grp = step[self.step_idx]
        # breakpoints: doses and infusion edges; one input vector and step value per segment
        bps = sorted(
            {t for t, _, _ in table.boluses} | {t for a, b, _, _ in table.infusions for t in (a, b)}
        )
        self.t0 = 0.0 if not bps else min(0.0, bps[0])
        self.breakpoints = bps
        edges = [self.t0, *[b for b in bps if b > self.t0]]
        self.seg_start = np.asarray(edges)
        self.inputs = np.zeros((len(edges), n))
        for a, b, i, r in table.infusions:
            for k, s in enumerate(edges):
                if a <= s < b:
                    self.inputs[k, i] += r
        self.step_values = np.zeros((len(table.steps), len(edges)))
        for g, st in enumerate(table.steps):
            for k, s in enumerate(edges):
                vals = [v for t, v in st if t <= s]
                self.step_values[g, k] = vals[-1] if vals else 0.0
        self.bolus_at: dict[float, np.ndarray] = {}
        for t, i, a in table.boluses:
            self.bolus_at.setdefault(t, np.zeros(n))[i] += a
        self.y0 = np.zeros(n)
        for i, v in table.y0.items():
            self.y0[i] = v
        self.atol = np.full(n, 1e-12)
        for i, v in table.atol.items():
            self.atol[i] = v
        self._build_pattern()

    # -- evaluation -------------------------------------------------------------------------
    def rates(self, t: float, y: np.ndarray, seg: int) -> tuple[np.ndarray, np.ndarray]:
        """Effective rate constants [1/h] of every flux, and the saturation factors."""
        k = self.rate.copy()
        if self.hill_idx.size:
            k[self.hill_idx] *= self.hill_factors(t)[self.hill_grp]
        s = self._no_sat
        if self.sat_idx.size:
            s = np.minimum(np.maximum(1.0 - y[self.sat_state] / self.sat_cap, 0.0), 1.0)
            k[self.sat_idx] *= s
        if self.haz_idx.size:
            k[self.haz_idx] *= self.hazard_rates(t)[self.haz_grp]
        if self.step_idx.size:
            k[self.step_idx] *= self.step_values[self.step_grp, seg]
        return k, s

    def hill_factors(self, t: float) -> np.ndarray:
        """Hill time courses ``(t-t0)^n / (K50^n + (t-t0)^n)`` of every declared group [-]."""
        ttn = np.maximum(t - self.hill_t0, 0.0) ** self.hill_n
        return ttn / (self.k50n + ttn)

    def hazard_rates(self, t: float) -> np.ndarray:
        """Release hazard of every declared hazard table at time ``t`` [1/h]."""
        if not self.haz_shared:
            return np.array([h(t) for h in self.table.hazards])
        grid = self.haz_ages
        if self.haz_single_t is not None:  # one cohort: one lookup for every environment
            age = t - self.haz_single_t
            if age < 0:
                return np.zeros(self.haz_rows.size)
            age = min(age, grid[-1])
            j = min(int(grid.searchsorted(age, side="right")) - 1, grid.size - 2)
            w = (age - grid[j]) / (grid[j + 1] - grid[j])
            return self.haz_rates[:, j] * (1 - w) + self.haz_rates[:, j + 1] * w
        ages = t - self.haz_tdose
        a = np.minimum(np.maximum(ages, grid[0]), grid[-1])
        j = np.minimum(grid.searchsorted(a, side="right") - 1, grid.size - 2)
        w = (a - grid[j]) / (grid[j + 1] - grid[j])
        r = self.haz_rates[self.haz_rows, j] * (1 - w) + self.haz_rates[self.haz_rows, j + 1] * w
        return r * (ages >= 0)

    def rhs(self, t: float, y: np.ndarray, seg: int = 0) -> np.ndarray:
        """``dy/dt`` [amount/h]."""
        k, _ = self.rates(t, y, seg)
        flux = k * y[self.src]
        return (
            np.bincount(self.dst, flux, self.n)
            - np.bincount(self.src, flux, self.n)
            + self.inputs[seg]
        )

    def _build_pattern(self) -> None:
        src, dst = self.src, self.dst
        ss, si = self.sat_state, self.sat_idx
        rows = np.concatenate([dst, src, dst[si], src[si]])
        cols = np.concatenate([src, src, ss, ss])
        pattern = sparse.csc_matrix((np.ones(rows.size), (rows, cols)), shape=(self.n, self.n))
        pattern.sum_duplicates()
        pattern.sort_indices()
        # position of each (row, col) entry in the CSC data array
        lookup = {}
        for c in range(self.n):
            for p in range(pattern.indptr[c], pattern.indptr[c + 1]):
                lookup[(pattern.indices[p], c)] = p
        self._pos = np.array(
            [lookup[(r, c)] for r, c in zip(rows, cols, strict=True)], dtype=np.intp
        )
        self.sparsity = pattern
        self._nnz = pattern.nnz

    def jac(self, t: float, y: np.ndarray, seg: int = 0) -> sparse.csc_matrix:
        """Sparse Jacobian ``d(dy/dt)/dy`` [1/h] in the fixed pattern :attr:`sparsity`."""
        k, s = self.rates(t, y, seg)
        if self.sat_idx.size:
            # d J / d y_sat = - k_without_saturation * y_src / cap, where 0 < s < 1
            ks = self.rate[self.sat_idx].copy()
            if self.hill_idx.size:
                full = self.rate.copy()
                full[self.hill_idx] *= self.hill_factors(t)[self.hill_grp]
                ks = full[self.sat_idx]
            active = (s > 0) & (s < 1)
            d = np.where(active, -ks * y[self.src[self.sat_idx]] / self.sat_cap, 0.0)
        else:
            d = np.empty(0)
        vals = np.concatenate([k, -k, d, -d])
        data = np.bincount(self._pos, vals, self._nnz)
        return sparse.csc_matrix(
            (data, self.sparsity.indices, self.sparsity.indptr), shape=(self.n, self.n)
        )

    def jump(self, t: float, y: np.ndarray) -> np.ndarray:
        """State after the boluses given at ``t``."""
        add = self.bolus_at.get(t)
        return y if add is None else y + add

    def problem(self, atol_scale: float = 1.0) -> ODEProblem:
        """The :class:`ODEProblem` of this system (batched path: ``meta["stack"]``)."""
        if self.n == 0:
            raise InputError(f"{self.name}: empty model")
        return ODEProblem(
            self.rhs,
            self.y0.copy(),
            self.t0,
            self.jac,
            self.sparsity,
            self.breakpoints,
            self.jump,
            name=self.name,
            atol=self.atol * atol_scale,
            meta={"table": self.table, "stack": _stack_problems},
        )


def _stack_problems(problems: Sequence[ODEProblem]) -> ODEProblem:
    tables = [p.meta["table"] for p in problems]
    system = stack_tables(tables).compile(f"stack of {len(problems)}")
    prob = system.problem()
    prob.atol = np.concatenate([np.broadcast_to(p.atol, (p.n_states,)) for p in problems])
    sizes = {p.n_states for p in problems}
    if len(sizes) == 1:  # equal blocks: the CVODE back-end can precondition block by block
        prob.meta["block_size"] = sizes.pop()
    return prob
