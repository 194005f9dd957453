"""The seed's identities, proved symbolically with SymPy (numerically where it cannot).

Also: every oracle that evaluates a cancellation-free rewrite of its textbook formula is
proved equal to it here.
"""
import mpmath
import pytest
import sympy as sp

from mathoracle.oracles import activations as A
from mathoracle.oracles import divergence as D
from mathoracle.oracles import losses as L

z = sp.Symbol("z", real=True)
pos = sp.Symbol("x", positive=True)
neg = sp.Symbol("x", negative=True)
alpha = sp.Symbol("alpha", real=True)


def is_zero(expr) -> bool:
    return sp.simplify(expr) == 0


def test_sigmoid_derivative_is_sigma_times_one_minus_sigma():
    s = A.sigmoid_expr(z)
    assert is_zero(sp.diff(s, z) - s * (1 - s))
    assert is_zero(A.sigmoid_grad.expression - s * (1 - s))


def test_tanh_derivative_is_one_minus_tanh_squared():
    assert is_zero(sp.diff(sp.tanh(z), z) - (1 - sp.tanh(z) ** 2))


def test_tanh_grad_evaluates_a_form_equal_to_the_derivative():
    assert is_zero(A.tanh_grad.expression - A.tanh_grad.textbook(z))


def test_tanh_is_the_seeds_exponential_quotient():
    assert is_zero((A.tanh_textbook(z) - sp.tanh(z)).rewrite(sp.exp))


def test_tanh_is_two_sigmoid_of_two_z_minus_one():
    assert is_zero((sp.tanh(z) - (2 * A.sigmoid_expr(2 * z) - 1)).rewrite(sp.exp))


def test_relu_is_max_zero_z_and_its_derivative_follows_the_seed():
    r = A.relu_expr(z)
    assert r.subs(z, pos) == sp.Max(0, pos) and r.subs(z, neg) == sp.Max(0, neg) == 0
    d = A.relu_grad.expression
    assert d.subs(z, pos) == 1 and d.subs(z, neg) == 0
    assert d.subs(z, 0) == 0  # the convention at 0: the seed's "0 otherwise"


@pytest.mark.parametrize("a", [0, sp.Rational(1, 100), sp.Rational(1, 2), 1])
def test_leaky_relu_is_max_alpha_z_z_and_its_derivative(a):
    f = A.leaky_relu_expr(z, a)
    for x in (pos, neg):
        assert is_zero(f.subs(z, x) - sp.Max(a * x, x))
    d = sp.diff(A.leaky_relu_expr(z, alpha), z)
    assert d.subs(z, pos) == 1 and d.subs(z, neg) == alpha and d.subs(z, 0) == alpha


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_softmax_sums_to_one(n):
    _, outs = A.softmax_exprs(n)
    assert is_zero(sum(outs) - 1)


def test_softmax_jacobian_is_s_delta_minus_s_s():
    zs, outs = A.softmax_exprs(3)
    for i in range(3):
        for j in range(3):
            assert is_zero(sp.diff(outs[i], zs[j]) - outs[i] * (int(i == j) - outs[j]))


y, p, q = sp.symbols("y p q", positive=True)


def test_bce_evaluated_form_equals_the_textbook_form():
    for label in (0, 1):
        lhs = L.bce_term(sp.Integer(label), p)
        rhs = L.bce_textbook(sp.Integer(label), p)
        assert is_zero(sp.expand_log(lhs.rewrite(sp.log) - rhs, force=True))


def test_bce_equals_two_class_cce():
    for label in (0, 1):
        lab = sp.Integer(label)
        cce = L.xlogy(1 - lab, 1 - p) + L.xlogy(lab, p)
        assert is_zero(sp.expand_log((L.bce_term(lab, p) + cce).rewrite(sp.log), force=True))


def test_focal_with_gamma_zero_is_alpha_weighted_bce():
    a = sp.Symbol("a", positive=True)
    assert is_zero(L.focal_term(1, p, a, 0) - a * L.bce_term(sp.Integer(1), p))
    assert is_zero((L.focal_term(0, p, a, 0) - (1 - a) * L.bce_term(sp.Integer(0), p)).rewrite(sp.log))


