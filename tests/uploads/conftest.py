"""Fixtures for the upload tests: London as a box (unit tests) or from the real build."""

from __future__ import annotations

import pandas as pd
import pytest

from lib.uploads import London, Postcodes
from tests.uploads.files import LONDON_BOX


@pytest.fixture(scope="session")
def london_box() -> London:
    return London.from_outline(LONDON_BOX)


@pytest.fixture(scope="session")
def few_postcodes() -> Postcodes:
    table = pd.DataFrame(
        {
            "postcode": ["WC2N5DN", "SW98RR", "E201EJ"],
            "easting": [530040, 531280, 538270],
            "northing": [180420, 175640, 184450],
            "terminated": [False, False, True],
        }
    ).set_index("postcode")
    return Postcodes(table, "made in the test")


@pytest.fixture(scope="session")
def real_layers(built_gpkg):
    from lib.data.layers import load_layers

    return load_layers(built_gpkg)


@pytest.fixture(scope="session")
def real_london(real_layers) -> London:
    return London.from_boroughs(real_layers.boroughs)
