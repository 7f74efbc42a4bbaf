"""The tests that need the seed tutorial's own data file say why they skip without it."""

from __future__ import annotations

import pytest


def test_skip_reason_names_the_variable_and_the_path(tmp_path, monkeypatch, request):
    monkeypatch.setenv("O3REF_SHARED_DATA", str(tmp_path))
    with pytest.raises(pytest.skip.Exception) as skipped:
        request.getfixturevalue("tutorial_xyz")
    reason = str(skipped.value)
    assert "O3REF_SHARED_DATA" in reason
    assert str(tmp_path / "water-dipoles.xyz") in reason


def test_the_variable_points_the_tests_to_the_file(tmp_path, monkeypatch, request):
    (tmp_path / "water-dipoles.xyz").write_text("")
    monkeypatch.setenv("O3REF_SHARED_DATA", str(tmp_path))
    assert request.getfixturevalue("tutorial_xyz") == tmp_path / "water-dipoles.xyz"
