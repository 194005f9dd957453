"""t-SNE (seed: "Dimensionality Reduction › t-SNE"): the affinities and the objective.

- ``conditional_probabilities(X, sigmas)``: p_{j|i} = exp(-‖x_i-x_j‖²/2σ_i²) / Σ_{k≠i} (same),
  p_{i|i} = 0 (the seed's Σ_k runs over k ≠ i, as in van der Maaten & Hinton 2008).
- ``joint_probabilities(X, perplexity)``: each σ_i solves H(P_i) = log perplexity (entropy in
  nats; log₂ perplexity in bits), found at high precision by bisection on log β_i in float64, then Newton's method on it in mpmath
  (β = 1/2σ²; tsne_calibration.py); p_ij = (p_{j|i} + p_{i|j})/2n. Implementations stop their binary search when
  |H(P_i) - log perplexity| ≤ tol (1e-5 nats in van der Maaten's reference code and in
  scikit-learn's ``_binary_search_perplexity``): that tolerance is a derived allowance
  (``Exact.slack``): H falls with β, so the admissible β_i fill the interval between the roots
  of H = log perplexity ± tol, and p_{j|i} may be off by the larger of its exact changes at the
  two ends (not a linearisation: near a tie H is flat and Δβ is large). The
  sensitivity follows β_i(X, perplexity) by the implicit function theorem, every partial
  derivative by ``sympy.diff``.
- ``low_dim_affinities(Y)``: q_ij = (1+‖y_i-y_j‖²)⁻¹ / Σ_{k≠l} (1+‖y_k-y_l‖²)⁻¹. The seed's
  denominator sums over k alone (CATALOGUE, "Where the seed is wrong" 2); summed over all pairs
  k ≠ l, Σ q_ij = 1 (tests/test_tsne.py shows the seed's form summing to n).
- ``kl_divergence(P, Q)``: Σ_{i≠j} p_ij log(p_ij/q_ij), 0·log 0 = 0.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import mpmath
import numpy as np
import sympy as sp
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mathoracle.core.compiled import lambdify
from mathoracle.core.model import Exact, Oracle, Param, digits, rounding_budget

from . import domains as d
from .losses import xlogy
from .structured import Structured
from .tsne_calibration import calibrate, row_and_derivatives, row_parts

SEED = "Dimensionality Reduction › t-SNE"
TOL = 1e-5  # the calibration tolerance on the entropy (nats) of the standard implementations


def squared_distances(X) -> np.ndarray:
    """‖x_i - x_j‖² for every pair, as an object array of expressions (or mpf)."""
    diff = X[:, None, :] - X[None, :, :]
    return (diff * diff).sum(axis=-1)


def _off_diagonal(n):
    return [(i, j) for i in range(n) for j in range(n) if i != j]


def conditional(D, sigmas):
    """p_{j|i} from the squared distances D, zero diagonal."""
    n = D.shape[0]
    E = np.full((n, n), sp.Integer(0), dtype=object)
    for i, j in _off_diagonal(n):
        E[i, j] = sp.exp(-D[i, j] / (2 * sigmas[i] ** 2))
    return E / E.sum(axis=1, keepdims=True)


def student_t(D):
    """q_ij = (1+‖y_i-y_j‖²)⁻¹ / Σ_{k≠l} (1+‖y_k-y_l‖²)⁻¹ from the squared distances D, zero
    diagonal."""
    n = D.shape[0]
    num = np.full((n, n), sp.Integer(0), dtype=object)
    for i, j in _off_diagonal(n):
        num[i, j] = 1 / (1 + D[i, j])
    return num / num.sum()


def kl(P, Q):
    """Σ_{i≠j} p_ij log(p_ij/q_ij), with 0·log 0 = 0 (the diagonal is not part of it)."""
    n = P.shape[0]
    return np.array(sum(xlogy(P[i, j], P[i, j] / Q[i, j]) for i, j in _off_diagonal(n)), dtype=object)


@dataclass(eq=False)
class ThroughDistances(Oracle):
    """An (n, n) formula of the points' squared distances D_ab = ‖x_a - x_b‖² (and of per-point
    scalars such as σ_i): written once in SymPy on distance symbols, differentiated by
    ``sympy.diff`` and compiled per n (not per coordinate: far smaller expressions). The
    sensitivity chains ∂f/∂D_ab to the coordinates through ∂D_ab/∂x_a = 2(x_a - x_b), adds
    |∂f/∂s|·|s| for each scalar, and |∂f/∂D_ab|·D_ab for each distance: an implementation
    rounds every distance separately, an error no perturbation of the inputs accounts for
    (moving x_a moves all its distances alike, which p_{j|i} is nearly blind to)."""

    build: Callable | None = None   # (D (n, n) symbols, *scalar symbol arrays) -> (n, n) exprs
    _cache: dict = field(default_factory=dict, repr=False)

    def _compiled(self, n):
        if n not in self._cache:
            D = np.full((n, n), sp.Integer(0), dtype=object)
            pairs = [(a, b) for a in range(n) for b in range(a + 1, n)]
            for a, b in pairs:
                D[a, b] = D[b, a] = sp.Symbol(f"D_{a}_{b}", nonnegative=True)
            scalars = [np.array(sp.symbols(f"{name}0:{n}", positive=True), dtype=object)
                       for name in self.arrays[1:]]
            out = np.asarray(self.build(D, *scalars), dtype=object)
            syms = [D[a, b] for a, b in pairs] + [s for arr in scalars for s in arr]
            exprs = list(out.reshape(-1))
            fn = lambdify(syms, lambda: [exprs, [[sp.diff(e, s) for s in syms] for e in exprs]],
                          cse=True, key=("jacobian", exprs))
            deps = [[s in sp.sympify(e).free_symbols for s in syms] for e in exprs]
            budget = max(rounding_budget(e) for e in exprs) + 3 * 2  # + forming a distance
            self._cache[n] = fn, pairs, deps, budget
        return self._cache[n]

    def output_shape(self, inputs):
        n = np.shape(inputs[self.arrays[0]])[0]
        return (n, n)

    def exact(self, inputs):
        X = np.asarray(inputs[self.arrays[0]], np.float64)
        n, dim = X.shape
        fn, pairs, _, budget = self._compiled(n)
        with mpmath.workdps(digits()):
            x = [[mpmath.mpf(v) for v in r] for r in X]
            scal = [mpmath.mpf(float(v)) for name in self.arrays[1:]
                    for v in np.asarray(inputs[name], np.float64)]
            Dv = [mpmath.fsum((x[a][c] - x[b][c]) ** 2 for c in range(dim)) for a, b in pairs]
            vals, jac = fn(*Dv, *scal)
            value = np.empty(n * n, dtype=object)
            sens = np.empty(n * n, dtype=object)
            for e in range(n * n):
                value[e] = mpmath.mpf(vals[e])
                grad = [[mpmath.mpf(0)] * dim for _ in range(n)]
                for (a, b), g in zip(pairs, jac[e]):
                    if g == 0:
                        continue
                    for c in range(dim):
                        t = g * 2 * (x[a][c] - x[b][c])
                        grad[a][c] += t
                        grad[b][c] -= t
                sens[e] = (mpmath.fsum(abs(grad[a][c]) * abs(x[a][c]) for a in range(n)
                                       for c in range(dim))
                           + mpmath.fsum(abs(g) * abs(v) for g, v in zip(jac[e][len(pairs):], scal))
                           # every implementation rounds each distance on its own (errors that
                           # a shared perturbation of x would cancel): |∂f/∂D_ab|·D_ab
                           + mpmath.fsum(abs(g) * v for g, v in zip(jac[e], Dv)))
        return Exact(value.reshape(n, n), sens.reshape(n, n), budget)

    def nan_reach(self, inputs, arg, index):
        n = np.shape(inputs[self.arrays[0]])[0]
        _, pairs, deps, _ = self._compiled(n)
        if arg == self.arrays[0]:
            hit = [a == index[0] or b == index[0] for a, b in pairs] + [False] * (
                n * (len(self.arrays) - 1))
        else:
            k = self.arrays[1:].index(arg)
            hit = [False] * len(pairs) + [m == k * n + index[0] for m in range(n * (len(self.arrays) - 1))]
        return np.array([any(h and dep for h, dep in zip(hit, row)) for row in deps]).reshape(n, n)


@dataclass(eq=False)
class JointProbabilities(Oracle):
    """p_ij = (p_{j|i} + p_{i|j})/2n, σ_i calibrated to the perplexity (see the module docstring)."""

    def output_shape(self, inputs):
        n = np.shape(inputs["X"])[0]
        return (n, n)

    def exact(self, inputs):
        full = {**self.defaults(), **inputs}
        X = np.asarray(full["X"], np.float64)
        n, dim = X.shape
        perp, tol = float(full["perplexity"]), mpmath.mpf(float(full["tol"]))
        row = row_and_derivatives(n - 1)
        with mpmath.workdps(digits() + 20):
            x = [[mpmath.mpf(v) for v in r] for r in X]
            D = [[mpmath.fsum((x[i][c] - x[j][c]) ** 2 for c in range(dim)) for j in range(n)]
                 for i in range(n)]
            cond = [[mpmath.mpf(0)] * n for _ in range(n)]
            dcond = [[[mpmath.mpf(0)] * n for _ in range(n)] for _ in range(n)]  # dp_{j|i}/dD_ik
            dperp = [[mpmath.mpf(0)] * n for _ in range(n)]
            slack = [[mpmath.mpf(0)] * n for _ in range(n)]
            for i in range(n):
                others = [j for j in range(n) if j != i]
                ds = [D[i][j] for j in others]
                beta = calibrate(ds, perp)
                shift = min(ds)
                shifted = [dk - shift for dk in ds]
                p = row_parts(n - 1)[0](*shifted, beta)
                # Sensitivities and slack need a few digits, not the value's 80.
                with mpmath.workdps(20):
                    _, dp_dd, dp_db, dH_db, dH_dd = row(*shifted, beta)
                    # The σ_i a search stopped at |H - log perplexity| ≤ tol may return: β
                    # between the roots of H = log perplexity ± tol (H falls with β).
                    ends = [row_parts(n - 1)[0](*shifted, calibrate(ds, perp, off))
                            for off in (tol, -tol)]
                for a, j in enumerate(others):
                    cond[i][j] = p[a]
                    dperp[i][j] = dp_db[a] / (perp * dH_db)
                    slack[i][j] = max(abs(e[a] - p[a]) for e in ends)
                    for b_, k in enumerate(others):
                        # total derivative through β_i(D): dβ/dD_ik = -(∂H/∂d_k)/(∂H/∂β)
                        dcond[i][j][k] = dp_dd[a][b_] - dp_db[a] * dH_dd[b_] / dH_db
            value = np.empty((n, n), dtype=object)
            sens = np.empty((n, n), dtype=object)
            slk = np.empty((n, n), dtype=object)
            for i in range(n):
                for j in range(n):
                    value[i, j] = (cond[i][j] + cond[j][i]) / (2 * n)
                    slk[i, j] = (slack[i][j] + slack[j][i]) / (2 * n)
                    grad = np.zeros((n, dim), dtype=object)
                    grad[:] = mpmath.mpf(0)
                    for a, b_ in ((i, j), (j, i)):  # p_{b|a}: depends on D_ak for every k
                        for k in range(n):
                            if k == a or dcond[a][b_][k] == 0:
                                continue
                            for c in range(dim):
                                g = dcond[a][b_][k] * 2 * (x[a][c] - x[k][c]) / (2 * n)
                                grad[a, c] += g
                                grad[k, c] -= g
                    rounded_distances = mpmath.fsum(
                        abs(dcond[a][b_][k]) * D[a][k] for a, b_ in ((i, j), (j, i)) if a != b_
                        for k in range(n) if k != a) / (2 * n)
                    sens[i, j] = (mpmath.fsum(abs(g) * abs(x[r][c]) for (r, c), g in np.ndenumerate(grad))
                                  + abs(dperp[i][j] + dperp[j][i]) * perp / (2 * n)
                                  + rounded_distances)  # each D_ak rounded on its own
        # Roundings: a row's n-1 exps and sums (the forward formula), its entropy, and the sum
        # and halving of p_{j|i} + p_{i|j}.
        budget = 5 * (n - 1) + 3 * (n - 1) + 3 * dim + 4
        return Exact(value, sens, budget, slk)

    def nan_reach(self, inputs, arg, index):
        """A NaN point reaches every distance of its row and column: every row's calibration."""
        return ~np.eye(np.shape(inputs["X"])[0], dtype=bool)


