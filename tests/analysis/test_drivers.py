"""Tests for lib/analysis/drivers.py: the operator rule on names made in code, and what drives
the real build's findings (marked ``integration``)."""

import pandas as pd
import pyogrio
import pytest

from lib.analysis import drivers, losses


def test_operators_read_chains_from_names():
    pharmacies = ["Boots", "BOOTS UK LIMITED", "Boots the Chemists Ltd"]
    pharmacies += ["Your Local Boots Pharmacy", "Boots", "Superdrug Pharmacy", "Superdrug"]
    pharmacies += ["SUPERDRUG", "Superdrug Ltd", "Superdrug", "Superdrug Marble Arch"]
    pharmacies += ["Kerrs Chemist", "Bootsy Pharmacy"]
    rows = [(name, "Pharmacy", "E09000001") for name in pharmacies]
    rows += [("Dental Surgery", "Dental practice", "E09000001")] * 2
    rows += [("Brixton Library", "Library", "E09000022")]
    sites = pd.DataFrame(rows, columns=["name", "category", "gss_code"])
    sites["site_id"] = [f"s{i}" for i in range(len(sites))]
    found = drivers.operators(sites)
    operator, cluster = found["operator"].tolist(), found["cluster"].tolist()
    assert operator[:5] == ["Boots"] * 5  # Ltd, UK, "Your Local" and Pharmacy are generic
    assert operator[5:11] == ["Superdrug"] * 6  # Marble Arch begins with the chain's name
    assert operator[11:13] == ["Kerrs Chemist", "Bootsy Pharmacy"]  # their own operators
    assert operator[15] == "E09000022"  # a library: its borough's library service
    assert len(set(cluster[:5])) == 1 and len(set(cluster[5:11])) == 1
    # Two practices both called "Dental Surgery" are two operators, not a chain.
    assert cluster[13] != cluster[14]


# ---------------------------------------------------------------- integration: the real build


@pytest.fixture(scope="module")
def layers(built_gpkg):
    return {
        name: pyogrio.read_dataframe(built_gpkg, layer=name)
        for name in ["sites", "policy_areas", "boroughs"]
    }


@pytest.mark.integration
def test_real_caz_is_mostly_pharmacies_since_2020_and_boots(layers):
    sites, policy_areas = layers["sites"], layers["policy_areas"]
    table = losses.comparisons(sites, policy_areas, "caz")
    found = drivers.drivers(sites, policy_areas, "caz", table).set_index("category")
    # Rows that read higher or lower, and only those.
    assert list(found.index) == ["Pharmacy", losses.ALL_RECORDED]
    pooled = found.loc[losses.ALL_RECORDED]
    assert pooled["categories"].startswith(
        "Categories (losses inside against those expected at the rate elsewhere): pharmacies "
        "36 against 16.3 expected, museums and public galleries 6 against 8.2 expected"
    )
    assert pooled["categories"].endswith("Without pharmacies the ratio is 1.03 (0.60-1.70).")
    assert pooled["years"] == (
        "Years: 2010-2014 13, 2015-2019 18, 2020 on 23 of the 54 losses inside (153, 177, 130 "
        "of the 460 elsewhere)."
    )
    assert (pooled["top_operator"], pooled["top_operator_losses"]) == ("Boots", 18)
    assert pooled["operators_inside"] == 34
    # Boots' branches closing together widen the interval (exact: 1.28-2.31).
    assert (round(pooled["boot_lo"], 2), round(pooled["boot_hi"], 2)) == (1.07, 2.21)
    pharmacy = found.loc["Pharmacy"]
    assert pharmacy["years"].startswith("Years: 2010-2014 5, 2015-2019 10, 2020 on 21 of the 36")
    assert pharmacy["operators"] == (
        "Operators: the 36 losses inside were at 16 operators; Boots had 18, Lloyds 3, Superdrug 2."
    )