def test_focal_term_follows_lin_et_al():
    a, g = sp.symbols("a g", positive=True)
    assert is_zero(L.focal_term(1, p, a, g) - (-a * (1 - p) ** g * sp.log(p)))
    assert is_zero((L.focal_term(0, p, a, g) - (-(1 - a) * p ** g * sp.log(1 - p))).rewrite(sp.log))


def test_huber_is_c1_at_delta():
    r, d = sp.symbols("r delta", positive=True)
    inner, outer = r ** 2 / 2, d * r - d ** 2 / 2
    assert is_zero((inner - outer).subs(r, d))
    assert is_zero((sp.diff(inner, r) - sp.diff(outer, r)).subs(r, d))
    # and the oracle's piecewise term is these two branches
    t = L.huber_term(r + 1, sp.Integer(1), d)  # residual r
    assert is_zero(t.subs(r, d / 2) - inner.subs(r, d / 2))
    assert is_zero(t.subs(r, 2 * d) - outer.subs(r, 2 * d))


@pytest.mark.parametrize("label", [0, 1])
def test_focal_evaluated_form_equals_the_textbook_form(label):
    p, a, g = sp.Symbol("p", positive=True), sp.Symbol("alpha", positive=True), sp.Integer(2)
    y = sp.Integer(label)
    lhs = L.focal_term(y, p, a, g).rewrite(sp.log)
    assert is_zero(sp.piecewise_fold(lhs - L.focal_textbook(y, p, a, g)).subs(sp.Eq(p, 0), False)
                   .subs(sp.Eq(p, 1), False))


def test_cce_evaluated_form_equals_textbook():
    # y is positive here, so the 0·log 0 guard is inactive and the forms must coincide
    assert is_zero(L.categorical_cross_entropy.term(y, p) - L.categorical_cross_entropy.textbook(y, p))
    assert L.categorical_cross_entropy.term(sp.Integer(0), sp.Integer(0)) == 0


def test_kl_of_equal_distributions_is_zero_and_gibbs_holds_for_two_points():
    assert D.kl_term(p, p) == 0
    t = sp.Symbol("t", positive=True)
    kl2 = D.kl_term(t, q) + D.kl_term(1 - t, 1 - q)
    # KL of Bernoulli(t)‖Bernoulli(q) is minimised (= 0) at q = t: Gibbs' inequality
    for tv in (sp.Rational(1, 10), sp.Rational(1, 2), sp.Rational(9, 10)):
        assert is_zero(sp.diff(kl2, q).subs(t, tv).subs(q, tv))
    with mpmath.workdps(30):
        f = sp.lambdify((t, q), kl2, "mpmath")
        assert all(f(mpmath.mpf(a) / 10, mpmath.mpf(b) / 10) >= 0 for a in range(1, 10) for b in range(1, 10))


# --- the forms the gradient property evaluates ------------------------------------------

def test_tanh_gradient_form_is_sympy_diff_of_tanh():
    assert is_zero(A.tanh.derivative(z) - sp.diff(A.tanh.expression, z))


@pytest.mark.parametrize("n", [1, 2, 3])
def test_softmax_backward_form_is_the_vector_jacobian_product(n):
    zs, outs = A.softmax_exprs(n)
    ws = sp.symbols(f"w0:{n}", real=True)
    vjp, floor = A.softmax_backward(zs, ws)
    for j in range(n):
        by_diff = sum(w * sp.diff(o, zs[j]) for w, o in zip(ws, outs))
        assert is_zero(vjp[j] - by_diff)


def test_a_point_guard_fixes_a_value_not_a_derivative():
    from mathoracle.oracles.shapes import derivative
    x, yy = sp.symbols("x y", positive=True)
    # ∂/∂x of xlogy(x, y) is log y, at x = 0 too; ∂/∂y keeps the guard (0 where x = 0)
    assert derivative(L.xlogy(x, yy), x) == sp.log(yy)
    assert derivative(L.xlogy(x, yy), yy).subs(x, 0) == 0
    # ∂/∂p of p·log(p/q) is log(p/q) + 1, which tends to -∞ at p = 0
    assert is_zero(sp.expand_log(derivative(D.kl_term(p, q), p) - (sp.log(p / q) + 1), force=True))


