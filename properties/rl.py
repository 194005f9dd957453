"""Laws of the RL oracles (seed: "Reinforcement Learning Math").

Every law holds to within the errors the agreement check allows the outputs it combines
(``Case.allowed``), propagated exactly; the ones that a correct float implementation meets
bit for bit (α = 0 changes nothing, only Q(s, a) changes) are checked exactly.
"""
from __future__ import annotations

import mpmath
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mathoracle.core.laws import (Falsified, Property, domain_examples, expect_equal, expect_within,
                                  signature_call)
from mathoracle.core.model import DIGITS, mpf_array
from mathoracle.oracles import rl as O

_ZERO = mpmath.mpf(0)


def _sup(a) -> mpmath.mpf:
    return max((abs(x) for x in np.ravel(a)), default=_ZERO)


def _fail(case, x, message, **kw):
    call = signature_call(case.oracle, x)
    raise Falsified(f"{message} [{call}]", call=call, inputs=x, **kw)


# --- bellman_backup ------------------------------------------------------------------

@st.composite
def _two_values(draw, oracle, dtype, shifted=False):
    x = draw(oracle.domain(dtype))
    if shifted:  # V' = V + c, rounded to the dtype (the law uses the rounded difference)
        c = draw(st.sampled_from([1.0, -3.0, 0.5, 10.0]))
        other = (x["V"].astype(np.float64) + c).astype(dtype)
    else:
        other = draw(hnp.arrays(dtype, x["V"].shape, elements=O.values(dtype, 100.0)))
    return {"inputs": x, "other": {**x, "V": other}}


def _backup_difference(case, ex, lower_upper):
    """γ·lo ≤ T(V') - T(V) ≤ γ·hi, elementwise, up to both calls' allowed errors."""
    x, y = ex["inputs"], ex["other"]
    bb = "rl.bellman_backup"
    with mpmath.workdps(DIGITS):
        diff = mpf_array(case.call(bb, y)) - mpf_array(case.call(bb, x))
        dv = mpf_array(y["V"]) - mpf_array(x["V"])
        g = mpmath.mpf(x["gamma"])
        lo, hi = lower_upper(dv)
        slack = case.allowed(bb, x) + case.allowed(bb, y)
        excess = np.array([max(g * lo - dd, dd - g * hi, _ZERO) for dd in diff], dtype=object)
    expect_within(excess, slack, f"T(V') - T(V) should lie within γ·[{lower_upper.__doc__}]",
                  signature_call(case.oracle, y), y)


def _contraction(case, ex):
    """‖T V' - T V‖∞ ≤ γ‖V' - V‖∞."""
    def sup(dv):
        """-‖ΔV‖∞, ‖ΔV‖∞"""
        return -_sup(dv), _sup(dv)
    _backup_difference(case, ex, sup)


def _shift(case, ex):
    """V' - V ≈ c: T V' - T V lies between γ min(V' - V) and γ max(V' - V) (P's rows sum to 1)."""
    def span(dv):
        """min ΔV, max ΔV"""
        return min(dv), max(dv)
    _backup_difference(case, ex, span)


# --- value_iteration -----------------------------------------------------------------

def _vi(case, x):
    """V* as the implementation gives it, and ε = the largest error allowed it (sup norm)."""
    with mpmath.workdps(DIGITS):
        v = case.call("rl.value_iteration", x)
        return v, max(case.allowed("rl.value_iteration", x))


def _fixed_point(case, ex):
    """‖T V* - V*‖∞ ≤ (1 + γ)ε + the backup's allowed error, for V* within ε of the truth."""
    x = ex["inputs"]
    v, eps = _vi(case, x)
    bx = {"V": v, "P": x["P"], "R": x["R"], "gamma": x["gamma"]}
    with mpmath.workdps(DIGITS):
        diff = mpf_array(case.call("rl.bellman_backup", bx)) - mpf_array(v)
        bound = (1 + mpmath.mpf(x["gamma"])) * eps + case.allowed("rl.bellman_backup", bx)
    expect_within(diff, bound, "V* should be a fixed point of bellman_backup",
                  signature_call(case.oracle, x), x)


