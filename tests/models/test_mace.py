"""A randomly initialised MACE model in float64 passes check_model (skipped without
mace-torch; ``tox -e models`` or the environment of the guide o3ref.guides.models)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

with warnings.catch_warnings():  # mace-torch and e3nn 0.4.4 warn on import under new torch
    warnings.simplefilter("ignore")
    mace = pytest.importorskip("mace")  # sets TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 (e3nn 0.4.4)
    torch = pytest.importorskip("torch")

# torch.load with weights_only forced off, e3nn 0.4.4's deprecated torch APIs: not ours
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning",
                                        "ignore::DeprecationWarning")

from model_helpers import emt_cluster  # noqa: E402

from o3ref.verify.models import check_model, compare_models  # noqa: E402


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    from e3nn import o3
    from mace import modules, tools

    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    torch.manual_seed(0)
    table = tools.AtomicNumberTable([13, 29])
    model = modules.MACE(
        r_max=4.5, num_bessel=6, num_polynomial_cutoff=5, max_ell=2,
        interaction_cls=modules.interaction_classes["RealAgnosticResidualInteractionBlock"],
        interaction_cls_first=modules.interaction_classes["RealAgnosticResidualInteractionBlock"],
        num_interactions=2, num_elements=2, hidden_irreps=o3.Irreps("8x0e+8x1o"),
        MLP_irreps=o3.Irreps("8x0e"), gate=torch.nn.functional.silu,
        atomic_energies=np.array([-1.0, -2.0]), avg_num_neighbors=3.0,
        atomic_numbers=table.zs, correlation=2,
    ).double()
    path = tmp_path_factory.mktemp("mace") / "random.model"
    torch.save(model, path)
    torch.set_default_dtype(previous)
    return str(path)


def _calculator(path, dtype):
    from mace.calculators import MACECalculator

    return MACECalculator(model_paths=path, device="cpu", default_dtype=dtype)


def test_random_mace_float64_passes(model_path):
    report = check_model(_calculator(model_path, "float64"), [emt_cluster()],
                         checks=["O_h", "rotations", "translation", "permutation",
                                 "forces = -dE/dr"])
    assert report.passed, report
    assert report.dtype == "float64"


def test_random_mace_float32_against_float64(model_path):
    report = compare_models(_calculator(model_path, "float32"),
                            _calculator(model_path, "float64"), [emt_cluster()])
    assert report.dtype == "float32" and report.passed, report
