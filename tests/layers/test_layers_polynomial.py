"""decompose_polynomial on hand-written symmetric contractions of ``0e+1o``.

The equivariant polynomials of ``(s, x)`` (a scalar and a vector) into ``0e`` and ``1o`` are
written out here by hand: degree 1: ``s`` / ``x``; degree 2: ``s^2, |x|^2`` / ``s x``;
degree 3: ``s^3, s |x|^2`` / ``s^2 x, |x|^2 x`` (exact dimensions 1, 2, 2 and 1, 1, 2).
"""

from __future__ import annotations

import numpy as np
import pytest

from o3ref.verify.layers.polynomial import decompose_polynomial

IR_IN, IR_OUT = "0e+1o", "0e+1o"
EXACT = {("0e", 1): 1, ("0e", 2): 2, ("0e", 3): 2, ("1o", 1): 1, ("1o", 2): 1, ("1o", 3): 2}


def contraction(w, *, extra=None):
    """A symmetric contraction with weights ``w`` (dict name -> value)."""

    def f(A):
        A = np.asarray(A, dtype=np.float64)
        s, x = A[:, :1], A[:, 1:4]
        xx = (x * x).sum(1, keepdims=True)
        out0 = (w["s"] * s + w["ss"] * s**2 + w["xx"] * xx + w["sss"] * s**3
                + w["sxx"] * s * xx)
        out1 = w["x"] * x + w["sx"] * s * x + w["ssx"] * s**2 * x + w["xxx"] * xx * x
        y = np.concatenate([out0, out1], axis=1)
        return y if extra is None else y + extra(s, x)

    return f


NAMES = ["s", "ss", "xx", "sss", "sxx", "x", "sx", "ssx", "xxx"]


def draws(n, seed=0, zero=(), tie=False):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        w = {k: rng.uniform(0.5, 1.5) * rng.choice([-1, 1]) for k in NAMES}
        for k in zero:
            w[k] = 0.0
        if tie:  # one weight drives both degree-3 couplings of 0e (a mis-paired slot)
            w["sxx"] = w["sss"]
        out.append(contraction(w))
    return out


def test_correct_contraction_reaches_every_dimension():
    f, *others = draws(4)
    r = decompose_polynomial(f, IR_IN, IR_OUT, 3, samples=others)
    assert r.passed, str(r)
    got = {(row.irrep_out, row.degree): (row.exact_dim, row.reached) for row in r.rows}
    assert got == {k: (d, d) for k, d in EXACT.items()}
    assert r.vandermonde_cond < 100


def test_single_draw_reaches_rank_one():
    r = decompose_polynomial(draws(1)[0], IR_IN, IR_OUT, 3)
    assert r.passed and all(row.reached == min(1, row.exact_dim) for row in r.rows)


def test_disconnected_degree_is_dead():
    f, *others = draws(3, zero=("ss", "xx", "sx"))
    r = decompose_polynomial(f, IR_IN, IR_OUT, 3, samples=others)
    assert not r.passed
    dead = {(row.irrep_out, row.degree) for row in r.rows if row.dead}
    assert dead == {("0e", 2), ("1o", 2)}
    assert "dead weights?" in str(r)


def test_mis_paired_weights_reach_less_than_exact():
    f, *others = draws(4, tie=True)
    r = decompose_polynomial(f, IR_IN, IR_OUT, 3, samples=others)
    row = next(row for row in r.rows if (row.irrep_out, row.degree) == ("0e", 3))
    assert (row.exact_dim, row.reached) == (2, 1)
    assert "reached 1 of 2" in str(r)


def test_all_zero_contraction_flagged():
    zero = lambda A: np.zeros((len(A), 4))  # noqa: E731  (an all-zero U)
    r = decompose_polynomial(zero, IR_IN, IR_OUT, 2)
    assert not r.passed and all(row.dead for row in r.rows)


def test_non_equivariant_part_located():
    w = dict.fromkeys(NAMES, 1.0)
    f = contraction(w, extra=lambda s, x: np.concatenate([0 * s, s * x[:, [1, 0, 2]]], axis=1))
    r = decompose_polynomial(f, IR_IN, IR_OUT, 3)
    bad = [(row.irrep_out, row.degree) for row in r.rows if row.abs_residual > row.tolerance]
    assert bad == [("1o", 2)] and not r.passed and "not equivariant" in str(r)


def test_part_above_degree_flagged():
    w = dict.fromkeys(NAMES, 1.0)
    f = contraction(w, extra=lambda s, x: np.concatenate([s**4, 0 * x], axis=1))
    r = decompose_polynomial(f, IR_IN, IR_OUT, 3)
    assert not r.passed and r.above_degree > r.above_tolerance
    assert "above degree 3" in str(r)


def test_e3nn_frame_and_bad_degree():
    f = draws(1)[0]  # dot products and scalar multiples look the same in any rotated frame
    assert decompose_polynomial(f, IR_IN, IR_OUT, 3, frame="e3nn").passed
    assert not decompose_polynomial(f, IR_IN, IR_OUT, 2).passed  # its cubic part is above 2
    with pytest.raises(ValueError, match="degree=0"):
        decompose_polynomial(f, IR_IN, IR_OUT, 0)


def channelwise(ws, leak=0.0):
    """Two channels of ``0e+1o`` (mul_ir: ``2x0e+2x1o``), channel ``u`` with weights
    ``ws[u]``; ``leak`` feeds channel 1's scalar into channel 0's output."""
    fs = [contraction(w) for w in ws]

    def f(A):
        A = np.asarray(A, dtype=np.float64)
        s, x = A[:, 0:2], A[:, 2:8].reshape(-1, 2, 3)
        y0 = fs[0](np.concatenate([s[:, :1], x[:, 0]], axis=1))
        y1 = fs[1](np.concatenate([s[:, 1:], x[:, 1]], axis=1))
        y0[:, :1] += leak * s[:, 1:] ** 2
        return np.concatenate([y0[:, :1], y1[:, :1], y0[:, 1:], y1[:, 1:]], axis=1)

    return f


def _weights(seed):
    rng = np.random.default_rng(seed)
    return {k: rng.uniform(0.5, 1.5) for k in NAMES}


def test_channelwise_contraction():
    layers = [channelwise([_weights(2 * i), _weights(2 * i + 1)]) for i in range(3)]
    r = decompose_polynomial(layers[0], "2x0e+2x1o", "2x0e+2x1o", 3, samples=layers[1:],
                             channelwise=True)
    assert r.passed, str(r)
    assert len(r.rows) == 4 * 3
    assert all(row.reached == row.exact_dim for row in r.rows)
    leaky = channelwise([_weights(0), _weights(1)], leak=0.5)
    r = decompose_polynomial(leaky, "2x0e+2x1o", "2x0e+2x1o", 3, channelwise=True)
    assert not r.passed and r.cross_channel > 0.1 and "other channels" in str(r)
    with pytest.raises(ValueError, match="one multiplicity"):
        decompose_polynomial(leaky, "2x0e+1x1o", "2x0e+2x1o", 3, channelwise=True)
