"""A workshop session as one bundle (a zip), and that bundle imported into another instance.

The zip holds exactly three files:

- `contributions.geojson`: a FeatureCollection, points in WGS84 (RFC 7946) for QGIS and web
  maps; each feature's properties carry every exported field, including the exact British
  National Grid `easting` and `northing` the store keeps (none for an area need: a ward's, as
  on the public map);
- `contributions.csv`: the same rows and fields (no geometry column: `easting`, `northing`), a
  text that a spreadsheet would run as a formula prefixed with ' (lib/store/spreadsheet.py);
- `manifest.json`: the format and its version, the session (code, title, id, start and end),
  when it was exported, the licence, counts (all, by kind, scribed) and the SHA-256 and size
  of both other files.

Each contribution has a `uid` that never changes (made from its submission token, or kept from
the bundle it came in by), so an import stores each one at most once: importing the same
bundle twice, or a bundle that holds rows already imported, creates nothing new. Contact
details and postcodes are never exported. An import is checked whole before anything is
stored (the files present and no others, sizes, checksums, counts, the two files agreeing,
every row passing the form's own validation); one problem and nothing is imported, with a
message naming it. Imported rows wait in the moderation queue like any report.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Engine, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from lib.store import spreadsheet
from lib.store.engine import writing
from lib.store.models import Contribution, Revision, RoomWeights, WorkshopSession
from lib.store.submit import EDITABLE, content_json, origin_of, rate_key, utcnow
from lib.store.validation import Submission, ValidationError, validate
from lib.store.weights import adopted_weights, room_weights
from lib.store.workshop import REMOVED, Session, get_session, normalise_code
from lib.vocab import contributions as vocab
from lib.vocab.needs import WeightsError, check_weights

FORMAT = "joined-up-london/workshop-bundle"
VERSION = 1
MANIFEST = "manifest.json"
GEOJSON = "contributions.geojson"
CSV = "contributions.csv"
FILES = (GEOJSON, CSV)
MAX_BUNDLE_BYTES = 20 * 1024 * 1024
MAX_FILE_BYTES = 20 * 1024 * 1024  # uncompressed, each
# A bundle's JSON and CSV compress about ten times; a file that expands far more is made to
# take memory when parsed (a 100 KB zip of nested brackets took 1.5 GB).
MAX_RATIO = 50
RATIO_FLOOR_BYTES = 1024 * 1024
MAX_ROWS = 20_000
FIELDS = (
    "uid",
    "kind",
    "correction",
    "site_id",
    "category",
    "name",
    "event_date",
    "evidence_url",
    "description",
    "where_source",
    "easting",
    "northing",
    "gss_code",
    "ward_code",
    "scribed",
    "created_at",
    "licence",
)
UID_CHARS = frozenset("0123456789abcdef")


class BundleError(Exception):
    """The bundle cannot be imported; nothing was. The message says what is wrong."""


@dataclass(frozen=True)
class Imported:
    session_code: str
    session_title: str
    created: int  # new contributions, now waiting for moderation
    already: int  # in this store already (an earlier import, or this instance's own)
    session_created: bool


@cache
def _to_lonlat():
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def _iso(value) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat() + "Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _records(engine: Engine, session: Session) -> list[dict]:
    columns = ("token", "origin", "licence", *EDITABLE, "scribed", "created_at")
    table = Contribution.__table__
    with engine.connect() as connection:
        rows = (
            connection.execute(
                select(*(table.c[c] for c in dict.fromkeys(columns)))
                .where(table.c.session_id == session.id, table.c.moderation.not_in(REMOVED))
                .order_by(table.c.id)
            )
            .mappings()
            .all()
        )
    records = []
    for row in rows:
        # An area need is a ward's, as on the public map: never the point of the postcode it
        # was placed by (that would be where its sender lives or works).
        need = row["kind"] == "area_need"
        records.append(
            {
                "uid": row["origin"] or origin_of(row["token"]),
                "kind": row["kind"],
                "correction": row["correction"],
                "site_id": row["site_id"],
                "category": row["category"],
                "name": row["name"],
                "event_date": _iso(row["event_date"]),
                "evidence_url": row["evidence_url"],
                "description": row["description"],
                "where_source": "ward" if need else row["where_source"],
                "easting": None if need else row["x"],
                "northing": None if need else row["y"],
                "gss_code": row["gss_code"],
                "ward_code": row["ward_code"],
                "scribed": bool(row["scribed"]),
                "created_at": _iso(row["created_at"]),
                "licence": row["licence"],
            }
        )
    return records


def _geojson(records: list[dict]) -> bytes:
    features = []
    for record in records:
        geometry = None
        if record["easting"] is not None and record["northing"] is not None:
            lon, lat = _to_lonlat().transform(record["easting"], record["northing"])
            geometry = {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]}
        features.append({"type": "Feature", "geometry": geometry, "properties": record})
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, ensure_ascii=False, indent=1).encode()


def _csv(records: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: _as_csv(record[k]) for k in FIELDS})
    return out.getvalue().encode()


def _as_csv(value) -> str:
    """A GeoJSON property as the bundle's CSV writes it."""
    return "" if value is None else str(spreadsheet.safe_text(value))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def export_bundle(engine: Engine, session_id: int, *, now: dt.datetime | None = None) -> bytes:
    """The session's bundle (zip bytes): every report sent in it that a moderator has not
    rejected or hidden."""
    session = get_session(engine, session_id)
    records = _records(engine, session)
    files = {GEOJSON: _geojson(records), CSV: _csv(records)}
    by_kind = {k: sum(r["kind"] == k for r in records) for k in vocab.KINDS}
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "session": {
            "uid": session.uid,
            "code": session.code,
            "title": session.title,
            "started_at": _iso(session.started_at),
            "ended_at": _iso(session.ended_at),
        },
        "exported_at": _iso(now or utcnow()),
        "licence": vocab.LICENCE,
        "licence_url": vocab.LICENCE_URL,
        "attribution": "Joined Up London contributors",
        "counts": {
            "contributions": len(records),
            "by_kind": by_kind,
            "scribed": sum(r["scribed"] for r in records),
        },
        "files": {
            name: {"sha256": _sha256(data), "bytes": len(data)} for name, data in files.items()
        },
        "coordinates": {
            GEOJSON: "EPSG:4326 longitude, latitude (easting and northing in the properties)",
            CSV: "EPSG:27700 easting, northing (metres)",
        },
        "not_included": "contact details and postcodes (private); the moderation state (an "
        "import always waits for moderation)",
        # The needs index's weights: the facilitator's choice and each phone's (anonymous).
        "weights": {
            "adopted": adopted_weights(engine, session_id),
            "room": room_weights(engine, session_id).to_dict("records"),
        },
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        for name, data in files.items():
            bundle.writestr(name, data)
    return out.getvalue()


