"""Command line of the contributions store.

    python -m lib.store create-moderator NAME   make a moderator (asks for the password)
    python -m lib.store migrate                 create or upgrade the schema
    python -m lib.store erase-contact ID --by NAME   erase a contributor's details on request
    python -m lib.store clear-sign-in NAME [--address ADDR]   let a slowed name (and an
                                                address refused for too many tries) sign in now
    python -m lib.store where                   say which database the app would use

The database is DATABASE_URL, else the SQLite file JOINED_UP_CONTRIBUTIONS_DB (default
data/contributions.sqlite).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy import make_url

from lib.store.accounts import AccountError, check_new_password, create_moderator
from lib.store.engine import current_revision, database_url, open_store


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lib.store",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("create-moderator", help="make a moderator's local account")
    make.add_argument("name")
    make.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (for scripts)",
    )
    commands.add_parser("migrate", help="create or upgrade the store's schema")
    erase = commands.add_parser("erase-contact", help="erase a contribution's contact details")
    erase.add_argument("contribution_id", type=int)
    erase.add_argument("--by", required=True, help="the moderator doing it (for the log)")
    erase.add_argument("--note", default="")
    clear = commands.add_parser(
        "clear-sign-in", help="forget a name's failed sign-ins (and an address's tries)"
    )
    clear.add_argument("name")
    clear.add_argument("--address", help="also forget this client address's sign-in tries")
    commands.add_parser("where", help="say which database the store uses")
    args = parser.parse_args(argv)

    url = database_url()
    if args.command == "where":
        print(_shown(url))
        return 0
    engine = open_store(url)
    if args.command == "migrate":
        print(f"{_shown(url)}: schema at revision {current_revision(engine)}")
        return 0
    if args.command == "clear-sign-in":
        from lib.store.accounts import clear_sign_in_limits

        forgotten = clear_sign_in_limits(engine, name=args.name, source=args.address)
        print(f"Cleared {forgotten} sign-in records: {args.name!r} can sign in now.")
        return 0
    if args.command == "erase-contact":
        from lib.store.moderation import ModerationError, erase_contact

        try:
            removed = erase_contact(engine, args.contribution_id, moderator=args.by, note=args.note)
        except ModerationError as error:
            print(error, file=sys.stderr)
            return 1
        print(
            "Contact details erased and logged."
            if removed
            else "There were no contact details; the request is logged."
        )
        return 0

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"Password for moderator {args.name}: ")
        try:
            check_new_password(password)
        except AccountError as error:
            print(error, file=sys.stderr)
            return 1
        if getpass.getpass("The same password again: ") != password:
            print("The two passwords differ: nothing was made.", file=sys.stderr)
            return 1
    try:
        create_moderator(engine, args.name, password)
    except AccountError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"Moderator {args.name!r} created in {_shown(url)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
