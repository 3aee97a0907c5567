"""The study's dimensions: areas, participant groups and workshop formats, as values a
project holds (not constants of one study), and how people write their names.

Pure data and matching, no database: readers in helper processes match labels against a
snapshot of the project's values; `corpus.study` loads, learns and edits them in the store.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

DIMENSIONS = ("area", "group", "format")
# Swedish names, singular and plural, for messages and pages
NAMES_SV = {"area": ("område", "områden"), "group": ("deltagargrupp", "deltagargrupper"),
            "format": ("format", "format")}
# the column a unit without a value falls in, so that columns add up to the total
UNKNOWN_SV = {"area": "Inget område", "group": "Ingen grupp", "format": "Inget format"}

# Administrative words that do not tell two places apart: "Lerums kommun" is Lerum.
_SUFFIX_WORDS = frozenset({"kommun", "kommuner", "kommunen", "stad", "staden",
                           "kommunalforbund", "kommunalforbundet"})
# Names too general to be read out of a file name ("regionen_grupp2.docx")
_GENERIC = frozenset({"regionen", "region", "kommun", "kommunen", "staden"})
NEAR = 0.8   # difflib ratio above which an unknown label is listed as "like" a known one


def fold(text: str) -> str:
    """Lower-case, strip accents and punctuation, collapse spaces: for matching labels."""
    text = unicodedata.normalize("NFKD", str(text).lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return text.strip()


def core(text: str) -> str:
    """A folded name without trailing administrative words ("lerums kommun" -> "lerums")."""
    tokens = fold(text).split()
    while len(tokens) > 1 and tokens[-1] in _SUFFIX_WORDS:
        tokens.pop()
    return " ".join(tokens)


def _cores(text: str) -> set[str]:
    """The core, and the core without a genitive s when something was cut after it
    ("Lerums kommun" is Lerum, but "Alingsås" stays Alingsås)."""
    base = core(text)
    found = {base} if base else set()
    if base != fold(text) and base.endswith("s") and len(base) > 3:
        found.add(base[:-1])
    return found


def slug(text: str) -> str:
    """A key made from a label: folded, words joined by '-', at most 40 characters."""
    return "-".join(fold(text).split())[:40].strip("-") or "x"


def tidy_label(text: str) -> str:
    """A label as it will be printed: spaces collapsed; an all-lower-case one capitalised
    ("lerum" -> "Lerum"), anything else kept as the team wrote it ("NÖ", "Lerums kommun")."""
    label = " ".join(str(text).split())
    return label[:1].upper() + label[1:] if label.islower() else label


@dataclass(frozen=True)
class Value:
    """One area, participant group or format of a study."""

    dimension: str
    key: str
    label: str                        # as printed in tables: "Lerum"
    long_name: str | None = None      # for quotes: "Deltagare Lerums kommun"
    aliases: tuple[str, ...] = ()
    order: int = 0

    @property
    def long(self) -> str:
        return self.long_name or self.label

    def names(self) -> tuple[str, ...]:
        return (self.key, self.label, *((self.long_name,) if self.long_name else ()),
                *self.aliases)


@dataclass(frozen=True)
class Match:
    """What a label written in the material is: a known value (`key`), or unknown and
    perhaps like one (`near`: listed for the team, never guessed)."""

    key: str | None
    near: str | None = None
    folded: bool = False     # matched through a variant ("Lerums kommun" for "Lerum")


@dataclass(frozen=True)
class Dimension:
    name: str                          # area, group or format
    values: tuple[Value, ...] = ()
    fixed: bool = False                # an unknown label is an error, not a new value
    all_columns: bool = False          # tables show a column for values with no units

    def labels(self) -> dict[str, str]:
        """key -> label, in the project's order."""
        return {v.key: v.label for v in self.values}

    def get(self, key: str | None) -> Value | None:
        return next((v for v in self.values if v.key == key), None)

    def label(self, key: str | None, missing: str = "") -> str:
        found = self.get(key)
        return found.label if found else (key or missing)

    def long_name(self, key: str | None) -> str | None:
        found = self.get(key)
        return found.long if found else None

    def key_list(self) -> list[str]:
        return [v.key for v in self.values]

    def match(self, text: object) -> Match:
        if text is None or not fold(str(text)):
            return Match(None)
        folded = fold(str(text))
        for value in self.values:
            if folded in {fold(n) for n in value.names()}:
                return Match(value.key)
        cores = _cores(str(text))
        for value in self.values:
            if cores & {c for n in value.names() for c in _cores(n)}:
                return Match(value.key, folded=True)
        best, ratio = None, 0.0
        for value in self.values:
            for name in value.names():
                for mine in cores:
                    r = difflib.SequenceMatcher(None, mine, core(name)).ratio()
                    if r > ratio:
                        best, ratio = value.key, r
        return Match(None, near=best if ratio >= NEAR else None)

    def key_of(self, text: object) -> str | None:
        return self.match(text).key

    def key_inflected(self, text: object) -> str | None:
        """A value named with its last word in another form: "tjänsteperson" for
        "Tjänstepersoner", "politikern" for "Politiker" (a speaker label names one person
        of a group that tables name in the plural); a match by `key_of` first."""
        found = self.key_of(text)
        if found is not None or text is None:
            return found
        words = fold(str(text)).split()
        for value in self.values:
            for name in value.names():
                other = fold(name).split()
                if words and len(other) == len(words) and other[:-1] == words[:-1] \
                        and _inflected(words[-1], other[-1]):
                    return value.key
        return None

    def in_name(self, name: str) -> str | None:
        """A value read out of a file name such as 'gr_grupp3.docx' (whole tokens only)."""
        tokens = fold(name).split()
        for size in (3, 2, 1):
            for i in range(len(tokens) - size + 1):
                piece = " ".join(tokens[i: i + size])
                if piece in _GENERIC:
                    continue
                for value in self.values:
                    if piece in {fold(n) for n in value.names()}:
                        return value.key
        return None

    def new_key(self, label: str) -> str:
        """A key for a new value, unique in this dimension."""
        base, taken = slug(label), set(self.key_list())
        key, n = base, 2
        while key in taken:
            key = f"{base[:36]}-{n}"
            n += 1
        return key