def bundle_name(session: Session) -> str:
    day = session.started_at.strftime("%Y-%m-%d")
    return f"workshop-{session.code}-{day}.zip"


# Import


def _read_zip(data: bytes) -> dict[str, bytes]:
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleError(
            f"The file is {len(data) / 1e6:.1f} MB: a workshop bundle is at most "
            f"{MAX_BUNDLE_BYTES // (1024 * 1024)} MB."
        )
    try:
        bundle = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise BundleError(
            "This is not a workshop bundle: it is not a zip file. Export one on the Workshop "
            "page of the instance that ran the session."
        ) from None
    with bundle:
        names = [info.filename for info in bundle.infolist()]
        expected = {MANIFEST, *FILES}
        if set(names) != expected or len(names) != len(expected):
            missing = sorted(expected - set(names))
            extra = sorted(set(names) - expected)
            parts = []
            if missing:
                parts.append("missing " + ", ".join(missing))
            if extra:
                parts.append("unexpected " + ", ".join(n[:60] for n in extra[:5]))
            if not parts:
                parts.append("a file is in it twice")
            raise BundleError(
                "This zip is not a workshop bundle (" + "; ".join(parts) + "): a bundle holds "
                f"exactly {MANIFEST}, {GEOJSON} and {CSV}. Nothing was imported."
            )
        files = {}
        for info in bundle.infolist():
            if info.file_size > MAX_FILE_BYTES or (
                info.file_size > RATIO_FLOOR_BYTES
                and info.file_size > MAX_RATIO * max(info.compress_size, 1)
            ):
                raise BundleError(
                    f"{info.filename} is too large to be a workshop's reports (or expands "
                    "far more than a real one). Nothing was imported."
                )
            try:
                files[info.filename] = bundle.read(info)
            except (zipfile.BadZipFile, OSError, ValueError) as error:
                raise BundleError(
                    f"{info.filename} cannot be read from the zip ({error}): the file is "
                    "damaged. Nothing was imported."
                ) from None
    return files


