"""The batched Levenberg-Marquardt engine behind :func:`~nanomed.release.fitting.fit_library`.

One call of :func:`fit_group` fits one empirical model to a group of profiles of similar length:

1. :class:`Profiles` pads the profiles into (profiles x points) arrays with a mask; Korsmeyer-Peppas
   masks out points above F = 0.6 (DDSolver convention).
2. :class:`BoundsTransform` maps bounded parameters to unbounded variables ``z`` (log for one-sided
   bounds, logistic or log-space for two-sided ones), so the optimiser is unconstrained.
3. Starts: the model's linearisation of each profile, ``n_starts - 1`` random perturbations of it,
   and for flexible models draws over the time scales the sampling resolves.
4. :func:`_levenberg_marquardt` runs on every (profile, start) row at once, with forward-difference
   Jacobians from one call of the model's vectorised ``function``; converged rows leave the active
   set. The best start per profile is kept; rows that did not converge are polished with
   :func:`scipy.optimize.least_squares`.
5. Standard errors from the Jacobian in the original parameters at the optimum.

The algorithm is described in docs/release/fitting.md; this module holds no statistics of model
choice (see :mod:`nanomed.release.fitting`) and no result classes (:mod:`nanomed.release.fit_results`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nanomed.core.errors import InputError
from nanomed.release.empirical import EmpiricalModel

__all__ = [
    "BoundsTransform",
    "ModelFit",
    "Profiles",
    "difference_steps",
    "fit_group",
    "length_groups",
    "resolved",
]

_Z_CLIP = 60.0  # |z| limit: exp(60) ~ 1e26, far beyond the range of any fitted value
#: two positive bounds further apart than this ratio are fitted in log space (log-logistic)
LOG_SPAN = 1e3
_U_EDGE = 1e-9  # logistic inverses keep u = expit(z) inside [1e-9, 1 - 1e-9]

# -------------------------------------------------------------------------------------------
# bounded <-> unbounded parameters
# -------------------------------------------------------------------------------------------

_FREE, _LOWER, _UPPER, _LOGISTIC, _LOG_LOGISTIC, _CAPPED_LOG = range(6)


class BoundsTransform:
    """Smooth one-to-one map between bounded parameters ``theta`` and unbounded ``z``.

    Per parameter, by its bounds ``(lo, hi)`` (``None`` for an open side):

    ========================  ===============================================================
    bounds                    transform
    ========================  ===============================================================
    none                      theta = z
    lo only                   theta = lo + exp(z)
    hi only                   theta = hi - exp(z)
    lo = 0 < hi               theta = hi expit(z), i.e. ln theta = ln hi - ln(1 + exp(-z)):
                              a log transform capped smoothly at hi
    0 < lo, hi / lo > 1e3     ln theta = ln lo + ln(hi / lo) expit(z) (log-logistic)
    otherwise                 theta = lo + (hi - lo) expit(z) (logistic)
    ========================  ===============================================================

    Positive parameters whose bounds span decades (a diffusivity in (0, 1e-3) cm²/s fitted at
    1e-14) are thus handled in log space in both directions: :meth:`z` maps any value inside
    the bounds to a finite ``z`` (within ``|z| <= 60``) and :meth:`theta` maps it back with full
    relative precision. A plain logistic with its inverse clamped to ``u >= 1e-9`` would floor
    such a parameter at ``lo + 1e-9 (hi - lo)`` (1e-12 cm²/s here).

    Examples
    --------
    >>> tr = BoundsTransform([(0.0, 1e-3), (1e-6, 1.0), (0.0, None)])
    >>> theta = np.array([[1e-14, 3e-5, 2.0]])
    >>> bool(np.allclose(tr.theta(tr.z(theta)), theta, rtol=1e-9))
    True
    """

    def __init__(self, bounds: Sequence[tuple[float | None, float | None]]) -> None:
        lo = np.array([-np.inf if b[0] is None else b[0] for b in bounds], dtype=float)
        hi = np.array([np.inf if b[1] is None else b[1] for b in bounds], dtype=float)
        self.lo, self.hi = lo, hi
        both = np.isfinite(lo) & np.isfinite(hi)
        with np.errstate(all="ignore"):
            wide = both & (lo > 0) & (hi > LOG_SPAN * lo)
        self.kind = np.select(
            [both & (lo == 0), wide, both, np.isfinite(lo), np.isfinite(hi)],
            [_CAPPED_LOG, _LOG_LOGISTIC, _LOGISTIC, _LOWER, _UPPER],
            _FREE,
        )
        self._cols = {k: np.flatnonzero(self.kind == k) for k in np.unique(self.kind) if k}
        # |z| <= 60 on transformed parameters only: a free parameter is not limited
        self._z_max = np.where(self.kind == _FREE, np.inf, _Z_CLIP)
        with np.errstate(all="ignore"):
            self._log_lo = np.log(lo)
            self._log_span = np.log(hi) - np.log(lo)

    def theta(self, z: np.ndarray) -> np.ndarray:
        """Bounded parameters from unbounded ``z`` (same shape, parameters on the last axis)."""
        from scipy.special import expit

        out = z.copy()
        for kind, cols in self._cols.items():
            zc = z[..., cols]
            lo, hi = self.lo[cols], self.hi[cols]
            if kind == _LOWER:
                out[..., cols] = lo + np.exp(np.clip(zc, -_Z_CLIP, _Z_CLIP))
            elif kind == _UPPER:
                out[..., cols] = hi - np.exp(np.clip(zc, -_Z_CLIP, _Z_CLIP))
            elif kind == _LOG_LOGISTIC:
                out[..., cols] = np.exp(self._log_lo[cols] + self._log_span[cols] * expit(zc))
            else:  # logistic; with lo = 0 (capped log) hi expit(z) keeps full relative precision
                out[..., cols] = lo + (hi - lo) * expit(zc)
        return out

    def z(self, theta: np.ndarray) -> np.ndarray:
        """Unbounded variables of ``theta`` (values on or outside a bound go to its edge)."""
        out = np.array(theta, dtype=float, copy=True)
        with np.errstate(all="ignore"):
            for kind, cols in self._cols.items():
                th = out[..., cols]
                lo, hi = self.lo[cols], self.hi[cols]
                if kind == _LOWER:
                    out[..., cols] = np.log(np.maximum(th - lo, 1e-26))
                elif kind == _UPPER:
                    out[..., cols] = np.log(np.maximum(hi - th, 1e-26))
                else:  # logit of u in [0, 1]; capped log: no lower edge but |z| <= 60
                    if kind == _LOG_LOGISTIC:
                        u = (np.log(np.maximum(th, lo)) - self._log_lo[cols]) / self._log_span[cols]
                    else:
                        u = (th - lo) / (hi - lo)
                    u_min = 1e-300 if kind == _CAPPED_LOG else _U_EDGE
                    u = np.clip(u, u_min, 1 - _U_EDGE)
                    out[..., cols] = np.log(u) - np.log1p(-u)
        return self.clip(out)

    def clip(self, z: np.ndarray) -> np.ndarray:
        """``z`` limited to ``|z| <= 60`` for the transformed parameters (exp(60) ~ 1e26)."""
        return np.clip(z, -self._z_max, self._z_max)


# -------------------------------------------------------------------------------------------
# the batched Levenberg-Marquardt
# -------------------------------------------------------------------------------------------


@dataclass
class _Batch:
    """Padded data for one model: rows are (profile, start) pairs."""

    t: np.ndarray  # (B, N)
    f: np.ndarray  # (B, N)
    sw: np.ndarray  # (B, N) sqrt(weight) * mask


@dataclass
class _Layout:
    """Which parameters of a model are free, their transform and the fixed values."""

    model: EmpiricalModel
    names: list[str]
    free: np.ndarray  # indices into theta of the free parameters
    base: np.ndarray  # full theta with the fixed values filled in
    transform: BoundsTransform

    @classmethod
    def of(cls, model: EmpiricalModel, fixed: dict[str, float]) -> _Layout:
        names = model.param_names()
        unknown = set(fixed) - set(names)
        if unknown:
            raise InputError(
                f"{model.name}: cannot fix unknown parameter(s) {', '.join(sorted(unknown))}"
            )
        fixed = {n: model.parameters[n].check(v) for n, v in fixed.items()}
        model.check_positive(fixed)
        base = np.array([fixed.get(n, model.values[n]) for n in names], dtype=float)
        free = np.array([i for i, n in enumerate(names) if n not in fixed], dtype=int)
        if free.size == 0:
            raise InputError(f"{model.name}: no free parameter to fit (all are fixed)")
        bounds = [model.parameters[names[i]].bounds for i in free]
        return cls(model, names, free, base, BoundsTransform(bounds))

    def full(self, theta_free: np.ndarray) -> np.ndarray:
        out = np.tile(self.base, (theta_free.shape[0], 1))
        out[:, self.free] = theta_free
        return out

    def predict(self, t: np.ndarray, theta_free: np.ndarray) -> np.ndarray:
        return self.model.function(t, self.full(theta_free))


def _residuals(layout: _Layout, batch: _Batch, z: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Weighted, masked residuals (B, N) at unbounded parameters ``z`` for ``rows`` of the batch."""
    with np.errstate(all="ignore"):
        pred = layout.predict(batch.t[rows], layout.transform.theta(z))
        r = (batch.f[rows] - pred) * batch.sw[rows]
    return np.where(np.isfinite(r), r, 1e3 * batch.sw[rows])