@st.composite
def _with_policy(draw, oracle, dtype):
    x = draw(oracle.domain(dtype))
    return {"inputs": x, "policy": draw(O.stochastic(dtype, x["R"].shape))}


def _pe(x, policy):
    return {"P": x["P"], "R": x["R"], "policy": policy, "gamma": x["gamma"]}


def _dominates(case, ex):
    """V*(s) ≥ V^π(s) for a random policy π."""
    x = ex["inputs"]
    v, eps = _vi(case, x)
    px = _pe(x, ex["policy"])
    with mpmath.workdps(DIGITS):
        short = mpf_array(case.call("rl.policy_evaluation", px)) - mpf_array(v)
        short = np.array([max(s, _ZERO) for s in short], dtype=object)
        bound = eps + case.allowed("rl.policy_evaluation", px)
    expect_within(short, bound, "V^π should not exceed V*", signature_call(case.oracle, px), px)


def _greedy_attains(case, ex):
    """The greedy policy of the returned V* attains it: V* - V^greedy ≤ 2γε/(1-γ) for V*
    within ε (the greedy-policy bound), so |V^greedy - V*_got| ≤ ε(1 + 2γ/(1-γ))."""
    x = ex["inputs"]
    v, eps = _vi(case, x)
    with mpmath.workdps(DIGITS):
        g = mpmath.mpf(x["gamma"])
        q = mpf_array(x["R"]) + g * np.dot(mpf_array(x["P"]), mpf_array(v))
        greedy = np.zeros(x["R"].shape, dtype=x["R"].dtype)
        greedy[np.arange(q.shape[0]), [max(range(q.shape[1]), key=lambda a: q[s, a])
                                       for s in range(q.shape[0])]] = 1
        px = _pe(x, greedy)
        diff = mpf_array(case.call("rl.policy_evaluation", px)) - mpf_array(v)
        bound = eps * (1 + 2 * g / (1 - g)) + case.allowed("rl.policy_evaluation", px)
    expect_within(diff, bound, "the greedy policy of V* should attain V*",
                  signature_call(case.oracle, px), px)


# --- policy_evaluation ---------------------------------------------------------------

def _constant_rewards(oracle, dtype):
    def make(x):
        c = float(x["R"].reshape(-1)[0])
        return {"inputs": {**x, "R": np.full_like(x["R"], c)}}
    return oracle.domain(dtype).map(make)


def _constant_reward(case, ex):
    """R ≡ c gives V = c/(1-γ) in every state, whatever P and π."""
    x = ex["inputs"]
    with mpmath.workdps(DIGITS):
        want = mpmath.mpf(float(x["R"].reshape(-1)[0])) / (1 - mpmath.mpf(x["gamma"]))
        diff = mpf_array(case.call("rl.policy_evaluation", x)) - want
    expect_within(diff, case.allowed("rl.policy_evaluation", x),
                  "a constant reward c should give c/(1-γ)", signature_call(case.oracle, x), x)


# --- q_learning_update ---------------------------------------------------------------

def _with(alpha=None, done=None):
    def draw(oracle, dtype):
        def set_(x):
            return {"inputs": {**x, **({} if alpha is None else {"alpha": alpha}),
                               **({} if done is None else {"done": done})}}
        return oracle.domain(dtype).map(set_)
    return draw


def _target(x) -> mpmath.mpf:
    with mpmath.workdps(DIGITS):
        r = mpmath.mpf(x["r"])
        if x.get("done"):
            return r
        return r + mpmath.mpf(x["gamma"]) * max(mpf_array(x["Q"][x["s_next"]]))


def _alpha_one(case, ex):
    """α = 1: Q(s, a) becomes the target r + γ max Q(s', ·) (r when done)."""
    x = ex["inputs"]
    got = case.call("rl.q_learning_update", x)
    s, a = x["s"], x["a"]
    with mpmath.workdps(DIGITS):
        diff = mpmath.mpf(float(got[s, a])) - _target(x)
        bound = case.allowed("rl.q_learning_update", x)[s, a]
    expect_within(np.array([diff], dtype=object), bound, "α = 1 should set Q(s, a) to the target",
                  signature_call(case.oracle, x), x)


