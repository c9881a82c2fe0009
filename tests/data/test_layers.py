"""lib/data/layers.py on the real build: the records layer and the sites without a rule."""

from __future__ import annotations

import pytest

from lib.data import layers as data


@pytest.fixture(scope="module")
def built(built_gpkg) -> data.Layers:
    return data.load_layers(built_gpkg)


def test_a_change_of_owner_undone_is_two_losses_and_a_site_that_starts_later(built):
    undone = data.without_rule(built.sites, built.records, "change_of_owner").set_index("site_id")
    # Nowells Pharmacy, 10 Weald Lane: FM423 (1996) -> FFF71 (2011) -> FNM19 (2020), one shop.
    assert undone.loc["pharm-FM423", ["status", "opened_year"]].tolist() == ["open", 2020]
    for code, years in [("FM423", [1996, 2011]), ("FFF71", [2011, 2020])]:
        row = undone.loc[f"record-{code}"]
        assert [row["opened_year"], row["closed_year"]] == years
        assert row["status"] == "closed" and bool(row["lost"])
    extra = undone.index.str.startswith("record-").sum()
    assert extra == (built.records["rule"] == "change_of_owner").sum() == 931


def test_a_parallel_code_undone_leaves_its_host_as_it_was(built):
    undone = data.without_rule(built.sites, built.records, "parallel_code").set_index("site_id")
    assert (
        undone.loc["pharm-FJE22", "opened_year"]
        == built.sites.set_index("site_id").loc["pharm-FJE22", "opened_year"]
    )
    fr560 = undone.loc["record-FR560"]
    assert fr560[["closed_year", "lost", "in_town_centre", "gss_code"]].tolist() == [
        2017,
        True,
        fr560["in_town_centre"],
        "E09000032",
    ]


def test_distance_selling_pharmacies_undone_come_back_open_or_closed(built):
    undone = data.without_rule(built.sites, built.records, "not_community")
    back = undone[undone["site_id"].str.startswith("record-")]
    assert len(back) == 49 and (back["status"] == "closed").sum() == 17
    assert back.set_index("site_id").loc["record-FEN24", "in_sil"]


def test_a_contract_end_undone_is_the_sites_own_loss(built):
    undone = data.without_rule(built.sites, built.records, "contract_end")
    assert len(undone) == len(built.sites)
    dental = undone[undone["category"] == "Dental practice"]
    before = built.sites[built.sites["category"] == "Dental practice"]
    assert dental["lost"].sum() - before["lost"].sum() == 106