# --- the activations beyond the seed ------------------------------------------------------

def test_gelu_evaluated_form_is_z_phi_in_its_erf_form():
    """z/2·erfc(-z/√2), held whole, is the catalogue's z/2·(1 + erf(z/√2)) = z·Φ(z)."""
    expr = A.gelu.expression
    assert expr.has(A.erfc)  # not rewritten as 2 - erfc(z/√2), which cancels
    assert is_zero(expr.rewrite(sp.erf) - z / 2 * (1 + sp.erf(z / sp.sqrt(2))))


def test_gelu_erfc_is_asymptotic_where_mpmath_cannot_evaluate_it():
    with mpmath.workdps(60):
        y = mpmath.mpf(2) ** 500  # 3.3e150: the asymptotic branch; mpmath's own still works here
        assert abs(A._erfc_value(y) / mpmath.erfc(y) - 1) < mpmath.mpf(10) ** -59
        assert A._erfc_value(mpmath.mpf(10) ** 300) > 0  # where mpmath.erfc overflows


def test_gelu_tanh_evaluated_form_equals_the_textbook_form():
    assert is_zero((A.gelu_tanh.expression - A.gelu_tanh.textbook(z)).rewrite(sp.exp))


def test_gelu_tanh_gap_and_derivative_scale_are_the_measured_maxima():
    from mathoracle.properties.activations import GELU_TANH_GAP
    with mpmath.workdps(30):
        gelu = sp.lambdify(z, A.gelu.expression.rewrite(sp.erf), "mpmath")
        approx = sp.lambdify(z, A.gelu_tanh.textbook(z), "mpmath")
        slope = sp.lambdify(z, sp.diff(A.gelu_tanh.textbook(z), z), "mpmath")
        gaps = [abs(gelu(mpmath.mpf(i) / 100) - approx(mpmath.mpf(i) / 100)) for i in range(-1000, 1001)]
        assert max(gaps) <= GELU_TANH_GAP < max(gaps) * (1 + 1e-4)
        peak = max(slope(mpmath.mpf(i) / 1000) for i in range(0, 4000))
        assert peak <= A.GELU_TANH_PRIME.scale < peak * (1 + 1e-3)


def test_silu_is_z_sigmoid():
    assert is_zero(A.silu.expression - z * A.sigmoid_expr(z))


def test_softplus_evaluated_form_equals_the_textbook_form():
    beta = sp.Symbol("beta", positive=True)
    lhs = A.softplus_expr(z, beta).rewrite(sp.log)
    assert is_zero(lhs - sp.log(1 + sp.exp(beta * z)) / beta)
    assert is_zero(sp.diff(lhs, z) - A.sigmoid_expr(beta * z))  # softplus' = σ(βz)


def test_elu_evaluated_form_equals_the_textbook_form():
    f = A.elu_expr(z, alpha)
    assert f.subs(z, pos) == pos
    assert is_zero(f.subs(z, neg).rewrite(sp.exp) - alpha * (sp.exp(neg) - 1))
    assert sp.diff(f, z).subs(z, 0).rewrite(sp.exp) == alpha  # the convention at the kink


@pytest.mark.parametrize("n", [1, 2, 3])
def test_log_softmax_is_z_minus_logsumexp_and_exponentiates_to_softmax(n):
    zs, outs = A.log_softmax_exprs(n)
    zs2, lse = A.logsumexp_expr(n)
    _, soft = A.softmax_exprs(n)
    assert zs == zs2
    for i in range(n):
        assert is_zero(outs[i] - (zs[i] - lse))
        assert is_zero(sp.exp(outs[i]) - soft[i])
        assert is_zero(sp.diff(lse, zs[i]) - soft[i])  # ∇ logsumexp = softmax


@pytest.mark.parametrize("n", [1, 2, 3])
def test_log_softmax_backward_form_is_the_vector_jacobian_product(n):
    zs, outs = A.log_softmax_exprs(n)
    ws = sp.symbols(f"w0:{n}", real=True)
    vjp, _ = A.log_softmax_backward(zs, ws)
    for j in range(n):
        assert is_zero(vjp[j] - sum(w * sp.diff(o, zs[j]) for w, o in zip(ws, outs)))