# --- domains -----------------------------------------------------------------------------------

POINT_SHAPES = [(3, 1), (3, 2), (4, 2), (4, 1), (5, 2)]
BOUND = 8.0  # coordinates in [-8, 8]: distances up to 4·d·64, exact enough in float16


def point_edges(dtype, bound=BOUND) -> list:
    return d.representable(dtype, [0.0, 1.0, -1.0, 0.5, 2.0, -3.0, bound, -bound, 1e-3, 0.1])


def sigma_edges(dtype) -> list:
    return d.representable(dtype, [1.0, 0.5, 2.0, 0.1, 10.0, 2.0 ** -4])


PERPLEXITIES = (1.5, 2.0, 2.5, 3.0, 1.2)


def _elements(dtype, edges_only=False, bound=BOUND):
    edges = point_edges(dtype, bound)
    return st.sampled_from(edges) if edges_only else d.elements(dtype, lo=-bound, hi=bound,
                                                                 edges=edges)


@st.composite
def points(draw, dtype, edges_only=False, shapes=POINT_SHAPES):
    n, dim = draw(st.sampled_from(shapes))
    return draw(hnp.arrays(dtype, (n, dim), elements=_elements(dtype, edges_only)))


@st.composite
def conditional_inputs(draw, dtype, edges_only=False):
    X = draw(points(dtype, edges_only))
    s_edges = sigma_edges(dtype)
    sig = st.sampled_from(s_edges) if edges_only else d.elements(dtype, lo=2.0 ** -4, hi=16.0,
                                                                  edges=s_edges)
    return {"X": X, "sigmas": draw(hnp.arrays(dtype, (X.shape[0],), elements=sig))}


