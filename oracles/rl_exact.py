"""The RL oracle classes: exact MDP arithmetic (SymPy rationals), and the algorithmic
oracles built on it (seed: "Reinforcement Learning Math"; formulas and domains in rl.py).

- ``policy_evaluation`` is the Bellman expectation equation solved exactly: the linear
  system (I - γP_π)V = R_π in SymPy rationals (every float input is a rational).
- ``value_iteration``'s exact answer is V*, found by policy iteration in rationals
  (greedy policy, exact evaluation, until the policy is stable). An implementation is
  allowed its own stopping rule: ‖V_{k+1} - V_k‖∞ < tol leaves ‖V_{k+1} - V*‖∞ <
  tol·γ/(1-γ) (the contraction bound), added as slack.
- The sensitivity of both is the derivative of the solution by every input, by the
  implicit function theorem: dV/dx = -(∂F/∂V)⁻¹ ∂F/∂x for the residual
  F(V) = V - R_π - γP_πV, with ∂F/∂· by ``sympy.diff``. It grows like 1/(1-γ).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp

from mathoracle.core.compiled import lambdify
from mathoracle.core.model import Exact, Oracle, digits, mpf_array, rounding_budget

from .structured import Structured, symbols_like

SEED = "Reinforcement Learning Math"

# --- exact MDP arithmetic --------------------------------------------------------------

def rationals(a) -> np.ndarray:
    """A float array as an object array of exact sympy Rationals."""
    a = np.asarray(a, dtype=np.float64)
    out = np.empty(a.shape, dtype=object)
    for idx, x in np.ndenumerate(a):
        out[idx] = sp.Rational(Fraction(float(x)))
    return out


def evaluate_exactly(P, R, policy, gamma) -> np.ndarray:
    """V^π from (I - γP_π)V = R_π, solved in rationals by SymPy."""
    S = P.shape[0]
    P_pi = sp.Matrix(S, S, lambda s, t: sum(policy[s, a] * P[s, a, t] for a in range(P.shape[1])))
    R_pi = sp.Matrix(S, 1, lambda s, _: sum(policy[s, a] * R[s, a] for a in range(P.shape[1])))
    V = (sp.eye(S) - gamma * P_pi).LUsolve(R_pi)
    return np.array(list(V), dtype=object)


def q_exact(P, R, gamma, V) -> np.ndarray:
    """Q(s, a) = R(s, a) + γ Σ_s' P(s'|s, a) V(s'), exactly."""
    return R + gamma * np.dot(P, V)


def optimal_policy(P, R, gamma) -> np.ndarray:
    """The greedy-stable policy of policy iteration in rationals (one-hot rows): its value
    is V*. A tie keeps the current action, so the iteration stops."""
    S, A = R.shape
    act = [max(range(A), key=lambda a: R[s, a]) for s in range(S)]
    while True:
        pi = np.zeros((S, A), dtype=object)
        pi[:] = sp.Integer(0)
        pi[range(S), act] = sp.Integer(1)
        Q = q_exact(P, R, gamma, evaluate_exactly(P, R, pi, gamma))
        new = [act[s] if Q[s, act[s]] >= max(Q[s]) else max(range(A), key=lambda a: Q[s, a])
               for s in range(S)]
        if new == act:
            return pi
        act = new


@lru_cache(maxsize=None)
def _residual(S: int, A: int):
    """F(V) = V - R_π - γP_πV in symbols; its derivatives by V and by (P, R, π, γ) by
    sympy.diff, compiled to mpmath; and the roundings of forming R_π + γP_πV plus ρ·3S of
    an LU solve, ρ ≤ 2 its growth factor (see ``solution_sensitivity``)."""
    P, R, pi = symbols_like("P", (S, A, S)), symbols_like("R", (S, A)), symbols_like("pi", (S, A))
    g, V = sp.Symbol("gamma", real=True), symbols_like("V", (S,))
    F = [V[s] - sum(pi[s, a] * (R[s, a] + g * sum(P[s, a, t] * V[t] for t in range(S)))
                    for a in range(A)) for s in range(S)]
    inputs = [*P.reshape(-1), *R.reshape(-1), *pi.reshape(-1), g]
    fn = lambdify([*inputs, *V], lambda: [[[sp.diff(f, v) for v in V] for f in F],
                                          [[sp.diff(f, x) for x in inputs] for f in F]],
                  key=("jacobians", F))
    return fn, rounding_budget(F[0]) + 2 * 3 * S


def solution_sensitivity(P, R, policy, gamma, V, with_policy=True) -> np.ndarray:
    """S_i = Σ_x |∂V_i/∂x|·|x| over every element of P, R, γ (and π), dV/dx by the implicit
    function theorem at the exact solution V; plus the solve's own normwise term
    (Σ_j |M⁻¹_ij|)·(‖M‖∞‖V‖∞ + ‖R_π‖∞), M = I - γP_π. An LU solve with partial pivoting is
    backward stable normwise, not componentwise: (M + ΔM)V̂ = R_π + Δr with ‖ΔM‖∞ ≲ 3S·u·ρ‖M‖∞,
    and the growth factor ρ ≤ 2 for a diagonally dominant M (Higham, Accuracy and Stability
    of Numerical Algorithms, Thm 9.4 and §9.5); the 2 is in the budget. It lets a V(s) that
    is exactly 0 come back as u·‖V‖ (pivoting mixes the states' equations)."""
    S, A = R.shape
    fn, _ = _residual(S, A)
    with mpmath.workdps(digits()):
        xs = [mpmath.mpf(sp.Rational(x).p) / sp.Rational(x).q
              for x in [*P.reshape(-1), *R.reshape(-1), *policy.reshape(-1), gamma]]
        vs = [mpmath.mpf(v.p) / v.q for v in V]
        by_v, by_x = fn(*xs, *vs)
        M = mpmath.matrix(by_v)
        inv = M ** -1
        dv_dx = -inv * mpmath.matrix(by_x)
        norm_m = max(mpmath.fsum(abs(M[i, j]) for j in range(S)) for i in range(S))
        norm_v = max(abs(v) for v in vs)
        norm_r = max(abs(mpmath.fsum(M[i, j] * vs[j] for j in range(S))) for i in range(S))
        n_policy = S * A
        skip = range(len(xs) - 1 - n_policy, len(xs) - 1) if not with_policy else range(0)
        out = np.empty(S, dtype=object)
        for i in range(S):
            out[i] = mpmath.fsum(abs(dv_dx[i, j]) * abs(x) for j, x in enumerate(xs)
                                 if j not in skip and x != 0) + mpmath.fsum(
                abs(inv[i, j]) for j in range(S)) * (norm_m * norm_v + norm_r)
    return out


def _mpf(x) -> mpmath.mpf:
    with mpmath.workdps(digits()):
        return mpmath.mpf(x.p) / x.q


@dataclass(eq=False)
class PolicyEvaluation(Oracle):
    """V^π, the solution of the Bellman expectation equation (I - γP_π)V = R_π."""

    def _given(self, inputs):
        return (rationals(inputs["P"]), rationals(inputs["R"]), rationals(inputs["policy"]),
                sp.Rational(Fraction(float(inputs["gamma"]))))

    def exact(self, inputs):
        P, R, pi, g = self._given(inputs)
        V = evaluate_exactly(P, R, pi, g)
        return Exact(np.array([_mpf(v) for v in V], dtype=object),
                     solution_sensitivity(P, R, pi, g, V), _residual(*R.shape)[1])

    def output_shape(self, inputs):
        return (np.shape(inputs["R"])[0],)

    def nan_reach(self, inputs, arg, index):
        """A NaN in the row of state s (P[s], R[s], π[s]) enters s's own equation: V(s) is
        NaN. (Whether it reaches other states depends on the solver's elimination order.)"""
        mask = np.zeros(self.output_shape(inputs), dtype=bool)
        mask[int(index[0])] = True
        return mask


@dataclass(eq=False)
class ValueIteration(PolicyEvaluation):
    """V*, the fixed point of the Bellman optimality backup, within the implementation's tol."""

    def exact(self, inputs):
        P, R, g = rationals(inputs["P"]), rationals(inputs["R"]), sp.Rational(Fraction(float(inputs["gamma"])))
        pi = optimal_policy(P, R, g)
        V = evaluate_exactly(P, R, pi, g)
        tol = mpmath.mpf(float(inputs.get("tol", 1e-10)))
        slack = tol * _mpf(g) / (1 - _mpf(g))
        return Exact(np.array([_mpf(v) for v in V], dtype=object),
                     solution_sensitivity(P, R, pi, g, V, with_policy=False),
                     _residual(*R.shape)[1], slack)


@dataclass(eq=False)
class BellmanBackup(Oracle):
    """max_a Q(s, a), Q = R + γPV by a Structured oracle. max is 1-Lipschitz in the sup
    norm, so its sensitivity is the largest of its candidates' (robust to near-ties)."""

    q: Structured | None = None

    def exact(self, inputs):
        q = self.q.exact(inputs)
        return Exact(np.array([max(r) for r in q.value], dtype=object),
                     np.array([max(r) for r in q.sensitivity], dtype=object), q.budget)

    def output_shape(self, inputs):
        return (np.shape(inputs["R"])[0],)

    def nan_reach(self, inputs, arg, index):
        return self.q.nan_reach(inputs, arg, index).any(axis=-1)


q_values = Structured(
    id="rl.q_values", signature="q_values(V, P, R, gamma)", formula="R + γ P V", seed=SEED,
    arrays=("V", "P", "R", "gamma"), build=lambda V, P, R, gamma: R + gamma * (P @ V))


@dataclass(eq=False)
class QLearningUpdate(Oracle):
    """Q with Q(s, a) replaced by the seed's Q + α[r + γ max_a' Q(s', a') - Q] (no
    bootstrap when done: then Q(s', ·) enters nothing, even all -inf). -inf entries (illegal
    actions) stay -inf; max over Q(s', ·) ignores them while one is finite. The two occurrences of Q(s, a) count separately in the
    sensitivity: rounding r + γm - Q perturbs that difference, not Q, so the seed's form and
    (1-α)Q + α·target both fit the error model. max is exact: it moves by u|m| at most."""

    @lru_cache(maxsize=None)
    def _compiled(self, done: bool):
        q, q2, r, al, g, m = sp.symbols("q q2 r alpha gamma m", real=True)
        target = r if done else r + g * m
        expr = q + al * (target - q2)
        syms = (q, q2, r, al, g, m)
        return (lambdify(syms, lambda: [expr, [sp.diff(expr, x) for x in syms]], key=("gradient", expr)),
                rounding_budget(expr))

    def exact(self, inputs):
        full = {**self.defaults(), **inputs}
        Q = np.asarray(full["Q"])
        s, a, sn, done = int(full["s"]), int(full["a"]), int(full["s_next"]), bool(full["done"])
        fn, budget = self._compiled(done)
        with mpmath.workdps(digits()):
            value = mpf_array(Q)
            sens = np.full(Q.shape, mpmath.mpf(0), dtype=object)
            # done: the bootstrap term is absent (its m, possibly -inf, enters nothing)
            m = mpmath.mpf(0) if done else max(value[sn])
            xs = [value[s, a], value[s, a], *(mpmath.mpf(float(full[k])) for k in ("r", "alpha", "gamma")), m]
            f, grads = fn(*xs)
            value[s, a] = mpmath.mpf(f)
            sens[s, a] = mpmath.fsum(abs(gr) * abs(x) for gr, x in zip(grads, xs))
        return Exact(value, sens, budget)

    def output_shape(self, inputs):
        return np.shape(inputs["Q"])

    def nan_reach(self, inputs, arg, index):
        full = {**self.defaults(), **inputs}
        mask = np.zeros(self.output_shape(inputs), dtype=bool)
        mask[tuple(index)] = True
        s, a = int(full["s"]), int(full["a"])
        if tuple(index) == (s, a) or (not full["done"] and index[0] == int(full["s_next"])):
            mask[s, a] = True
        return mask


@dataclass(eq=False)
class DiscountedReturns(Oracle):
    """G_t = Σ_k γ^k r_{t+k} over the rest of t's episode (a done at t ends it after r_t),
    evaluated in Horner form r_t + γ(r_{t+1} + γ(...)), the recursion's roundings."""

    _cache: dict = field(default_factory=dict, repr=False)

    def _compiled(self, n: int):
        if n not in self._cache:
            rs, g = sp.symbols(f"r0:{n}", real=True), sp.Symbol("gamma", real=True)
            expr = sp.Integer(0)
            for r in reversed(rs):
                expr = r + g * expr if expr != 0 else r
            syms = (*rs, g)
            fn = lambdify(syms, lambda: [expr, [sp.diff(expr, x) for x in syms]], key=("gradient", expr))
            self._cache[n] = fn, rounding_budget(expr)
        return self._cache[n]

    @staticmethod
    def episode_ends(inputs) -> list[int]:
        """For every t, the last step of its episode."""
        r, dones = np.asarray(inputs["rewards"]), inputs.get("dones")
        T = r.shape[0]
        ends, end = [0] * T, T - 1
        for t in reversed(range(T)):
            if dones is not None and bool(dones[t]):
                end = t
            ends[t] = end
        return ends

    def exact(self, inputs):
        r = np.asarray(inputs["rewards"])
        ends = self.episode_ends(inputs)
        value, sens = np.empty(r.shape, dtype=object), np.empty(r.shape, dtype=object)
        budget = 1
        with mpmath.workdps(digits()):
            rs, g = [mpmath.mpf(float(x)) for x in r], mpmath.mpf(float(inputs["gamma"]))
            for t, end in enumerate(ends):
                fn, b = self._compiled(end - t + 1)
                xs = [*rs[t:end + 1], g]
                f, grads = fn(*xs)
                value[t] = mpmath.mpf(f)
                sens[t] = mpmath.fsum(abs(gr) * abs(x) for gr, x in zip(grads, xs))
                budget = max(budget, b)
        return Exact(value, sens, budget)

    def output_shape(self, inputs):
        return np.shape(inputs["rewards"])

    def nan_reach(self, inputs, arg, index):
        """A NaN reward r_j reaches G_t for every t ≤ j of j's episode."""
        ends = self.episode_ends(inputs)
        j = int(index[0])
        return np.array([t <= j <= ends[t] for t in range(len(ends))], dtype=bool)
