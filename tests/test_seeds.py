"""vaebook.rng: the one helper every seeded draw of the book goes through (VAEBOOK_SEED_OFFSET)."""
import numpy as np
import pytest

import vaebook as vb


def test_offset_zero_is_default_rng(monkeypatch):
    monkeypatch.delenv("VAEBOOK_SEED_OFFSET", raising=False)
    for seed in (0, 3, 2024, [1, 2, 3]):
        assert np.array_equal(vb.rng(seed).standard_normal(5), np.random.default_rng(seed).standard_normal(5))
    monkeypatch.setenv("VAEBOOK_SEED_OFFSET", "0")
    assert np.array_equal(vb.rng(7).random(4), np.random.default_rng(7).random(4))


def test_offset_gives_a_stream_of_its_own(monkeypatch):
    base = {s: np.random.default_rng(s).standard_normal(8) for s in range(12)}
    monkeypatch.setenv("VAEBOOK_SEED_OFFSET", "1")
    shifted = vb.rng(3).standard_normal(8)
    # neither the unshifted stream nor any other seed's stream (the offset is not added to the seed)
    assert all(not np.array_equal(shifted, b) for b in base.values())
    monkeypatch.setenv("VAEBOOK_SEED_OFFSET", "2")
    assert not np.array_equal(vb.rng(3).standard_normal(8), shifted)
    assert np.array_equal(vb.rng(3).standard_normal(8), np.random.default_rng([3, 2]).standard_normal(8))


@pytest.mark.parametrize("value", ["-1", "x", "1.5"])
def test_bad_offset_is_a_clear_error(monkeypatch, value):
    monkeypatch.setenv("VAEBOOK_SEED_OFFSET", value)
    with pytest.raises(ValueError, match="VAEBOOK_SEED_OFFSET"):
        vb.rng(0)


@pytest.mark.parametrize("seed", [-1, 1.5, True, [], [1, -2], "3"])
def test_bad_seed_is_a_clear_error(seed):
    with pytest.raises(ValueError, match="seed"):
        vb.rng(seed)


def test_stored_rng_is_never_shifted(monkeypatch):
    from vaebook.seeds import stored_rng
    monkeypatch.setenv("VAEBOOK_SEED_OFFSET", "5")
    assert np.array_equal(stored_rng(2024).standard_normal(4), np.random.default_rng(2024).standard_normal(4))
    assert not np.array_equal(vb.rng(2024).standard_normal(4), np.random.default_rng(2024).standard_normal(4))
    with pytest.raises(ValueError, match="seed"):
        stored_rng(-1)