def _exactly(case, x, got, want, mask, what):
    """The law's exact value, within agreement's allowance (a flush to zero passes)."""
    expect_equal(case, case.oracle.id, x, got, want, what, mask)


def _alpha_zero(case, ex):
    """α = 0 changes nothing, bit for bit ((1-0)Q + 0·y and Q + 0·(y - Q) are Q exactly)."""
    x = ex["inputs"]
    got = np.asarray(case.call("rl.q_learning_update", x))
    _exactly(case, x, got, x["Q"], np.ones(got.shape, bool), "α = 0 changes nothing")


def _only_sa(case, ex):
    """Every entry but Q(s, a) is returned unchanged, bit for bit."""
    x = ex["inputs"]
    got = np.asarray(case.call("rl.q_learning_update", x))
    mask = np.ones(got.shape, bool)
    mask[x["s"], x["a"]] = False
    _exactly(case, x, got, x["Q"], mask, "only Q(s, a) changes")


@st.composite
def _done_pairs(draw, oracle, dtype):
    x = {**draw(oracle.domain(dtype)), "done": True}
    row = draw(hnp.arrays(dtype, x["Q"].shape[1:], elements=O.values(dtype, 100.0)))
    other = x["Q"].copy()
    other[x["s_next"]] = row
    other[x["s"], x["a"]] = x["Q"][x["s"], x["a"]]  # (s, a) itself may lie in row s'
    return {"inputs": x, "other": {**x, "Q": other}}


def _done_stops(case, ex):
    """done = True: Q(s', ·) does not enter the update (changing it changes nothing)."""
    x, y = ex["inputs"], ex["other"]
    a = np.asarray(case.call("rl.q_learning_update", x))[x["s"], x["a"]]
    b = np.asarray(case.call("rl.q_learning_update", y))[x["s"], x["a"]]
    if not (a == b or (np.isnan(a) and np.isnan(b))):
        _fail(case, y, f"out[{x['s']}, {x['a']}]={float(b)!r}, but should be {float(a)!r} as with "
                       f"Q(s', ·)={x['Q'][x['s_next']].tolist()!r} (done: no bootstrap)",
              got=float(b), expected=float(a))


# --- discounted_returns --------------------------------------------------------------

def _recursion(case, ex):
    """G_t = r_t + γ(1 - done_t)G_{t+1}, G_T = 0, for the returned G."""
    x = ex["inputs"]
    got = np.asarray(case.call("rl.discounted_returns", x))
    ends = O.DiscountedReturns.episode_ends(x)
    with mpmath.workdps(DIGITS):
        G, r, g = mpf_array(got), mpf_array(x["rewards"]), mpmath.mpf(x["gamma"])
        allowed = case.allowed("rl.discounted_returns", x)
        T = len(G)
        diff = np.array([G[t] - r[t] - (g * G[t + 1] if ends[t] > t else 0) for t in range(T)],
                        dtype=object)
        bound = np.array([allowed[t] + (g * allowed[t + 1] if ends[t] > t else 0) for t in range(T)],
                         dtype=object)
    expect_within(diff, bound, "G_t should be r_t + γG_{t+1}", signature_call(case.oracle, x), x)


def _with_dones(oracle, dtype):
    def make(x):
        T = x["rewards"].shape[0]
        dones = x["dones"] if x["dones"] is not None else np.arange(T) % 2 == 1
        return {"inputs": {**x, "dones": dones}}
    return oracle.domain(dtype).map(make)


def _resets(case, ex):
    """G_t = r_t where done_t, and a new episode's returns ignore the rewards before it."""
    x = ex["inputs"]
    got = np.asarray(case.call("rl.discounted_returns", x))
    d = np.asarray(x["dones"], bool)
    _exactly(case, x, got, x["rewards"], d, "done at t: G_t = r_t")
    starts = [0, *(int(t) + 1 for t in np.flatnonzero(d) if t + 1 < len(d))]
    for a, b in zip(starts, [*starts[1:], len(d)]):
        part = {**x, "rewards": x["rewards"][a:b], "dones": d[a:b]}
        alone = np.asarray(case.call("rl.discounted_returns", part))
        with mpmath.workdps(DIGITS):
            diff = mpf_array(got[a:b]) - mpf_array(alone)
            bound = case.allowed("rl.discounted_returns", x)[a:b] + case.allowed(
                "rl.discounted_returns", part)
        expect_within(diff, bound, f"the episode at steps {a}..{b - 1} should not see the others",
                      signature_call(case.oracle, x), x)


