"""User-defined empirical release models: from a Python callable or from a safe expression.

:func:`custom_model` wraps a broadcasting callable ``function(t, **params)`` into an
:class:`~nanomed.release.empirical.EmpiricalModel` subclass, so that it works with
:func:`~nanomed.release.fitting.fit_model` and :func:`~nanomed.release.fitting.fit_library` like
the built-in DDSolver models. :func:`expression_model` does the same from a text such as
``"1 - exp(-k*t**b)"``: the text is parsed with :mod:`ast` and compiled into closures over a fixed
set of numpy functions (:func:`compile_expression`); nothing is ever passed to ``eval``, so an
expression read from a file or a command line cannot run code. See docs/release/empirical.md.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from numbers import Real
from typing import Any

import numpy as np

from nanomed.core.errors import InputError
from nanomed.core.parameter import Parameter
from nanomed.release.base import register_release_model
from nanomed.release.empirical import EmpiricalModel

__all__ = ["compile_expression", "custom_model", "expression_model"]


def custom_model(
    name: str,
    function: Callable[..., Any],
    params: Sequence[Parameter],
    *,
    equation: str = "",
    reference: str = "user-defined",
    plateau: bool = False,
    register: bool = False,
) -> type[EmpiricalModel]:
    """Make an empirical model class from a Python callable.

    Parameters
    ----------
    name : str
        Model name (used in tables; in the registry too when ``register``).
    function : callable
        ``function(t, **params)`` returning the fraction released. It is called with ``t`` of
        shape (batch, n) and each parameter of shape (batch, 1), so it must broadcast (numpy
        ufuncs do); a function that does not is called row by row.
    params : sequence of Parameter
        Declared parameters with default values, units (``"{t}"`` stands for the time unit) and
        bounds.
    equation, reference : str
        Shown in tables and reports.
    plateau : bool
        Whether an optional ``f_max`` factor applies.
    register : bool
        Add the model to the release-model registry.

    Returns
    -------
    type[EmpiricalModel]
        The new model class.

    Examples
    --------
    >>> p = [Parameter("k", 0.5, "1/{t}", (0, None), ref="user", guess=True)]
    >>> Exp = custom_model("my_first_order", lambda t, k: 1 - np.exp(-k * t), p)
    >>> round(float(Exp(k=1.0).fraction_released([1.0])[0]), 4)
    0.6321
    """
    if not isinstance(name, str) or not name or not name.replace("_", "").isalnum():
        raise InputError(f"custom model name must be a simple identifier, got {name!r}")
    if not callable(function):
        raise InputError(f"{name}: function must be callable, got {function!r}")
    if isinstance(params, Parameter) or not all(
        isinstance(p, Parameter) for p in (params if isinstance(params, Sequence) else [None])
    ):
        raise InputError(f"{name}: params must be a list of Parameter objects, got {params!r}")
    names = [p.name for p in params]
    if len(set(names)) != len(names) or {"t", "t_lag", "f_max"} & set(names):
        raise InputError(f"{name}: parameter names must be unique and not t, t_lag or f_max")

    def shape(cls: type[EmpiricalModel], t: np.ndarray, theta: np.ndarray) -> np.ndarray:
        kwargs = {n: theta[:, i : i + 1] for i, n in enumerate(names)}
        tb = np.broadcast_to(t, (theta.shape[0], np.shape(t)[-1]))
        try:
            out = np.asarray(function(tb, **kwargs), dtype=float)
            return np.broadcast_to(out, tb.shape)
        except (ValueError, TypeError):
            rows = [
                np.asarray(function(tb[i], **{n: float(theta[i, j]) for j, n in enumerate(names)}))
                for i in range(theta.shape[0])
            ]
            return np.broadcast_to(np.asarray(rows, dtype=float), tb.shape)

    attrs = {
        "name": name,
        "reference": reference,
        "equation": equation or getattr(function, "__name__", "user function"),
        "core_specs": tuple(params),
        "plateau": plateau,
        "shape": classmethod(shape),
        "__doc__": f"User-defined release model {name}: {equation or 'Python callable'}.",
    }
    cls = type(f"Custom_{name}", (EmpiricalModel,), attrs)
    if register:
        register_release_model(cls)
    return cls


_FUNCS: dict[str, Callable[..., Any]] = {
    "exp": np.exp,
    "expm1": np.expm1,
    "log": np.log,
    "log1p": np.log1p,
    "log10": np.log10,
    "sqrt": np.sqrt,
    "cbrt": np.cbrt,
    "abs": np.abs,
    "sin": np.sin,
    "cos": np.cos,
    "tanh": np.tanh,
    "arctan": np.arctan,
    "erf": None,  # filled lazily from scipy.special
    "minimum": np.minimum,
    "maximum": np.maximum,
}
_CONSTS = {"pi": math.pi, "e": math.e}
_BINOPS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}

Evaluator = Callable[[Mapping[str, Any]], Any]


def _compile_node(node: ast.AST, expr: str, names: set[str]) -> Evaluator:
    """Compile one node of a restricted arithmetic AST into a closure (never ``eval``)."""
    if isinstance(node, ast.Expression):
        return _compile_node(node.body, expr, names)
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    ):
        value = np.float64(node.value)
        return lambda env: value
    if isinstance(node, ast.Name):
        if node.id in _CONSTS:
            c = np.float64(_CONSTS[node.id])
            return lambda env: c
        if node.id in _FUNCS:
            raise InputError(f"expression {expr!r}: {node.id!r} is a function, call it")
        names.add(node.id)
        key = node.id
        return lambda env: env[key]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        op = _BINOPS[type(node.op)]
        left = _compile_node(node.left, expr, names)
        right = _compile_node(node.right, expr, names)
        return lambda env: op(left(env), right(env))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        uop = _UNARY[type(node.op)]
        operand = _compile_node(node.operand, expr, names)
        return lambda env: uop(operand(env))
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCS
        and not node.keywords
    ):
        fname = node.func.id
        if fname == "erf":
            from scipy.special import erf

            func: Callable[..., Any] = erf
        else:
            func = _FUNCS[fname]  # type: ignore[assignment]
        args = [_compile_node(a, expr, names) for a in node.args]
        return lambda env: func(*(a(env) for a in args))
    what = type(node).__name__
    if isinstance(node, ast.Call):
        what = f"call of {ast.unparse(node.func)!r}"
    allowed = ", ".join(k for k in _FUNCS)
    raise InputError(
        f"expression {expr!r}: {what} is not allowed (only numbers, t, parameters, + - * / ** "
        f"and the functions {allowed})"
    )


def compile_expression(expr: str) -> tuple[Evaluator, list[str]]:
    """Compile ``expr`` (numbers, names, + - * / **, numpy functions) safely.

    Returns the evaluator ``f(env)`` and the names it reads (``t`` and the parameters), in order
    of first appearance. Anything else (attributes, subscripts, lambdas, comprehensions, keyword
    arguments, unknown functions) raises :class:`InputError`; no code is ever ``eval``'d.
    """
    if not isinstance(expr, str) or not expr.strip():
        raise InputError("expression must be a non-empty string")
    if len(expr) > 1000:
        raise InputError(f"expression is too long ({len(expr)} characters, at most 1000)")
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError as exc:
        raise InputError(f"expression {expr!r}: syntax error ({exc.msg})") from None
    names: set[str] = set()
    evaluator = _compile_node(tree, expr, names)
    order = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in names]
    return evaluator, list(dict.fromkeys(order))


def expression_model(
    expr: str,
    params: Mapping[str, Any] | Sequence[Parameter] | None = None,
    *,
    name: str = "expression",
    plateau: bool = False,
    register: bool = False,
) -> type[EmpiricalModel]:
    """Make an empirical model from an expression such as ``"1 - exp(-k*t**b)"``.

    Parameters
    ----------
    expr : str
        Fraction released as a function of ``t`` and parameters; evaluated through a restricted
        AST over numpy functions (see :func:`compile_expression`), never with ``eval``.
    params : mapping or sequence of Parameter, optional
        Per parameter either a :class:`Parameter`, or in a mapping ``name -> (lower, upper)`` or
        ``(lower, upper, start)`` (``None`` for an open bound). Parameters not declared get
        bounds ``(None, None)`` and start 1. Units are not known for expression parameters and
        are recorded as ``"dimensionless"`` with ``guess=True``; declare a Parameter to give one.
    name, plateau, register
        As for :func:`custom_model`.

    Examples
    --------
    >>> M = expression_model("1 - exp(-k*t**b)", {"k": (0, None, 0.3), "b": (0.1, 5, 1.0)})
    >>> [p.name for p in M.core_specs]
    ['k', 'b']
    """
    evaluator, names = compile_expression(expr)
    if "t" not in names:
        raise InputError(f"expression {expr!r} does not use t")
    pnames = [n for n in names if n != "t"]
    declared: dict[str, Parameter] = {}
    if isinstance(params, Mapping):
        for pname, spec in params.items():
            if isinstance(spec, Parameter):
                declared[pname] = spec
                continue
            try:
                lo, hi, *rest = tuple(spec)
                if any(b is not None and not _is_number(b) for b in (lo, hi)):
                    raise TypeError
                start = rest[0] if rest else _midpoint(lo, hi)
            except (TypeError, ValueError):
                raise InputError(
                    f"parameter {pname}: expected a Parameter, (lower, upper) or "
                    f"(lower, upper, start) with numbers or None, got {spec!r}"
                ) from None
            declared[pname] = Parameter(
                pname,
                start,
                "dimensionless",
                (lo, hi),
                ref="user",
                guess=True,
                description="expression parameter (unit not declared)",
            )
    elif params is not None:
        declared = {p.name: p for p in params}
    unknown = set(declared) - set(pnames)
    if unknown:
        raise InputError(
            f"expression {expr!r} does not use parameter(s) {', '.join(sorted(unknown))}"
        )
    specs = [
        declared.get(n) or Parameter(n, 1.0, "dimensionless", (None, None), ref="user", guess=True)
        for n in pnames
    ]

    def function(t: np.ndarray, **kw: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return evaluator({"t": t, **kw})

    return custom_model(
        name,
        function,
        specs,
        equation=expr,
        plateau=plateau,
        register=register,
        reference="user-defined expression",
    )


def _is_number(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _midpoint(lo: float | None, hi: float | None) -> float:
    if lo is not None and hi is not None:
        return 0.5 * (lo + hi)
    if lo is not None:
        return lo + 1.0
    if hi is not None:
        return hi - 1.0
    return 1.0