def reachable(X, perplexity, margin=0.05) -> bool:
    """Every row's entropy can reach log perplexity: log(ties at the nearest distance) + margin <
    log perplexity < log(n - 1) - margin (the entropy's range over β ∈ (0, ∞))."""
    x = np.asarray(X, np.float64)
    n = x.shape[0]
    D = ((x[:, None, :] - x[None, :, :]) ** 2).sum(-1)
    t = np.log(perplexity)
    if not t < np.log(n - 1) - margin:
        return False
    for i in range(n):
        row = np.delete(D[i], i)
        if not np.log(np.sum(row == row.min())) + margin < t:
            return False
    return True


@st.composite
def joint_inputs(draw, dtype, edges_only=False):
    X = draw(points(dtype, edges_only, shapes=[(3, 1), (3, 2), (4, 2), (5, 2), (5, 1)]))
    n = X.shape[0]
    choices = [p for p in PERPLEXITIES if p < n - 1]
    perp = draw(st.sampled_from(choices) if edges_only else
                st.one_of(st.sampled_from(choices), st.floats(1.1, n - 1.1)))
    assume(reachable(X, perp))
    return {"X": X, "perplexity": perp}


@st.composite
def embedding(draw, dtype, edges_only=False):
    return {"Y": draw(points(dtype, edges_only, shapes=[(2, 1), (3, 2), (4, 2), (4, 1), (5, 2)]))}


