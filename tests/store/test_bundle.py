"""A workshop's bundle: what it holds, and importing it into another store once, and only
whole (a tampered or malformed bundle imports nothing)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

import pytest
from sqlalchemy import func, select

from lib.store import public_contributions
from lib.store.bundle import (
    CSV,
    GEOJSON,
    MANIFEST,
    BundleError,
    export_bundle,
    import_bundle,
)
from lib.store.engine import open_store
from lib.store.models import Contribution
from lib.store.submit import SCRIBE_LIMITS, submit
from lib.store.weights import adopt_weights, adopted_weights, room_weights, send_weights
from lib.store.workshop import end_session, find_session, session_contributions, start_session
from tests.store.conftest import new_store_url
from tests.store.forms import POSTCODE, submission

CATEGORIES = ("Library", "Community centre")


@pytest.fixture(scope="module")
def exported(store):
    """A session of four reports (one scribed, one area need, one with contact details) and
    its bundle."""
    engine = store.engine
    session = start_session(engine, "Hackney libraries workshop", started_by="mo")
    for i, (kind, scribed) in enumerate(
        [("closed", False), ("closed", False), ("area_need", False), ("under_threat", True)]
    ):
        submit(
            engine,
            submission(
                kind,
                categories=CATEGORIES,
                name=f"Report {i} <b>bold</b>",
                contact="private-contact@example.org",
            ),
            session_id=f"bundle-phone-{i}",
            client_address=None,
            workshop=session.id,
            scribed=scribed,
            limits=SCRIBE_LIMITS,
        )
    send_weights(engine, session.id, "phone-a", {"access": 4, "deprivation": 2})
    send_weights(engine, session.id, "phone-b", {"losses": 3, "community": 1})
    adopt_weights(engine, session.id, {"access": 2, "losses": 2, "community": 1})
    end_session(engine, session.id)
    return session, export_bundle(engine, session.id)


@pytest.fixture
def other_store(store, tmp_path_factory):
    """A second, empty store on the same engine: another instance."""
    url, drop = new_store_url(store.name, tmp_path_factory)
    engine = open_store(url, fresh=True)
    yield engine
    engine.dispose()
    drop()


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        return {name: bundle.read(name) for name in bundle.namelist()}


def rezip(
    files: dict[str, bytes], fix_checksums: bool = False, compression=zipfile.ZIP_STORED
) -> bytes:
    files = dict(files)
    if fix_checksums:
        manifest = json.loads(files[MANIFEST])
        for name in (GEOJSON, CSV):
            manifest["files"][name]["sha256"] = hashlib.sha256(files[name]).hexdigest()
        files[MANIFEST] = json.dumps(manifest).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as bundle:
        for name, data in files.items():
            bundle.writestr(name, data)
    return out.getvalue()


def count(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(Contribution)).scalar()


def test_the_bundle_holds_three_files_with_counts_checksums_and_no_private_details(exported):
    session, data = exported
    files = unzip(data)
    assert set(files) == {MANIFEST, GEOJSON, CSV}
    manifest = json.loads(files[MANIFEST])
    assert manifest["format"] == "joined-up-london/workshop-bundle" and manifest["version"] == 1
    assert manifest["session"]["code"] == session.code
    assert manifest["session"]["title"] == "Hackney libraries workshop"
    assert manifest["session"]["started_at"] and manifest["session"]["ended_at"]
    assert manifest["licence"] == "CC BY 4.0" and manifest["exported_at"]
    assert manifest["counts"]["contributions"] == 4
    assert manifest["counts"]["by_kind"]["closed"] == 2
    assert manifest["counts"]["by_kind"]["area_need"] == 1
    assert manifest["counts"]["scribed"] == 1
    for name in (GEOJSON, CSV):
        assert manifest["files"][name]["sha256"] == hashlib.sha256(files[name]).hexdigest()
    features = json.loads(files[GEOJSON])["features"]
    assert [f["properties"]["name"] for f in features] == [
        f"Report {i} <b>bold</b>" for i in range(4)
    ]
    lon, lat = features[0]["geometry"]["coordinates"]
    assert -0.2 < lon < 0.0 and 51.4 < lat < 51.6  # SE1, in WGS84
    assert features[2]["geometry"] is None  # the area need is placed by its ward only
    rows = list(csv.DictReader(io.StringIO(files[CSV].decode())))
    assert len(rows) == 4 and rows[3]["scribed"] == "True"
    everything = b"".join(files.values())
    assert b"private-contact" not in everything and POSTCODE.encode() not in everything
    assert b"token" not in everything


def test_an_import_goes_to_moderation_once_however_often_it_is_imported(
    exported, other_store, store
):
    session, data = exported
    first = import_bundle(other_store, data, imported_by="mo2", categories=CATEGORIES)
    assert (first.created, first.already, first.session_created) == (4, 0, True)
    assert count(other_store) == 4
    imported = find_session(other_store, session.code, open_only=False)
    assert imported.uid == session.uid and not imported.open
    rows = session_contributions(other_store, imported.id)
    assert list(rows["moderation"]) == ["pending"] * 4
    assert list(rows["scribed"]) == [False, False, False, True]
    assert public_contributions(other_store).empty  # not public before moderation
    # The room's weights and the facilitator's choice travel with it.
    assert adopted_weights(other_store, imported.id) == {
        "access": 2,
        "losses": 2,
        "voluntary": 0,
        "deprivation": 0,
        "community": 1,
    }
    assert room_weights(other_store, imported.id).to_dict("records") == [
        {"access": 4, "losses": 0, "voluntary": 0, "deprivation": 2, "community": 0},
        {"access": 0, "losses": 3, "voluntary": 0, "deprivation": 0, "community": 1},
    ]

    again = import_bundle(other_store, data, imported_by="mo2", categories=CATEGORIES)
    assert (again.created, again.already, again.session_created) == (0, 4, False)
    assert count(other_store) == 4

    # Exported again from the second instance and brought home: still nothing new.
    back = export_bundle(other_store, imported.id)
    before = count(store.engine)
    home = import_bundle(store.engine, back, imported_by="mo", categories=CATEGORIES)
    assert (home.created, home.already) == (0, 4)
    assert count(store.engine) == before


def tampered_name(files):
    text = files[GEOJSON].decode().replace("Report 1", "Report X")
    return rezip({**files, GEOJSON: text.encode()})


def extra_file(files):
    return rezip({**files, "notes.txt": b"hello"})


def missing_csv(files):
    return rezip({k: v for k, v in files.items() if k != CSV})


def counts_disagree(files):
    manifest = json.loads(files[MANIFEST])
    manifest["counts"]["contributions"] = 5
    return rezip({**files, MANIFEST: json.dumps(manifest).encode()}, fix_checksums=True)


def invalid_row(files):
    """Report 2 moved outside London in both files alike (so the form's checks catch it)."""
    collection = json.loads(files[GEOJSON])
    old = collection["features"][1]["properties"]["easting"]
    collection["features"][1]["properties"]["easting"] = 400000.0  # outside London
    lines = files[CSV].decode().split("\n")
    lines[2] = lines[2].replace(f",{old},", ",400000.0,", 1)
    table = "\n".join(lines)
    return rezip(
        {**files, GEOJSON: json.dumps(collection).encode(), CSV: table.encode()},
        fix_checksums=True,
    )


def other_licence(files):
    manifest = json.loads(files[MANIFEST])
    manifest["licence"] = "All rights reserved"
    return rezip({**files, MANIFEST: json.dumps(manifest).encode()})


def bad_weights(files):
    manifest = json.loads(files[MANIFEST])
    manifest["weights"]["room"][0] = {"access": 9}
    return rezip({**files, MANIFEST: json.dumps(manifest).encode()})


def bad_manifest(files):
    return rezip({**files, MANIFEST: b"{not json"})


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda files: b"PK\x03\x04 not really a zip", "not a zip file"),
        (lambda files: b"", "not a zip file"),
        (tampered_name, "does not match the checksum in manifest.json"),
        (extra_file, "unexpected notes.txt"),
        (missing_csv, "missing contributions.csv"),
        (counts_disagree, "manifest.json says 5 reports, contributions.geojson has 4"),
        (invalid_row, "report 2 ('Report 1 <b>bold</b>'): where: This place is outside London"),
        (other_licence, "cannot be imported"),
        (bad_manifest, "manifest.json is not readable JSON"),
        (bad_weights, "weights are not valid (The weight of Access is 9:"),
    ],
)
def test_a_spoilt_bundle_says_what_is_wrong_and_imports_nothing(
    exported, other_store, spoil, message
):
    _, data = exported
    with pytest.raises(BundleError) as error:
        import_bundle(other_store, spoil(unzip(data)), imported_by="mo2", categories=CATEGORIES)
    assert message in str(error.value)
    assert count(other_store) == 0


