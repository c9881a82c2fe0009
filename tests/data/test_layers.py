"""lib/data/layers.py on the real build: the records layer and the sites without a rule."""

from __future__ import annotations

import pandas as pd
import pytest

from lib.data import layers as data


@pytest.fixture(scope="module")
def built(built_gpkg) -> data.Layers:
    return data.load_layers(built_gpkg)


def test_a_change_of_owner_tightened_to_a_week_counts_the_slower_successions(built):
    undone = data.without_rule(built.sites, built.records, "change_of_owner").set_index("site_id")
    # 931 changes of owner; 43 successors opened more than a week after the close.
    extra = undone[undone.index.str.startswith("record-")]
    assert (built.records["rule"] == "change_of_owner").sum() == 931 and len(extra) == 43
    assert extra["lost"].all()
    # Nowells Pharmacy, 10 Weald Lane: FM423 -> FFF71 (next day) -> FNM19 (next day) stays one.
    assert "record-FM423" not in undone.index
    assert undone.loc["pharm-FM423", "opened_year"] == 1996
    # A succession 68 days apart: the old code is a loss and the site starts with the new one.
    slow = built.records[built.records["rule"] == "change_of_owner"].set_index("code")
    gaps = (
        pd.to_datetime(slow["next_code"].map(built.records.set_index("code")["opened"]))
        - pd.to_datetime(slow["closed"])
    ).dt.days.abs()
    code = gaps.idxmax()
    assert gaps.max() == 68
    host = undone.loc[slow.loc[code, "site_id"]]
    assert (
        host["opened_year"]
        == pd.to_datetime(
            built.records.set_index("code").loc[slow.loc[code, "next_code"], "opened"]
        ).year
    )


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