# Swedish endings of one noun's forms: "politiker(n|na)", "chef(er|erna)", "tjänsteperson(er)"
_ENDINGS = frozenset({"", "n", "en", "et", "r", "er", "ar", "or", "na", "rna", "erna", "arna",
                      "orna", "ens", "ernas", "arnas", "ornas", "s"})


def _inflected(a: str, b: str) -> bool:
    """Whether two folded words are forms of one noun: one is the other's stem (at least
    four letters, a final -a or -e dropped: "sjuksköterska", "sjuksköterskor") and an
    ending."""
    for x, y in ((a, b), (b, a)):
        for stem in {x, x[:-1] if x[-1:] in ("a", "e") else x}:
            if len(stem) >= 4 and y.startswith(stem) and y[len(stem):] in _ENDINGS:
                return True
    return False


@dataclass(frozen=True)
class Study:
    """A project's dimensions, as loaded from its store (`corpus.study.load`)."""

    areas: Dimension = field(default_factory=lambda: Dimension("area"))
    groups: Dimension = field(default_factory=lambda: Dimension("group"))
    formats: Dimension = field(default_factory=lambda: Dimension("format"))

    def __getitem__(self, name: str) -> Dimension:
        return {"area": self.areas, "group": self.groups, "format": self.formats}[name]

    def attribution(self, area: str | None) -> str:
        """How a quote is attributed: never a name, only the participant's area."""
        long = self.areas.long_name(area)
        return f"Deltagare {long}" if long else "Deltagare"


# --- study profiles: a bundled preset (the VGR pre-study) or a team's own TOML file ------

PRESETS = resources.files(__package__) / "studies"


def presets() -> list[str]:
    return sorted(p.name.removesuffix(".toml") for p in PRESETS.iterdir()
                  if p.name.endswith(".toml"))


@dataclass(frozen=True)
class Profile:
    name: str
    title: str | None
    values: tuple[Value, ...]
    fixed: frozenset[str] = frozenset()


def read_profile(name_or_path: str | Path) -> Profile:
    """A study profile by preset name ("vgr-forstudie") or as a TOML file of the same form:
    [[area]] / [[group]] / [[format]] tables with key, label, long_name, aliases, and
    `fixed = ["area"]` for dimensions whose list is closed."""
    from .errors import InputError

    text_path = Path(name_or_path)
    if text_path.suffix.lower() == ".toml" or text_path.exists():
        if not text_path.is_file():
            raise InputError("no such study profile", text_path, "E180")
        raw, where = text_path.read_text(encoding="utf-8"), text_path
    else:
        name = str(name_or_path)
        if name not in presets():
            raise InputError(f"no study profile {name!r}; bundled: {', '.join(presets())}, "
                             "or give a .toml file", None, "E180")
        raw, where = (PRESETS / f"{name}.toml").read_text(encoding="utf-8"), Path(name)
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", where, "E181") from exc
    values: list[Value] = []
    for dimension in DIMENSIONS:
        seen: Dimension = Dimension(dimension)
        for order, entry in enumerate(data.get(dimension, [])):
            if not isinstance(entry, dict) or not str(entry.get("label", "")).strip():
                raise InputError(f"each [[{dimension}]] needs a label", where, "E181")
            label = tidy_label(entry["label"])
            key = str(entry.get("key") or seen.new_key(label))
            if key in seen.key_list():
                raise InputError(f"[[{dimension}]] key {key!r} is given twice", where, "E181")
            value = Value(dimension, key, label, entry.get("long_name"),
                          tuple(str(a) for a in entry.get("aliases", [])), order)
            seen = Dimension(dimension, (*seen.values, value))
            values.append(value)
    fixed = data.get("fixed", [])
    if isinstance(fixed, bool):
        fixed = list(DIMENSIONS) if fixed else []
    unknown = set(fixed) - set(DIMENSIONS)
    if unknown:
        raise InputError(f"fixed names {', '.join(sorted(unknown))}; use area, group, format",
                         where, "E181")
    return Profile(str(data.get("name") or text_path.stem), data.get("title"), tuple(values),
                   frozenset(fixed))


def write_profile(study: Study, path: Path, name: str) -> Path:
    """A study as a profile file, read back by `read_profile` (and `qda init --study`)."""
    from .files import atomic_write

    def text(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [f"name = {text(name)}"]
    fixed = [d for d in DIMENSIONS if study[d].fixed]
    if fixed:
        lines.append(f"fixed = [{', '.join(text(d) for d in fixed)}]")
    for dimension in DIMENSIONS:
        for value in study[dimension].values:
            lines += ["", f"[[{dimension}]]", f"key = {text(value.key)}",
                      f"label = {text(value.label)}"]
            if value.long_name:
                lines.append(f"long_name = {text(value.long_name)}")
            if value.aliases:
                lines.append(f"aliases = [{', '.join(text(a) for a in value.aliases)}]")
    data = ("\n".join(lines) + "\n").encode("utf-8")
    return atomic_write(Path(path), lambda tmp: tmp.write_bytes(data))