# --- reinforce_loss ------------------------------------------------------------------

def _scales(case, ex):
    """L(log π, 2G) = 2·L(log π, G) (doubling is exact): the returns are not normalised."""
    x = ex["inputs"]
    y = {**x, "returns": x["returns"] * 2}
    with mpmath.workdps(DIGITS):
        diff = mpf_array(case.call("rl.reinforce_loss", y)) - 2 * mpf_array(case.call("rl.reinforce_loss", x))
        bound = case.allowed("rl.reinforce_loss", y) + 2 * case.allowed("rl.reinforce_loss", x)
    expect_within(diff, bound, "doubling the returns should double the loss",
                  signature_call(case.oracle, y), y)


def _nonnegative_returns(oracle, dtype):
    return oracle.domain(dtype).map(lambda x: {"inputs": {**x, "returns": np.abs(x["returns"])}})


def _nonnegative(case, ex):
    """G ≥ 0 gives a loss ≥ 0 (-log π ≥ 0): the sign is a loss to minimise."""
    x = ex["inputs"]
    with mpmath.workdps(DIGITS):
        neg = np.array([min(v, _ZERO) for v in np.ravel(mpf_array(case.call("rl.reinforce_loss", x)))],
                       dtype=object).reshape(())
    expect_within(neg, case.allowed("rl.reinforce_loss", x), "with G ≥ 0 the loss should be ≥ 0",
                  signature_call(case.oracle, x), x)


# --- ppo_clip_objective --------------------------------------------------------------

def _ppo_pair(case, x, y, coef_x, what, extra=None):
    """ppo(y) - coef_x·ppo(x) - extra within both calls' allowed errors."""
    p = "rl.ppo_clip_objective"
    with mpmath.workdps(DIGITS):
        diff = mpf_array(case.call(p, y)) - coef_x * mpf_array(case.call(p, x)) - (extra or 0)
        bound = case.allowed(p, y) + abs(coef_x) * case.allowed(p, x)
    expect_within(diff, bound, what, signature_call(case.oracle, y), y)


def _surrogate(x) -> mpmath.mpf:
    with mpmath.workdps(DIGITS):
        return mpmath.fsum(mpf_array(x["ratio"]) * mpf_array(x["advantages"])) / x["ratio"].size


def _pessimistic(case, ex):
    """L^CLIP ≤ mean(rA), the unclipped surrogate."""
    x = ex["inputs"]
    with mpmath.workdps(DIGITS):
        over = max(mpf_array(case.call("rl.ppo_clip_objective", x))[()] - _surrogate(x), _ZERO)
    expect_within(np.array(over, dtype=object), case.allowed("rl.ppo_clip_objective", x),
                  "L^CLIP should not exceed the unclipped surrogate", signature_call(case.oracle, x), x)


def _inside(oracle, dtype):
    """Ratios moved into [1-ε, 1+ε] (a fraction of the way from 1)."""
    def make(x):
        eps = x.get("eps", 0.2)
        r = 1 + (x["ratio"].astype(np.float64) - 1) / 16 * eps
        return {"inputs": {**x, "ratio": np.clip(r.astype(x["ratio"].dtype), 1 - eps, 1 + eps)}}
    return oracle.domain(dtype).map(make)


def _unclipped_inside(case, ex):
    """Inside [1-ε, 1+ε] the clip does nothing: L^CLIP = mean(rA)."""
    x = ex["inputs"]
    with mpmath.workdps(DIGITS):
        diff = mpf_array(case.call("rl.ppo_clip_objective", x)) - _surrogate(x)
    expect_within(diff, case.allowed("rl.ppo_clip_objective", x),
                  "inside [1-ε, 1+ε] L^CLIP should be mean(rA)", signature_call(case.oracle, x), x)


