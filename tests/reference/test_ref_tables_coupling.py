"""``o3ref tables --kind coupling``: the exact symmetric coupling bases written, read back
through the manifest in every format and sharding, equal entry by entry to
``coupling_basis``, and counted against the characters."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from o3ref.reference.coupling import coupling_basis, coupling_dimension
from o3ref.reference.tables import (
    COUPLING_DEGREES,
    KINDS,
    columns,
    coupling_tensors,
    read_tables,
    write_tables,
)
from o3ref.verify.cli import main

L_MAX = 2


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("coupling")
    write_tables(out, ["coupling"], L_MAX, ["json", "csv", "npz"], shards="blocks")
    return out


def test_kind_is_registered_with_its_columns():
    assert "coupling" in KINDS
    assert columns("coupling") == ("l", "parity", "degree", "L", "vector", "index",
                                   "sign", "p", "q", "exact", "value")


def test_round_trip_equals_coupling_basis(written):
    rows = list(read_tables(written, "coupling", L_MAX, "json"))
    assert rows == list(read_tables(written, "coupling", L_MAX, "npz")) \
        == list(read_tables(written, "coupling", L_MAX, "csv"))
    seen = 0
    for l, parity, degree in itertools.product(range(L_MAX + 1), (-1, 1), COUPLING_DEGREES):
        irreps = f"{l}{'e' if parity == 1 else 'o'}"
        for L in range(degree * l + 1):
            got = coupling_tensors(rows, l, parity, degree, L)
            want = coupling_basis(irreps, degree, L, parity**degree).tensors
            assert got.shape == want.shape and np.array_equal(got, want), (irreps, degree, L)
            # the count of vectors is the character count; no other output parity couples
            assert got.shape[0] == coupling_dimension(irreps, degree, L, parity**degree)
            assert coupling_dimension(irreps, degree, L, -parity**degree) == 0
            for k, perm in itertools.product(range(got.shape[0]),
                                             itertools.permutations(range(degree))):
                assert np.array_equal(got[k], np.transpose(got[k], perm + (degree,)))
            seen += got.shape[0]
    assert seen > 0
    assert sum(1 for r in rows if r[0] == L_MAX) > 0  # every shard holds rows


def test_manifest_records_the_character_counts(written):
    files = json.loads((written / "manifest.json").read_text())["files"]
    entries = [e for e in files.values() if e["kind"] == "coupling"]
    assert len(entries) == 3 * (L_MAX + 1)
    for entry in entries:
        (l,) = entry["shard"]
        for l_, parity, degree, L, count in entry["dimensions"]:
            irreps = f"{l_}{'e' if parity == 1 else 'o'}"
            assert l_ == l and count == coupling_dimension(irreps, degree, L, parity**degree)
        # 1o, 1e: Sym^3 V_1 = V_1 + V_3 (|x|^2 x and the traceless cube)
        if l == 1:
            dims = {(p, d, L): c for _, p, d, L, c in entry["dimensions"]}
            assert [dims[(-1, 3, L)] for L in range(4)] == [0, 1, 0, 1]


def test_cli_writes_the_coupling_kind(tmp_path, capsys):
    assert main(["tables", "--kind", "coupling", "--l-max", "1", "--format", "csv",
                 "--shards", "none", "--out", str(tmp_path), "--quiet"]) == 0
    assert (tmp_path / "coupling_lmax1.csv").is_file()
    rows = list(read_tables(tmp_path, "coupling", 1, "csv"))
    # the identity of V_0 at degree 1 and 2 s^2 (a symmetrised tree) at degree 2
    assert rows[0][:6] == (0, -1, 1, 0, 0, 0) and rows[0][9] == "1"
    assert rows[1][:6] == (0, -1, 2, 0, 0, 0) and rows[1][9] == "2"
