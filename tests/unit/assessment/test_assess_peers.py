"""Peer groups: weighted standardised distance by hand, stable under input reordering,
explained by per-feature contributions."""

from __future__ import annotations

import math
import random

import pytest

from icsys.assessment.peers import DEFAULT_WEIGHTS, FEATURES, PeerConfig, build_peer_model


def features(seed=1, n=12):
    rng = random.Random(seed)
    return {
        f"E540{i:05d}": {
            "population": rng.uniform(5e5, 3e6),
            "share_65_plus": rng.uniform(0.12, 0.26),
            "imd_score": rng.uniform(10, 35),
            "core20_share": rng.uniform(0.02, 0.5),
            "rural_share": rng.uniform(0, 0.6),
            "places": float(rng.randint(1, 8)),
            "local_authorities": float(rng.randint(1, 12)),
            "acute_trusts": float(rng.randint(1, 6)),
            "mental_health_trusts": float(rng.randint(1, 2)),
            "community_trusts": float(rng.randint(0, 2)),
            "ambulance_trusts": float(rng.randint(0, 1)),
        }
        for i in range(n)
    }


def test_distance_is_the_weighted_rms_of_z_score_differences_by_hand():
    data = {
        "A": {"population": 1e6, "imd_score": 10.0},
        "B": {"population": 1e5, "imd_score": 20.0},
        "C": {"population": 1e4, "imd_score": 30.0},
    }
    weights = dict.fromkeys(FEATURES, 0.0) | {"population": 2.0, "imd_score": 1.0}
    model = build_peer_model(data, PeerConfig(weights=weights, n=2))
    # log10 population 6, 5, 4 and IMD 10, 20, 30: both have z = ±1.2247 and 0
    sd = math.sqrt(2 / 3)
    za = {"population": 1 / sd, "imd_score": -1 / sd}
    zb = {"population": 0.0, "imd_score": 0.0}
    expected = math.sqrt(
        (
            2 * (za["population"] - zb["population"]) ** 2
            + 1 * (za["imd_score"] - zb["imd_score"]) ** 2
        )
        / 3
    )
    assert model.distance("A", "B") == pytest.approx(expected)
    peers = model.peers("A")
    assert [p.code for p in peers] == ["B", "C"]
    shares = {c.feature: c.share for c in peers[0].contributions}
    assert shares["population"] == pytest.approx(2 / 3)  # 2·1.5 of 3·1.5
    assert shares["imd_score"] == pytest.approx(1 / 3)
    assert sum(shares.values()) == pytest.approx(1)
    assert peers[0].drivers == ("population", "imd_score")
    assert "differs most on population 67%, imd_score 33%" in peers[0].explanation()


def test_peers_are_the_same_whatever_the_order_of_the_input():
    data = features()
    model = build_peer_model(data)
    expected = {s: [(p.code, p.distance, p.contributions) for p in model.peers(s)] for s in data}
    for seed in range(5):
        codes = list(data)
        random.Random(seed).shuffle(codes)
        shuffled = {c: dict(reversed(list(data[c].items()))) for c in codes}
        again = build_peer_model(shuffled)
        assert {
            s: [(p.code, p.distance, p.contributions) for p in again.peers(s)] for s in data
        } == expected


def test_ties_are_broken_by_code():
    data = {
        "B": {"imd_score": 1.0},
        "C": {"imd_score": 1.0},
        "A": {"imd_score": 0.0},
        "D": {"imd_score": 5.0},
    }
    model = build_peer_model(data, PeerConfig(weights={"imd_score": 1.0}, n=2))
    assert [p.code for p in model.peers("A")] == ["B", "C"]


def test_weights_change_the_peers_and_a_zero_weight_takes_a_feature_out():
    data = {
        "A": {"population": 1e6, "rural_share": 0.5},
        "B": {"population": 1e6, "rural_share": 0.0},
        "C": {"population": 2e6, "rural_share": 0.5},
    }
    by_pop = build_peer_model(data, PeerConfig(weights={"population": 1.0, "rural_share": 0.0}))
    by_rural = build_peer_model(data, PeerConfig(weights={"population": 0.0, "rural_share": 1.0}))
    assert by_pop.peers("A")[0].code == "B"
    assert by_rural.peers("A")[0].code == "C"


def test_missing_and_constant_features_are_noted():
    data = features(n=4)
    data["E54000000"]["rural_share"] = None
    for row in data.values():
        row["places"] = 3.0
    model = build_peer_model(data)
    assert "rural_share: missing for E54000000; set to the mean" in model.notes
    assert "places: the same for every system; no effect on distances" in model.notes


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"height": 1.0}, "unknown peer features"),
        ({"population": -1.0}, "not negative"),
        (dict.fromkeys(DEFAULT_WEIGHTS, 0.0), "at least one"),
    ],
)
def test_bad_weights_are_refused(weights, message):
    with pytest.raises(ValueError, match=message):
        PeerConfig(weights=weights)
