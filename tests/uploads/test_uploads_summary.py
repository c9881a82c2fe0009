"""Integration: uploads of each format on the real build, and the summary against London."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from lib.render import tables
from lib.uploads import (
    BNG,
    Postcodes,
    annotate,
    download_geojson,
    download_table,
    london_shares,
    read_upload,
    summarise,
)
from tests.uploads.files import (
    BRIXTON,
    STRATFORD,
    TRAFALGAR,
    csv_bytes,
    feature,
    geojson_bytes,
    gpkg_bytes,
    points_frame,
    shapefile_parts,
    zip_bytes,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def shares(real_layers):
    return london_shares(real_layers)


@pytest.fixture(scope="module")
def real_postcodes(built_gpkg):
    from lib.data.layers import load_postcodes

    return Postcodes(load_postcodes(built_gpkg), "Code-Point Open")


def row(table, kind, key):
    return table[(table["kind"] == kind) & (table["key"] == key)].iloc[0]


def test_trafalgar_square_is_in_the_caz_and_westminster(real_layers, real_london, shares):
    data = csv_bytes(f"name,latitude,longitude\nTrafalgar Square,{TRAFALGAR[1]},{TRAFALGAR[0]}\n")
    result = read_upload("one.csv", data, london=real_london)
    assert result.ok and result.problems == []
    annotated = annotate(result.features, real_layers)
    assert annotated.loc[0, "in_borough"] == "Westminster"
    assert annotated.loc[0, "in_borough_code"] == "E09000033"
    assert bool(annotated.loc[0, "in_caz"]) is True
    assert bool(annotated.loc[0, "in_sil"]) is False
    table = summarise(annotated, real_layers, shares)
    caz = row(table, "policy", "caz")
    assert (caz["features"], caz["pct_features"]) == (1, 100.0)
    assert row(table, "borough", "E09000033")["features"] == 1
    assert table[table["kind"] == "borough"].iloc[0]["name"] == "Westminster"
    assert table["features"][table["kind"] == "borough"].sum() == 1


def test_london_shares_of_land_and_sites(real_layers, shares):
    assert list(shares[shares["kind"] == "policy"]["key"]) == [
        "town_centre",
        "caz",
        "opportunity_area",
        "sil",
        "creative_enterprise_zone",
        "area_of_intensification_2015",
        "regeneration_area",
    ]
    assert len(shares[shares["kind"] == "borough"]) == 33
    assert shares.loc[shares["kind"] == "borough", "pct_london_area"].sum() == pytest.approx(100)
    assert shares.loc[shares["kind"] == "borough", "pct_london_sites"].sum() == pytest.approx(100)
    caz = row(shares, "policy", "caz")
    # measured on the build of the shared inputs (November 2026)
    assert round(caz["pct_london_area"], 1) == 1.9
    assert round(caz["pct_london_sites"], 1) == 14.8  # pharmacies and dental practices joined
    assert round(row(shares, "policy", "regeneration_area")["pct_london_area"], 1) == 11.9


def test_the_thames_is_in_london_and_slough_is_not(real_layers, real_london):
    data = csv_bytes(
        "name,easting,northing\nTower Bridge mid-river,533750,180450\nSlough,497900,179800\n"
    )
    result = read_upload("river.csv", data, london=real_london)
    assert [p.message for p in result.problems] == ["Row 3: outside London (dropped)."]
    annotated = annotate(result.features, real_layers)
    assert annotated.loc[0, "in_borough"] in {"Tower Hamlets", "Southwark", "City of London"}


def test_real_postcodes(real_layers, real_london, real_postcodes):
    data = csv_bytes("name,postcode\nPalace,SW1A 1AA\nNowhere,ZZ1 1ZZ\n")
    result = read_upload("pc.csv", data, london=real_london, postcodes=real_postcodes)
    assert result.features["source_row"].tolist() == [2]
    assert annotate(result.features, real_layers).loc[0, "in_borough"] == "Westminster"


def same_three_places(tmp_path):
    frame = points_frame(BNG)
    wgs = points_frame("EPSG:4326")
    return {
        "csv": csv_bytes(
            "name,lat,lon\n"
            + "\n".join(f"{n},{p.y},{p.x}" for n, p in zip(wgs["name"], wgs.geometry, strict=True))
        ),
        "geojson": geojson_bytes(
            [
                feature({"type": "Point", "coordinates": list(xy)}, name=n)
                for n, xy in zip(wgs["name"], [TRAFALGAR, BRIXTON, STRATFORD], strict=True)
            ]
        ),
        "gpkg": gpkg_bytes(tmp_path, {"places": frame}),
        "zip": zip_bytes(shapefile_parts(tmp_path, frame)),
    }


def test_every_format_lands_in_the_same_boroughs(tmp_path, real_layers, real_london, shares):
    tables = {}
    for ext, data in same_three_places(tmp_path).items():
        result = read_upload(f"places.{ext}", data, london=real_london)
        assert result.ok and result.errors == [], (ext, result.problems)
        annotated = annotate(result.features, real_layers)
        assert annotated["in_borough"].tolist() == ["Westminster", "Lambeth", "Newham"], ext
        tables[ext] = summarise(annotated, real_layers, shares)
    for ext in ["geojson", "gpkg", "zip"]:
        pd.testing.assert_frame_equal(tables[ext], tables["csv"])


def test_downloads_carry_the_added_columns(real_layers, real_london):
    data = csv_bytes(
        f"name,latitude,longitude,in_caz\nA,{TRAFALGAR[1]},{TRAFALGAR[0]},mine\n"
        f"B,{BRIXTON[0]},{BRIXTON[1]},x\n"
    )
    result = read_upload("a.csv", data, london=real_london)
    annotated = annotate(result.features, real_layers)
    table = download_table(annotated)
    assert list(table.columns[:5]) == [
        "source_row",
        "name",
        "latitude",
        "longitude",
        "in_caz_original",
    ]
    assert {
        "in_borough",
        "in_caz",
        "in_regeneration_area",
        "placed_easting",
        "placed_latitude",
    } <= set(table.columns)
    assert table["latitude"].tolist() == [str(TRAFALGAR[1]), str(BRIXTON[0])]  # as given
    assert table["placed_latitude"].round(3).tolist() == [51.508, 51.462]
    assert tables.csv_bytes(table).decode().splitlines()[0].startswith("source_row,name,")
    doc = json.loads(download_geojson(annotated))
    assert doc["features"][0]["properties"]["in_borough"] == "Westminster"
    assert doc["features"][0]["properties"]["in_caz"] is True
    assert doc["features"][0]["geometry"]["coordinates"][1] == pytest.approx(51.508, abs=1e-3)