def _jacobian(
    layout: _Layout, batch: _Batch, z: np.ndarray, rows: np.ndarray, r0: np.ndarray
) -> np.ndarray:
    """Forward-difference Jacobian dr/dz (B, N, q), all parameters in one model call."""
    q = z.shape[1]
    h = 1e-7 * np.maximum(1.0, np.abs(z))
    zs = np.repeat(z[None], q, axis=0)  # (q, B, q)
    idx = np.arange(q)
    zs[idx, :, idx] += h.T
    rp = _residuals(layout, batch, zs.reshape(-1, q), np.tile(rows, q)).reshape(q, *r0.shape)
    return np.moveaxis((rp - r0[None]) / h.T[:, :, None], 0, -1)


def _levenberg_marquardt(
    layout: _Layout, batch: _Batch, z0: np.ndarray, *, max_iter: int = 200, tol: float = 1e-9
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Batched Levenberg-Marquardt; returns (z, sse, converged) for every row of the batch.

    Marquardt's damped Gauss-Newton step with the damping scaled by diag(JᵀJ) (Marquardt, J Soc
    Ind Appl Math 11:431, 1963; the scaling as in Moré, Lecture Notes in Mathematics 630:105,
    1978), the damping divided by 5 after an accepted step and multiplied by 4 after a rejected
    one (a common schedule; the factors are a choice, not taken from either paper).
    """
    nb, q = z0.shape
    rows_all = np.arange(nb)
    z = z0.copy()
    r = _residuals(layout, batch, z, rows_all)
    sse = np.einsum("bn,bn->b", r, r)
    lam = np.full(nb, 1e-3)
    converged = np.zeros(nb, dtype=bool)
    active = rows_all.copy()
    jac = _jacobian(layout, batch, z, active, r)
    eye = np.eye(q)
    for _ in range(max_iter):
        if active.size == 0:
            break
        ja, ra = jac, r[active]
        a = np.einsum("bnp,bnq->bpq", ja, ja)
        g = np.einsum("bnp,bn->bp", ja, ra)
        d = np.einsum("bpp->bp", a)
        d = np.maximum(d, 1e-12 * d.max(axis=1, keepdims=True) + 1e-30)
        lhs = a + lam[active, None, None] * d[:, :, None] * eye
        step = -np.linalg.solve(lhs, g[:, :, None])[:, :, 0]
        z_new = layout.transform.clip(z[active] + step)
        r_new = _residuals(layout, batch, z_new, active)
        sse_new = np.einsum("bn,bn->b", r_new, r_new)
        better = sse_new < sse[active]
        acc = active[better]
        rel = (sse[acc] - sse_new[better]) / np.maximum(sse[acc], 1e-300)
        small_step = np.linalg.norm(step[better], axis=1) <= tol * (
            np.linalg.norm(z[acc], axis=1) + tol
        )
        z[acc], r[acc], sse[acc] = z_new[better], r_new[better], sse_new[better]
        lam[acc] = np.maximum(lam[acc] / 5.0, 1e-12)
        rej = active[~better]
        lam[rej] *= 4.0
        done = np.zeros(active.size, dtype=bool)
        done[better] = (rel <= tol) | small_step | (sse[acc] <= 1e-28)
        done[~better] = (lam[rej] > 1e12) | (np.abs(g[~better]).max(axis=1) <= 1e-14)
        converged[active[done]] = True
        keep = ~done
        # recompute the Jacobian only where the step was accepted
        new_jac = jac[keep]
        upd = better[keep]
        if upd.any():
            rows = active[keep][upd]
            new_jac[upd] = _jacobian(layout, batch, z[rows], rows, r[rows])
        jac, active = new_jac, active[keep]
    return z, sse, converged


def difference_steps(
    theta: np.ndarray, lo: np.ndarray, hi: np.ndarray, floor: float
) -> tuple[np.ndarray, np.ndarray]:
    """Forward-difference steps for the Jacobian in the original parameters.

    Returns ``(h, h_rel)``: ``h`` is 1e-6 relative with an absolute floor of 1e-6 ``floor``;
    ``h_rel`` is purely relative for positive parameters with a lower bound >= 0 (equal to ``h``
    elsewhere), for parameters that live many decades below ``floor`` (a diffusivity of 1e-14
    cm²/s). Steps point towards the interior at an upper bound.
    """
    h = 1e-6 * np.maximum(np.abs(theta), floor)
    h_rel = np.where((theta > 0) & (lo >= 0), 1e-6 * theta, h)
    return np.where(theta + h > hi, -h, h), np.where(theta + h_rel > hi, -h_rel, h_rel)


def resolved(delta: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """Whether a change of the prediction (points on the last axis) is above rounding noise.

    A relative step on a parameter pinned near zero (at a bound, with no effect at that scale)
    changes the prediction by less than this; the floored step is then used instead.
    """
    scale = np.max(np.abs(pred), axis=-1)
    return np.max(np.abs(delta), axis=-1) > 1e-9 * np.maximum(scale, 1e-300)


def _standard_errors(
    layout: _Layout,
    t: np.ndarray,
    sw: np.ndarray,
    theta: np.ndarray,
    sse: np.ndarray,
    n: np.ndarray,
) -> np.ndarray:
    """Standard errors (P, q) from the Jacobian in the original parameters (NaN if singular)."""
    p_count, q = theta.shape
    base = layout.predict(t, theta)
    idx = np.arange(q)

    def difference(h: np.ndarray) -> np.ndarray:  # (q, P, N) weighted dF/dtheta
        stack = np.repeat(theta[None], q, axis=0)
        stack[idx, :, idx] += h.T
        pert = layout.predict(np.tile(t, (q, 1)), stack.reshape(-1, q)).reshape(q, p_count, -1)
        return (pert - base[None]) * sw[None]

    h, h_rel = difference_steps(theta, layout.transform.lo, layout.transform.hi, floor=1e-8)
    delta = difference(h)
    if (h_rel != h).any():  # tiny positive parameters: relative steps where they resolve
        delta_rel = difference(h_rel)
        use = (h_rel != h).T & resolved(delta_rel, base * sw)
        delta = np.where(use[:, :, None], delta_rel, delta)
        h = np.where(use.T, h_rel, h)
    jac = np.moveaxis(delta / h.T[:, :, None], 0, -1)
    jac = np.where(np.isfinite(jac), jac, 0.0)
    a = np.einsum("bnp,bnq->bpq", jac, jac)
    dof = n - q
    s2 = np.where(dof > 0, sse / np.maximum(dof, 1), np.nan)
    se = np.full((p_count, q), np.nan)
    eig = np.linalg.eigvalsh(a)
    good = (eig[:, 0] > 1e-12 * np.maximum(eig[:, -1], 1e-300)) & np.isfinite(s2)
    if good.any():
        cov = np.linalg.inv(a[good]) * s2[good, None, None]
        se[good] = np.sqrt(np.maximum(np.einsum("bpp->bp", cov), 0.0))
    return se


# -------------------------------------------------------------------------------------------
# padded problems
# -------------------------------------------------------------------------------------------


@dataclass
class Profiles:
    """Profiles of one length group as padded arrays."""

    ids: list[str]
    t: np.ndarray
    f: np.ndarray
    w: np.ndarray
    mask: np.ndarray

    @classmethod
    def build(cls, groups: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]) -> Profiles:
        n = max(len(g[1]) for g in groups)
        p = len(groups)
        t = np.zeros((p, n))
        f = np.zeros((p, n))
        w = np.zeros((p, n))
        mask = np.zeros((p, n), dtype=bool)
        for i, (_, ti, fi, wi) in enumerate(groups):
            k = len(ti)
            t[i, :k], f[i, :k], w[i, :k], mask[i, :k] = ti, fi, wi, True
            t[i, k:] = ti[-1]  # padding repeats the last time: finite model values, masked out
        return cls([g[0] for g in groups], t, f, w, mask)


def length_groups(
    items: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]],
) -> list[list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]]:
    """Split profiles by length (powers of two) so that padding wastes little work."""
    groups: dict[int, list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]] = {}
    for it in items:
        key = max(3, math.ceil(math.log2(max(len(it[1]), 1))))
        groups.setdefault(key, []).append(it)
    return [groups[k] for k in sorted(groups)]


@dataclass
class ModelFit:
    """Raw results of one model over one group of profiles."""

    ids: list[str]
    theta: np.ndarray  # (P, n_all) full parameter vectors
    se: np.ndarray  # (P, n_all) NaN for fixed
    n: np.ndarray
    q: int
    sse: np.ndarray
    sst: np.ndarray
    converged: np.ndarray
    skipped: dict[str, str]


def fit_group(
    model: EmpiricalModel,
    fixed: dict[str, float],
    prof: Profiles,
    *,
    n_starts: int,
    rng: np.random.Generator,
    max_iter: int,
    polish: bool = True,
) -> ModelFit:
    """Fit ``model`` to every profile of ``prof`` with the ``fixed`` parameters held.

    Profiles with fewer usable points (t > 0) than free parameters are listed in ``skipped``.
    """
    layout = _Layout.of(model, fixed)
    q = layout.free.size
    mask = prof.mask.copy()
    if model.fit_max_fraction is not None:
        mask &= prof.f <= model.fit_max_fraction
    # every model has F(0) = 0 whatever its parameters: points at t = 0 say nothing about them
    n = (mask & (prof.t > 0)).sum(axis=1)
    enough = n >= max(q, 1)
    skipped = {
        pid: (
            f"only {n[i]} point(s) with t > 0 and F <= {model.fit_max_fraction:g} for {q} "
            "parameter(s)"
            if model.fit_max_fraction is not None
            else f"{n[i]} point(s) at t > 0 for {q} parameter(s)"
        )
        for i, pid in enumerate(prof.ids)
        if not enough[i]
    }
    sel = np.flatnonzero(enough)
    ids = [prof.ids[i] for i in sel]
    t, f, w, mask = prof.t[sel], prof.f[sel], prof.w[sel], mask[sel]
    sw = np.sqrt(w) * mask
    p_count = len(sel)
    n_all = len(layout.names)
    if p_count == 0:
        empty = np.zeros((0, n_all))
        return ModelFit(
            [], empty, empty, np.zeros(0), q, np.zeros(0), np.zeros(0), np.zeros(0, bool), skipped
        )

    # starting values: linearisation for the core, defaults for the optional parameters
    guess = np.tile(layout.base, (p_count, 1))
    n_core = len(model.core_specs)
    guess[:, :n_core] = model.guess(t, f, mask)
    names = layout.names
    if "f_max" in names and "f_max" not in fixed:
        guess[:, names.index("f_max")] = np.clip(
            np.max(np.where(mask, f, 0), axis=1) * 1.02, 0.05, 1.19
        )
    if "t_lag" in names and "t_lag" not in fixed:
        tmax = np.max(np.where(mask, t, 0), axis=1)
        guess[:, names.index("t_lag")] = 1e-3 * np.maximum(tmax, 1e-9)
    for i, nm in enumerate(names):  # keep guesses inside the bounds
        lo, hi = model.parameters[nm].bounds
        guess[:, i] = np.clip(
            guess[:, i], -np.inf if lo is None else lo, np.inf if hi is None else hi
        )
    z0 = layout.transform.z(guess[:, layout.free])
    starts = [z0]
    for _ in range(max(n_starts, 1) - 1):
        starts.append(z0 + rng.normal(0.0, 1.5, size=z0.shape))
    # flexible models have more local minima: two extra starts per free parameter beyond two,
    # drawn over the ranges the data can inform (time scales between the first and last time)
    for _ in range(2 * max(q - 2, 0) * (n_starts > 1)):
        starts.append(
            layout.transform.z(_natural_draw(layout, t, mask, guess, rng)[:, layout.free])
        )
    s = len(starts)
    zall = np.concatenate(starts)  # (S*P, q): start-major
    batch = _Batch(np.tile(t, (s, 1)), np.tile(f, (s, 1)), np.tile(sw, (s, 1)))
    z, sse, conv = _levenberg_marquardt(layout, batch, zall, max_iter=max_iter)
    sse_sp = sse.reshape(s, p_count)
    best = np.argmin(np.where(np.isfinite(sse_sp), sse_sp, np.inf), axis=0)
    pick = best * p_count + np.arange(p_count)
    zb, sseb, convb = z[pick], sse[pick], conv[pick]

    if polish and not convb.all():
        zb, sseb, convb = _polish(layout, t, f, sw, zb, sseb, convb)

    theta_free = layout.transform.theta(zb)
    theta = layout.full(theta_free)
    canonical = getattr(type(model), "canonical", None)
    if canonical is not None:
        theta = canonical(theta)
        theta_free = theta[:, layout.free]
    se_free = _standard_errors(layout, t, sw, theta_free, sseb, mask.sum(1).astype(float))
    se = np.full_like(theta, np.nan)
    se[:, layout.free] = se_free
    wm = np.where(mask, w, 0.0)
    fbar = np.sum(wm * f, axis=1) / np.maximum(np.sum(wm, axis=1), 1e-300)
    sst = np.sum(wm * (f - fbar[:, None]) ** 2, axis=1)
    return ModelFit(ids, theta, se, mask.sum(1), q, sseb, sst, convb, skipped)


def _natural_draw(
    layout: _Layout, t: np.ndarray, mask: np.ndarray, guess: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Random parameter sets spread over what the sampling times can resolve.

    Time scales (unit ``{t}``) log-uniform between the first positive and the last time, rates
    (``1/{t}``) the inverse, fractions uniform in (0.05, 0.95), shape exponents log-uniform in
    (0.3, 5); other parameters keep the linearised guess.
    """
    p = t.shape[0]
    tpos = np.where(mask & (t > 0), t, np.inf).min(axis=1)
    tpos = np.where(np.isfinite(tpos), tpos, 1.0)
    tmax = np.maximum(np.where(mask, t, 0).max(axis=1), tpos * 10)
    out = guess.copy()
    model = layout.model
    for i, name in enumerate(layout.names):
        spec = type(model).param_specs[i]
        lo, hi = spec.bounds
        u = rng.uniform(size=p)
        if spec.unit == "{t}" and name != "t_lag":
            out[:, i] = np.exp(np.log(tpos) + u * np.log(tmax / tpos))
        elif spec.unit == "1/{t}":
            out[:, i] = 1.0 / np.exp(np.log(tpos) + u * np.log(tmax / tpos))
        elif (lo, hi) == (0.0, 1.0):
            out[:, i] = 0.05 + 0.9 * u
        elif spec.unit == "dimensionless" and lo == 0.0 and hi is not None and hi > 5:
            out[:, i] = np.exp(np.log(0.3) + u * np.log(5 / 0.3))
    return out


def _polish(
    layout: _Layout,
    t: np.ndarray,
    f: np.ndarray,
    sw: np.ndarray,
    z: np.ndarray,
    sse: np.ndarray,
    conv: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """scipy least_squares from the LM point for rows that did not converge."""
    from scipy.optimize import least_squares

    z, sse, conv = z.copy(), sse.copy(), conv.copy()
    for i in np.flatnonzero(~conv):
        one = _Batch(t[i : i + 1], f[i : i + 1], sw[i : i + 1])
        rows = np.zeros(1, dtype=int)
        keep = sw[i] > 0

        def fun(
            zz: np.ndarray, one: _Batch = one, keep: np.ndarray = keep, rows: np.ndarray = rows
        ) -> np.ndarray:
            return _residuals(layout, one, zz[None], rows)[0][keep]

        try:
            res = least_squares(fun, z[i], method="trf", x_scale="jac", max_nfev=400)
        except (ValueError, np.linalg.LinAlgError):
            continue
        val = float(np.sum(res.fun**2))
        if val <= sse[i]:
            z[i], sse[i] = res.x, val
        conv[i] = bool(res.success)
    return z, sse, conv