def _flat(case, ex):
    """Zero gradient on the pessimistic side of the clip: moving r further out (A ≥ 0,
    r > 1+ε: r + 1; A < 0, r < 1-ε: r/2) changes nothing; on the other side the objective
    moves by Δr·A/n (A ≥ 0, r < 1-ε: r/2; A < 0, r > 1+ε: r + 1)."""
    x = ex["inputs"]
    eps = x.get("eps", 0.2)
    r, A = x["ratio"].astype(np.float64), x["advantages"].astype(np.float64)
    above, below = r > 1 + eps, r < 1 - eps
    moved = np.where(above, r + 1, np.where(below, r / 2, r)).astype(x["ratio"].dtype)
    y = {**x, "ratio": moved}
    slope = ((A >= 0) & below) | ((A < 0) & above)
    with mpmath.workdps(DIGITS):
        dr = mpf_array(moved) - mpf_array(x["ratio"])
        extra = mpmath.fsum(dr[i] * mpmath.mpf(A[i]) for i in np.flatnonzero(slope)) / r.size
    _ppo_pair(case, x, y, 1, "outside the clip range L^CLIP should be flat on the pessimistic "
                             "side and move by Δr·A/n on the other", extra)


_BB, _VI, _PE = "rl.bellman_backup", "rl.value_iteration", "rl.policy_evaluation"
_Q, _G = "rl.q_learning_update", "rl.discounted_returns"
_RF, _PPO = "rl.reinforce_loss", "rl.ppo_clip_objective"

PROPERTIES = (
    Property(_BB, "contraction", "‖T V' - T V‖∞ ≤ γ‖V' - V‖∞", _contraction, _two_values),
    Property(_BB, "constant_shift", "T(V + c) - T(V) = γc (between γ min and γ max of V' - V)",
             _shift, lambda o, dt: _two_values(o, dt, shifted=True)),
    Property(_VI, "fixed_point", "V* = T(V*) for bellman_backup", _fixed_point, domain_examples,
             needs=(_BB,)),
    Property(_VI, "dominates_policies", "V* ≥ V^π for a random policy π", _dominates, _with_policy,
             needs=(_PE,)),
    Property(_VI, "greedy_attains", "the greedy policy of V* has value V*", _greedy_attains,
             domain_examples, needs=(_PE,)),
    Property(_PE, "constant_reward", "R ≡ c gives V = c/(1-γ)", _constant_reward, _constant_rewards),
    Property(_Q, "alpha_one_sets_target", "α = 1 sets Q(s, a) to the target", _alpha_one,
             _with(alpha=1.0)),
    Property(_Q, "alpha_zero_unchanged", "α = 0 changes nothing, bit for bit", _alpha_zero,
             _with(alpha=0.0)),
    Property(_Q, "done_stops_bootstrap", "done: Q(s', ·) does not enter the update", _done_stops,
             _done_pairs, needs_params=("done",)),
    Property(_Q, "only_sa_changes", "every other entry is unchanged, bit for bit", _only_sa,
             domain_examples),
    Property(_G, "recursion", "G_t = r_t + γG_{t+1} within an episode", _recursion, domain_examples),
    Property(_G, "resets_at_dones", "G_t = r_t at a done; episodes are independent", _resets,
             _with_dones, needs_params=("dones",)),
    Property(_RF, "scales_with_returns", "L(log π, 2G) = 2L(log π, G)", _scales, domain_examples),
    Property(_RF, "nonnegative", "G ≥ 0 gives L ≥ 0", _nonnegative, _nonnegative_returns),
    Property(_PPO, "pessimistic", "L^CLIP ≤ mean(rA)", _pessimistic, domain_examples),
    Property(_PPO, "unclipped_inside", "L^CLIP = mean(rA) for r in [1-ε, 1+ε]", _unclipped_inside,
             _inside),
    Property(_PPO, "flat_when_clipped", "zero gradient on the clip's pessimistic side, slope A/n "
             "on the other", _flat, domain_examples),
)
