"""Matching a value from a link or a tour against the options a widget offers.

A link typed by hand (`/borough?borough=hackney`, `?status=closed`) or a tour written in a text
editor should find the option it means whatever its case or spacing, and a value that matches
nothing must be said out loud, naming the nearest valid option, never quietly replaced by
another place. Pure functions: no streamlit, no data.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

_SPACES = re.compile(r"[\s_\-]+")


def normalise(text: str) -> str:
    """The form two spellings of one option share: case folded, '&' read as 'and', and
    spaces, hyphens and underscores ignored ("Barking-and-Dagenham" = "barking and dagenham",
    "Hammersmith & Fulham" = "hammersmith and fulham")."""
    text = str(text).casefold().replace("&", " and ")
    return _SPACES.sub("", text)


@dataclass(frozen=True)
class Match:
    """One value as given, the option it means (None: none), and the nearest option."""

    given: str
    value: str | None
    nearest: str | None = None

    @property
    def known(self) -> bool:
        return self.value is not None


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def numeric_nearest(value: str, options: Sequence[str]) -> str | None:
    """For a number among numeric options (years), the closest by value: 1999 -> 2000, not
    2019, which only looks more like it."""
    given = _number(value)
    numbers = [n for o in options if (n := _number(o)) is not None]
    if given is None or not options or len(numbers) != len(options):
        return None
    return min(zip(options, numbers, strict=True), key=lambda o: abs(o[1] - given))[0]


# At or below this likeness (_likeness) no option is offered: "colour" is not "tour" (0.6),
# "pub" not "GP practice" (0.33).
LIKE = 0.6


def nearest(value: str, options: Sequence[str]) -> str | None:
    """The option most like `value`: for a number among numbers the closest in value; else
    the likeness of the normalised forms, where a prefix of exactly one option wins
    ("kingston" -> "Kingston upon Thames"); None when no option is like it."""
    if not options:
        return None
    if (closest := numeric_nearest(value, options)) is not None:
        return closest
    key = normalise(value)
    if key:
        prefixed = [o for o in options if normalise(o).startswith(key)]
        if len(prefixed) == 1:
            return prefixed[0]
    scored = [(_likeness(key, normalise(o)), -i, o) for i, o in enumerate(options)]
    best = max(scored)
    return best[2] if best[0] > LIKE else None


def _likeness(key: str, option: str) -> float:
    """difflib's ratio to the option, or, where both start alike, to its start as long as
    `key` ("musem" is like "museumorpublicgallery"; "nowhere" is not like "loweredmonton")."""
    whole = difflib.SequenceMatcher(None, key, option).ratio()
    if key[:1] != option[:1]:
        return whole
    return max(whole, difflib.SequenceMatcher(None, key, option[: len(key)]).ratio())


def match(value: str, options: Sequence[str], aliases: Mapping[str, str] | None = None) -> Match:
    """The option `value` names: exactly, else ignoring case and spacing, else through an
    alias (another spelling people use: "none" for "No basemap"). Options whose normalised
    forms collide are matched exactly only, so no value is ever read as the wrong one."""
    value = str(value)
    if value in options:
        return Match(value, value)
    by_key: dict[str, list[str]] = {}
    for option in options:
        by_key.setdefault(normalise(option), []).append(option)
    for alias, option in (aliases or {}).items():
        if option in options:
            by_key.setdefault(normalise(alias), []).append(option)
    found = {o for o in by_key.get(normalise(value), [])}
    if len(found) == 1:
        return Match(value, found.pop())
    return Match(value, None, nearest(value, options))


# ------------------------------------------------------------------ a page's parameters


Options = Sequence[str] | Callable[[Mapping[str, list[str]]], Sequence[str]]


@dataclass(frozen=True)
class Choice:
    """A parameter a widget binds to the link: what one value is ("a London borough"), the
    options as the link spells them (the widget's labels), other spellings, and whether it
    takes several values (a multiselect). `options` may depend on the parameters before it
    (a category of the chosen groups): then it is called with them, already canonical."""

    noun: str
    options: Options
    aliases: Mapping[str, str] = field(default_factory=dict)
    repeat: bool = False

    def options_for(self, earlier: Mapping[str, list[str]]) -> list[str]:
        return list(self.options(earlier) if callable(self.options) else self.options)


# Streamlit's own parameters, which any page may carry.
INTERNAL_PARAMS = ("embed", "embed_options")


def _shown(given: str) -> str:
    return given if len(given) <= 60 else given[:57] + "…"


def note(found: Match, noun: str) -> str:
    """ "'Hackny' is not a London borough; did you mean Hackney?"."""
    text = f"'{_shown(found.given)}' is not {noun}"
    return text + (f"; did you mean {found.nearest}?" if found.nearest else ".")


@dataclass(frozen=True)
class Checked:
    """A link's parameters with every known value in its canonical spelling and every
    unknown one dropped (`params`), a note for each unknown value (`notes`), and the
    unknown values by parameter (`unknown`)."""

    params: dict[str, list[str]]
    notes: tuple[str, ...]
    changed: bool
    unknown: dict[str, tuple[Match, ...]] = field(default_factory=dict)


def check_params(
    params: Mapping[str, Iterable[str]],
    choices: Mapping[str, Choice],
    known: Collection[str] | None = None,
    renamed: Mapping[str, str] | None = None,
    read_nearest_number: bool = True,
) -> Checked:
    """Read each parameter that has a Choice, in the order of `choices`; others pass
    unchanged. Of repeated values of a single-value parameter the last is read, as
    Streamlit reads them. A number that is not among numeric options (a year) is read as
    the nearest, and the note says so (unless `read_nearest_number` is false: a tour file is
    corrected, not read otherwise). With `known` (every name the page reads), another name
    is dropped with a note naming the nearest; `renamed` reads another page's name for the
    same setting (`borough` where this page says `area`) as this page's."""
    original = {k: [str(v) for v in values] for k, values in params.items()}
    given = dict(original)
    out: dict[str, list[str]] = {}
    notes: list[str] = []
    unknown: dict[str, tuple[Match, ...]] = {}
    for old, new in (renamed or {}).items():
        if old in given:
            values = given.pop(old)
            given.setdefault(new, values)
    if known is not None:
        names = sorted(set(known))
        for key in [k for k in given if k not in known and k not in choices]:
            del given[key]
            suggestion = nearest(key, [n for n in names if n not in INTERNAL_PARAMS])
            notes.append(
                f"'{_shown(key)}' is not a setting of this page"
                + (f"; did you mean {suggestion}?" if suggestion else ".")
            )
    for key, choice in choices.items():
        if key not in given:
            continue
        values = given[key] if choice.repeat else given[key][-1:]
        options = choice.options_for(out)
        kept: list[str] = []
        for value in values:
            if value == "" and not choice.repeat:
                kept.append(value)  # an empty value clears a clearable widget
                continue
            found = match(value, options, choice.aliases)
            closest = numeric_nearest(value, options) if read_nearest_number else None
            if found.value is None and closest:
                notes.append(
                    f"'{_shown(value)}' is not {choice.noun}: showing {closest}, the nearest."
                )
                found = Match(value, closest)
            if found.value is not None:
                if found.value not in kept:
                    kept.append(found.value)
            else:
                notes.append(note(found, choice.noun))
                unknown[key] = (*unknown.get(key, ()), found)
        if kept:
            out[key] = kept
    for key, values in given.items():
        if key not in choices:
            out[key] = values
    return Checked(out, tuple(notes), out != original, unknown)