def test_an_area_need_placed_by_postcode_leaves_its_point_out_of_the_bundle(store, other_store):
    """Issue 16, item 5: the postcode's exact point (N1 9GU, here) was exported."""
    engine = store.engine
    n1 = (531472.0, 183654.0)
    session = start_session(engine, "Islington needs", started_by="mo")
    submit(
        engine,
        submission(
            "area_need",
            where_source="postcode",
            postcode="N1 9GU",
            x=n1[0],
            y=n1[1],
            gss_code="E09000019",
        ),
        session_id="bundle-need",
        client_address=None,
        workshop=session.id,
        limits=SCRIBE_LIMITS,
    )
    files = unzip(export_bundle(engine, session.id))
    (feature,) = json.loads(files[GEOJSON])["features"]
    assert feature["geometry"] is None
    assert feature["properties"]["easting"] is None and feature["properties"]["northing"] is None
    assert feature["properties"]["where_source"] == "ward"
    (row,) = csv.DictReader(io.StringIO(files[CSV].decode()))
    assert row["easting"] == row["northing"] == ""
    everything = b"".join(files.values())
    assert (
        b"531472" not in everything and b"183654" not in everything and b"N1 9GU" not in everything
    )
    # Still a whole report: it imports as the ward's need.
    assert import_bundle(other_store, rezip(files), imported_by="mo").created == 1


