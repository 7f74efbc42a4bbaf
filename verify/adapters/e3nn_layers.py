"""Adapter: layers of e3nn and cuequivariance-torch as NumPy callables for
:mod:`o3ref.verify.layers` (needs torch; never imported by o3ref itself).

- :func:`torch_callable` wraps a torch module ``m(x1, x2, ...)`` as a function of NumPy
  arrays (inputs converted to the module's dtype, the output detached and read back);
  extra fixed arguments (cuequivariance's ``SymmetricContraction`` takes element indices)
  are built per call by ``extra(n)``.
- :func:`e3nn_weights` lays e3nn's flat weights out as an array of the coefficients' shape
  (copy in ``irreps_in1``, copy in ``irreps_in2``, copy in ``irreps_out``), following each
  instruction's connection mode (``uvw``, ``uvu``, ``uvv``, ``uuw``, ``uuu``, ``uvuv``); a
  path without weights gets 1. cuequivariance-torch's ``FullyConnectedTensorProduct`` stores
  its weights in the same order (measured with e3nn 0.6.0 and cuequivariance-torch 0.13.0:
  the two layers are equal on the same flat weights).

Both libraries write features in e3nn's frame (``frame="e3nn"``); e3nn's layout is
``mul_ir``; cuequivariance's is the layer's ``layout`` (``cue.mul_ir`` or ``cue.ir_mul``).

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["e3nn_weights", "torch_callable"]


def torch_callable(module, *, extra: Callable | None = None) -> Callable:
    """``module`` as a function of NumPy arrays returning a NumPy array."""
    import torch

    params = list(module.parameters()) + list(module.buffers())
    dtype = next((p.dtype for p in params if p.is_floating_point()), torch.get_default_dtype())

    def f(*xs):
        ts = [torch.as_tensor(np.ascontiguousarray(x)).to(dtype) for x in xs]
        args = ts + (list(extra(len(xs[0]))) if extra is not None else [])
        with torch.no_grad():
            y = module(*args)
        return y.detach().cpu().numpy()

    f.__name__ = f"torch_{type(module).__name__}"
    return f


def _copies_of(irreps) -> list[list[int]]:
    """For each entry of an irreps list, the global numbers of its copies."""
    from ..layers.irreps import parse_irreps

    out, k = [], 0
    for mul, _, _ in parse_irreps(str(irreps)):
        out.append(list(range(k, k + mul)))
        k += mul
    return out


def e3nn_weights(tp, weight=None) -> np.ndarray:
    """e3nn ``TensorProduct`` ``tp``'s weights (its own, or a flat ``weight``) as an array
    ``(copies1, copies2, copies_out)``, 0 where the layer has no path."""
    c1, c2, co = (_copies_of(ir) for ir in (tp.irreps_in1, tp.irreps_in2, tp.irreps_out))
    n = (sum(map(len, c1)), sum(map(len, c2)), sum(map(len, co)))
    src = tp.weight if weight is None else weight
    if hasattr(src, "detach"):
        src = src.detach().cpu().numpy()
    flat = np.asarray(src, dtype=np.float64).reshape(-1)
    W = np.zeros(n)
    off = 0
    for ins in tp.instructions:
        a, b, c = c1[ins.i_in1], c2[ins.i_in2], co[ins.i_out]
        if ins.has_weight:
            size = int(np.prod(ins.path_shape))
            w = flat[off:off + size].reshape(ins.path_shape)
            off += size
        else:
            w = np.ones(ins.path_shape) if ins.path_shape else np.ones(())
        mode = ins.connection_mode
        for u, i in enumerate(a):
            for v, j in enumerate(b):
                if mode == "uvw":
                    for x, k in enumerate(c):
                        W[i, j, k] = w[u, v, x]
                elif mode == "uvu":
                    W[i, j, c[u]] = w[u, v]
                elif mode == "uvv":
                    W[i, j, c[v]] = w[u, v]
                elif mode == "uuw" and u == v:
                    for x, k in enumerate(c):
                        W[i, j, k] = w[u, x]
                elif mode == "uuu" and u == v:
                    W[i, j, c[u]] = w[u] if w.ndim else 1.0
                elif mode == "uvuv":
                    W[i, j, c[u * len(b) + v]] = w[u, v]
                elif mode not in ("uuw", "uuu"):
                    raise ValueError(f"connection mode {mode!r} is not supported")
    return W