@st.composite
def distribution_pair(draw, dtype, edges_only=False):
    """P and Q (n, n), zero diagonal, each summing to 1 over the off-diagonal entries; P may have
    zeros and tiny entries, Q is positive off the diagonal (as a Student-t Q is)."""
    n = draw(st.sampled_from([2, 3, 4]))
    off = ~np.eye(n, dtype=bool)
    flat = draw(d.distributions(dtype, (1, n * (n - 1)))).reshape(-1)
    P = np.zeros((n, n), dtype)
    P[off] = flat
    qflat = draw(d.distributions(dtype, (1, n * (n - 1)), support=np.ones((1, n * (n - 1)), bool)))
    qflat = qflat.reshape(-1).astype(np.float64)
    qflat = np.maximum(qflat, 1e-3)
    Q = np.zeros((n, n), dtype)
    Q[off] = (qflat / qflat.sum()).astype(dtype)
    if draw(st.booleans()) and not edges_only:
        P = ((P + P.T) / 2).astype(dtype)  # a symmetric P, as t-SNE's
    return {"P": P, "Q": Q}


def _coincident(name):
    """Two equal points: a tie at the nearest distance."""
    return lambda x: len(np.unique(x[name], axis=0)) < len(x[name])


def _one_dimension(name):
    return lambda x: x[name].shape[1] == 1