def _manifest(raw: bytes) -> dict:
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BundleError(
            f"{MANIFEST} is not readable JSON ({error}). Nothing was imported."
        ) from None
    except RecursionError:  # nested thousands deep: no manifest is
        raise BundleError(f"{MANIFEST} is nested too deep to be a manifest.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleError(f"{MANIFEST} does not describe a Joined Up London workshop bundle.")
    if manifest.get("version") != VERSION:
        raise BundleError(
            f"This bundle is format version {manifest.get('version')!r}; this instance reads "
            f"version {VERSION}. Nothing was imported."
        )
    session = manifest.get("session")
    if (
        not isinstance(session, dict)
        or not isinstance(session.get("uid"), str)
        or len(session["uid"]) != 32
        or not set(session["uid"]) <= UID_CHARS
        or not isinstance(session.get("code"), str)
        or normalise_code(session["code"]) != session["code"]
        or not isinstance(session.get("title"), str)
        or not 1 <= len(session["title"]) <= 200
    ):
        raise BundleError(f"{MANIFEST} does not name its workshop session properly.")
    if manifest.get("licence") != vocab.LICENCE:
        raise BundleError(
            f"The bundle's licence is {manifest.get('licence')!r}; reports here are published "
            f"under {vocab.LICENCE}, so it cannot be imported."
        )
    return manifest


def _check_files(manifest: dict, files: dict[str, bytes]) -> None:
    listed = manifest.get("files")
    if not isinstance(listed, dict):
        raise BundleError(f"{MANIFEST} lists no checksums. Nothing was imported.")
    for name in FILES:
        entry = listed.get(name)
        if not isinstance(entry, dict) or entry.get("sha256") != _sha256(files[name]):
            raise BundleError(
                f"{name} does not match the checksum in {MANIFEST}: it was changed or damaged "
                "after the export. Nothing was imported."
            )


def _parse_datetime(text) -> dt.datetime | None:
    if text in (None, ""):
        return None
    try:
        value = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _rows(
    manifest: dict,
    files: dict[str, bytes],
    categories: Collection[str] | None,
    site_ids: Collection[str] | None,
    ward_codes: Collection[str] | None,
) -> list[tuple[dict, Submission]]:
    try:
        collection = json.loads(files[GEOJSON].decode("utf-8"))
        features = collection["features"]
        assert isinstance(features, list)
        records = [f["properties"] for f in features]
        assert all(isinstance(r, dict) for r in records)
    except (
        UnicodeDecodeError,
        json.JSONDecodeError,
        KeyError,
        TypeError,
        AssertionError,
        RecursionError,
    ):
        raise BundleError(
            f"{GEOJSON} is not a GeoJSON FeatureCollection. Nothing was imported."
        ) from None
    try:
        table = list(csv.DictReader(io.StringIO(files[CSV].decode("utf-8"))))
    except (UnicodeDecodeError, csv.Error):
        raise BundleError(f"{CSV} cannot be read as UTF-8 CSV. Nothing was imported.") from None
    counted = (manifest.get("counts") or {}).get("contributions")
    if len(records) > MAX_ROWS:
        raise BundleError(f"The bundle holds {len(records)} reports; at most {MAX_ROWS} are taken.")
    if not (counted == len(records) == len(table)):
        raise BundleError(
            f"The counts disagree: {MANIFEST} says {counted!r} reports, {GEOJSON} has "
            f"{len(records)} and {CSV} has {len(table)}. Nothing was imported."
        )
    if [r.get("uid") for r in records] != [r.get("uid") for r in table]:
        raise BundleError(f"{GEOJSON} and {CSV} list different reports. Nothing was imported.")
    for number, (record, row) in enumerate(zip(records, table, strict=True), start=1):
        differ = [k for k in FIELDS if _as_csv(record.get(k)) != (row.get(k) or "")]
        if differ:
            raise BundleError(
                f"{GEOJSON} and {CSV} disagree on report {number} ({', '.join(differ[:5])}): "
                "one of them was changed after the export. Nothing was imported."
            )
    problems = []
    checked: list[tuple[dict, Submission]] = []
    seen = set()
    for number, record in enumerate(records, start=1):
        uid = record.get("uid")
        if not isinstance(uid, str) or len(uid) != 32 or not set(uid) <= UID_CHARS:
            problems.append(f"report {number}: its uid is missing or malformed")
            continue
        if uid in seen:
            problems.append(f"report {number}: uid {uid} appears twice")
            continue
        seen.add(uid)
        if record.get("licence") != vocab.LICENCE:
            problems.append(f"report {number}: licence {record.get('licence')!r}")
            continue
        form = {
            "token": f"import_{uid}",
            **{k: record.get(k) for k in FIELDS if k not in ("easting", "northing")},
            "x": record.get("easting"),
            "y": record.get("northing"),
            "consent": True,  # given when it was sent; the licence is checked above
        }
        try:
            submission = validate(
                form, categories=categories, site_ids=site_ids, ward_codes=ward_codes
            )
        except ValidationError as error:
            detail = "; ".join(f"{k}: {v}" for k, v in error.errors.items())
            problems.append(f"report {number} ({str(record.get('name'))[:40]!r}): {detail}")
            continue
        checked.append((record, submission))
    if problems:
        shown = "; ".join(problems[:5]) + (
            f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
        )
        raise BundleError(
            f"{len(problems)} of the bundle's {len(records)} reports are not valid ({shown}). "
            "Nothing was imported."
        )
    return checked


def _weights(manifest: dict) -> tuple[dict | None, list[dict]]:
    """The bundle's adopted and room weights, checked (a bundle from before them has none)."""
    weights = manifest.get("weights") or {}
    try:
        if not isinstance(weights, dict) or not isinstance(weights.get("room", []), list):
            raise WeightsError("not a set of weights")
        adopted = weights.get("adopted")
        return (
            None if adopted is None else check_weights(adopted),
            [check_weights(w) for w in weights.get("room", [])],
        )
    except WeightsError as error:
        raise BundleError(
            f"{MANIFEST}'s weights are not valid ({error}). Nothing was imported."
        ) from None


def read_bundle(
    data: bytes,
    *,
    categories: Collection[str] | None = None,
    site_ids: Collection[str] | None = None,
    ward_codes: Collection[str] | None = None,
) -> tuple[dict, list[tuple[dict, Submission]]]:
    """The manifest and the validated reports of a bundle, or BundleError."""
    files = _read_zip(data)
    manifest = _manifest(files[MANIFEST])
    _check_files(manifest, files)
    return manifest, _rows(manifest, files, categories, site_ids, ward_codes)


def import_bundle(
    engine: Engine,
    data: bytes,
    *,
    imported_by: str,
    categories: Collection[str] | None = None,
    site_ids: Collection[str] | None = None,
    ward_codes: Collection[str] | None = None,
) -> Imported:
    """Store a bundle's reports as pending (the moderation queue), once each, in one
    transaction; BundleError and nothing stored when any check fails."""
    manifest, checked = read_bundle(
        data, categories=categories, site_ids=site_ids, ward_codes=ward_codes
    )
    info = manifest["session"]
    adopted, room = _weights(manifest)
    now = utcnow()
    created = 0
    with writing(engine) as connection:
        existing = connection.execute(
            select(WorkshopSession.id, WorkshopSession.imported_at).where(
                WorkshopSession.uid == info["uid"]
            )
        ).first()
        session_id = existing.id if existing else None
        own = existing is not None and existing.imported_at is None
        session_created = session_id is None
        if session_id is None:
            session_id = connection.execute(
                insert(WorkshopSession)
                .values(
                    uid=info["uid"],
                    code=info["code"],
                    title=info["title"],
                    started_by=f"imported by {imported_by}",
                    started_at=_parse_datetime(info.get("started_at")) or now,
                    ended_at=_parse_datetime(info.get("ended_at")) or now,
                    imported_at=now,
                    weights=None if adopted is None else json.dumps(adopted, sort_keys=True),
                )
                .returning(WorkshopSession.id)
            ).scalar_one()
            for n, weights in enumerate(room):
                connection.execute(
                    insert(RoomWeights).values(
                        session_id=session_id,
                        phone=rate_key("room-phone", f"{info['uid']}:{n}"),
                        weights=json.dumps(weights, sort_keys=True),
                        created_at=now,
                        updated_at=now,
                    )
                )
        module = postgresql if connection.dialect.name == "postgresql" else sqlite
        for record, submission in checked:
            # Never later than now; the queue goes by arrival (id), so no date jumps it.
            stamp = min(_parse_datetime(record.get("created_at")) or now, now)
            values = {k: getattr(submission, k) for k in EDITABLE}
            row_id = connection.execute(
                module.insert(Contribution)
                .values(
                    token=submission.token,
                    origin=record["uid"],
                    moderation="pending",
                    outcome="reported",
                    licence=vocab.LICENCE,
                    consent=True,
                    created_at=stamp,
                    updated_at=now,
                    session_id=session_id,
                    scribed=bool(record.get("scribed") in (True, "True", "true")),
                    **values,
                )
                .on_conflict_do_nothing()
                .returning(Contribution.id)
            ).scalar_one_or_none()
            if row_id is None:
                continue
            if own:  # a session that ran here has every report it received already
                raise BundleError(
                    f"This bundle names the workshop {info['code']}, which ran on this "
                    "instance, but holds reports it never received: nothing was imported."
                )
            created += 1
            connection.execute(
                insert(Revision).values(
                    contribution_id=row_id,
                    revision=1,
                    content=content_json(values),
                    edited_by=f"import by {imported_by}",
                    note=f"imported from workshop bundle {info['code']} ({info['uid']})",
                    created_at=now,
                )
            )
    return Imported(
        session_code=info["code"],
        session_title=info["title"],
        created=created,
        already=len(checked) - created,
        session_created=session_created,
    )