def test_a_manifest_nested_thousands_deep_is_refused_plainly(exported, other_store):
    """Issue 16, item 13: it raised a RecursionError, shown as a traceback."""
    files = unzip(exported[1])
    files[MANIFEST] = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(BundleError, match="nested too deep"):
        import_bundle(other_store, rezip(files), imported_by="mo")
    assert count(other_store) == 0


# Import checks (issue 16, item 14): each of these imported before.


def _edited(files, change):
    collection = json.loads(files[GEOJSON])
    manifest = json.loads(files[MANIFEST])
    table = list(csv.DictReader(io.StringIO(files[CSV].decode())))
    change(manifest, collection, table)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(table[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(table)
    return rezip(
        {
            MANIFEST: json.dumps(manifest).encode(),
            GEOJSON: json.dumps(collection).encode(),
            CSV: out.getvalue().encode(),
        },
        fix_checksums=True,
    )


def test_a_session_code_with_a_line_break_is_refused(exported, other_store):
    def code(manifest, collection, table):
        manifest["session"]["code"] = "AB\nCD"

    with pytest.raises(BundleError, match="does not name its workshop session"):
        import_bundle(other_store, _edited(unzip(exported[1]), code), imported_by="mo")
    assert count(other_store) == 0


def test_the_csv_must_agree_with_the_geojson_field_by_field(exported, other_store):
    def csv_only(manifest, collection, table):
        table[0]["description"] = '=HYPERLINK("http://evil.example")'

    with pytest.raises(BundleError, match="disagree on report 1 .description."):
        import_bundle(other_store, _edited(unzip(exported[1]), csv_only), imported_by="mo")
    assert count(other_store) == 0


def test_a_bundle_naming_a_live_session_here_cannot_add_to_its_wall(store, exported):
    engine = store.engine
    live = start_session(engine, "Live here", started_by="mo")

    def inject(manifest, collection, table):
        manifest["session"]["uid"] = live.uid
        collection["features"][0]["properties"]["uid"] = table[0]["uid"] = "f" * 32

    before = len(session_contributions(engine, live.id))
    with pytest.raises(BundleError, match="ran on this instance"):
        import_bundle(engine, _edited(unzip(exported[1]), inject), imported_by="mo")
    assert len(session_contributions(engine, live.id)) == before == 0


def test_a_forged_date_does_not_jump_the_moderation_queue(exported, other_store):
    from lib.store.moderation import queue

    submit(other_store, submission(name="Waiting first"), session_id="q", client_address=None)

    def old(manifest, collection, table):
        for feature, row in zip(collection["features"], table, strict=True):
            feature["properties"]["created_at"] = row["created_at"] = "1990-01-01T00:00:00Z"

    import_bundle(other_store, _edited(unzip(exported[1]), old), imported_by="mo")
    assert queue(other_store)["name"].iloc[0] == "Waiting first"


def test_a_small_zip_that_expands_enormously_is_refused_before_parsing(exported, other_store):
    files = unzip(exported[1])
    files[GEOJSON] = b'{"features": [' + b"[]," * 2_000_000 + b"[]]}"
    with pytest.raises(BundleError, match="expands"):
        bomb = rezip(files, fix_checksums=True, compression=zipfile.ZIP_DEFLATED)
        assert len(bomb) < 100_000
        import_bundle(other_store, bomb, imported_by="mo")