COVERAGE = {  # what the domains above promise to draw (tests/test_coverage.py)
    "tsne.conditional_probabilities": d.Coverage(
        edges=lambda dt: {"X": point_edges(dt), "sigmas": sigma_edges(dt)},
        classes={"coincident points": _coincident("X"), "one dimension": _one_dimension("X")}),
    "tsne.joint_probabilities": d.Coverage(
        edges=lambda dt: {"X": point_edges(dt), "perplexity": list(PERPLEXITIES)},
        classes={"coincident points": _coincident("X"), "one dimension": _one_dimension("X")}),
    "tsne.low_dim_affinities": d.Coverage(
        edges=lambda dt: {"Y": point_edges(dt)},
        classes={"two points": lambda x: len(x["Y"]) == 2, "coincident points": _coincident("Y")}),
    "tsne.kl_divergence": d.Coverage(
        classes={"two points": lambda x: len(x["P"]) == 2,
                 "P = 0 off the diagonal": lambda x: bool(
                     (x["P"][~np.eye(len(x["P"]), dtype=bool)] == 0).any())}),
}


def _probe_points(dtype):
    """Four points with distinct distances (tied ones stall the calibration's Newton step)."""
    return np.array([[0.0, 0.0], [1.0, 0.5], [0.25, 2.0], [1.5, 1.25]], dtype)


# --- the oracles ---------------------------------------------------------------------------------

conditional_probabilities = ThroughDistances(
    id="tsne.conditional_probabilities", signature="conditional_probabilities(X, sigmas)",
    formula="p_{j|i} = exp(-‖x_i-x_j‖²/2σ_i²) / Σ_{k≠i} exp(-‖x_i-x_k‖²/2σ_i²)", seed=SEED,
    arrays=("X", "sigmas"), build=conditional, domain=conditional_inputs,
    edges=lambda dt: conditional_inputs(dt, edges_only=True),
    probe=lambda dt: {"X": _probe_points(dt), "sigmas": np.ones(4, dt)},
    note="p_{i|i} = 0: the seed's Σ_k runs over k ≠ i",
)

joint_probabilities = JointProbabilities(
    id="tsne.joint_probabilities", signature="joint_probabilities(X, perplexity, tol=1e-5)",
    formula="σ_i with H(P_i) = log perplexity; p_ij = (p_{j|i} + p_{i|j})/2n", seed=SEED,
    arrays=("X", "perplexity"), params=(Param("tol", TOL, numeric=False),), domain=joint_inputs,
    edges=lambda dt: joint_inputs(dt, edges_only=True),
    probe=lambda dt: {"X": _probe_points(dt), "perplexity": 2.0},
    note="σ_i exactly (bisection, then Newton's method at 80 digits); an implementation may "
         "stop its binary search at |H(P_i) - log perplexity| ≤ tol (1e-5 nats, van der Maaten's and "
         "scikit-learn's), allowed as slack through ∂p/∂β / ∂H/∂β",
)

low_dim_affinities = ThroughDistances(
    id="tsne.low_dim_affinities", signature="low_dim_affinities(Y)",
    formula="q_ij = (1+‖y_i-y_j‖²)⁻¹ / Σ_{k≠l} (1+‖y_k-y_l‖²)⁻¹", seed=SEED, arrays=("Y",),
    build=student_t, domain=embedding, edges=lambda dt: embedding(dt, edges_only=True),
    probe=lambda dt: {"Y": _probe_points(dt)},
    note="the seed's denominator sums over k alone; over all pairs k ≠ l, so that Σ q_ij = 1",
)

kl_divergence = Structured(
    id="tsne.kl_divergence", signature="kl_divergence(P, Q)",
    formula="Σ_{i≠j} p_ij log(p_ij / q_ij)", seed=SEED, arrays=("P", "Q"), build=kl,
    domain=distribution_pair, edges=lambda dt: distribution_pair(dt, edges_only=True),
    probe=lambda dt: {"P": np.array([[0.0, 0.5], [0.5, 0.0]], dt),
                      "Q": np.array([[0.0, 0.5], [0.5, 0.0]], dt)},
    note="0·log 0 = 0; the diagonal (p_ii = q_ii = 0) is not part of the sum",
)

POSITION = 13  # the section's place in the catalogue (oracles.sections)
ORACLES = (conditional_probabilities, joint_probabilities, low_dim_affinities, kl_divergence)
