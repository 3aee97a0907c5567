"""What a personal name looks like in Swedish text, for pseudonymisation: first names from
a per-country name list (the `gender-guesser` package's name dictionary, read as data:
the names with a frequency in Sweden, Norway, Denmark or Finland), surnames by their
Swedish shapes (-son, -berg, -qvist …), and the words that look like names but are places
or everyday words ("Mark", "Vara", "Per månad", "Lunds universitet")."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

# columns of the Nordic countries in gender-guesser's nam_dict.txt (see its header)
_NORDIC_COLUMNS = (46, 47, 48, 49)
_NAME_FIELD = slice(3, 29)

# endings of Swedish (and Nordic) surnames; "-sen" only after a consonant (Hansen, Olsen,
# not "Krisen", "Dosen")
_SURNAME_ENDINGS = re.compile(
    r"[a-zåäöéüè]*(?:s?son|[nrldt]sen|berg|bergh|ström|lund|qvist|kvist|quist|gren|holm|dahl|"
    r"blad|stedt|stam|lén|ander|ius|eus|én|sjö|fors|vall|bäck|strand|löf|löv|borg|gård|nér|"
    r"felt|feldt|hammar|hjelm|krantz|torp|wall|dotter)")
# everyday Swedish words that are also first names or surname parts: never replaced
# alone without a sign that a person is meant
COMMON_WORDS = frozenset([
    "per", "bo", "ek", "lund", "berg", "dal", "holm", "strand", "sten", "lind", "ros", "björk",
    "rut", "maj", "hans", "björn", "gun", "tor", "mats", "viola", "iris", "linnea", "rosa",
    "kim", "stig", "mark", "vall", "ström", "sjö", "bäck", "fors", "sol", "dag", "liv", "alf",
    "love", "lo", "tom", "max", "hall", "hed", "alm", "ask", "gran", "nord", "syd", "öst",
    "väst", "falk", "örn", "svan", "lax", "kvist", "blom", "rask", "frisk", "glad", "lång",
    "fast", "ung", "kung", "bonde", "smed", "skog", "sand", "vik", "ro", "tage", "åke", "klara",
    "inga", "alla", "mina", "lina", "lisa", "saga", "axel", "karl", "bror", "fred", "vilja",
    "nova", "edit", "person", "personen", "dan", "sam", "hel", "frank", "vide", "ulla"
])

# A place-name list: Swedish places whose names are also first names or look like surnames
# (West Sweden's municipalities, regions and town districts, and the large towns), never
# masked as a person's name. Only the pseudonymiser reads it; no table, column or study is
# built from it: a study's own areas reach the pseudonymiser from its project at run time
# (`corpus.pseudonymise`, `Pseudonymiser(places=…)`), whatever the region.
PLACES = frozenset([
    "Ale", "Alingsås", "Bengtsfors", "Bollebygd", "Borås", "Dals-Ed", "Essunga", "Falköping",
    "Färgelanda", "Grästorp", "Gullspång", "Göteborg", "Götene", "Herrljunga", "Hjo", "Härryda",
    "Karlsborg", "Kungälv", "Lerum", "Lidköping", "Lysekil", "Mariestad", "Mark", "Mellerud",
    "Munkedal", "Mölndal", "Orust", "Partille", "Skara", "Skövde", "Sotenäs", "Stenungsund",
    "Strömstad", "Svenljunga", "Tanum", "Tibro", "Tidaholm", "Tjörn", "Tranemo", "Trollhättan",
    "Töreboda", "Uddevalla", "Ulricehamn", "Vara", "Vårgårda", "Vänersborg", "Åmål", "Öckerö",
    "Stockholm", "Malmö", "Lund", "Uppsala", "Linköping", "Örebro", "Västerås", "Helsingborg",
    "Jönköping", "Norrköping", "Umeå", "Gävle", "Växjö", "Halmstad", "Karlstad", "Sundsvall",
    "Luleå", "Kalmar", "Kristianstad", "Skaraborg", "Fyrbodal", "Sjuhärad", "Dalsland",
    "Bohuslän", "Halland", "Sahlgrenska", "Östra", "Kungälvs", "Angered", "Hisingen",
    "Frölunda", "Kville", "Majorna", "Sverige", "Norge", "Danmark", "Finland", "Europa"
])


@cache
def _name_lists() -> tuple[frozenset[str], frozenset[str]]:
    """(Nordic first names, first names of every country in the dictionary). Read in bulk
    (joined fields, one split): every ingest pays for this once, line-by-line parsing cost
    0.3 s."""
    text = (resources.files("gender_guesser") / "data" / "nam_dict.txt").read_text(
        encoding="utf-8")
    rows = [line for line in text.splitlines()
            if len(line) > max(_NORDIC_COLUMNS) and not line.startswith("#")]
    nordic_cols = slice(min(_NORDIC_COLUMNS), max(_NORDIC_COLUMNS) + 1)

    def names(fields: list[str]) -> frozenset[str]:
        words = set(" ".join(fields).replace("+", " ").split())
        return frozenset(w for w in words if len(w) >= 2 and w[0].isupper()) - PLACES

    return (names([r[_NAME_FIELD] for r in rows if not r[nordic_cols].isspace()]),
            names([r[_NAME_FIELD] for r in rows]))


def first_names() -> frozenset[str]:
    """First names used in the Nordic countries, as written (capitalised)."""
    return _name_lists()[0]


def is_first_name(word: str, anywhere: bool = False) -> bool:
    """A Nordic first name; with `anywhere`, a first name of any country (safe only where
    a capital letter already says "name", inside a sentence). A double name is one when
    both its parts are ("Anna-Lena", "Per-Olof": the name list has only the parts)."""
    names = _name_lists()[1 if anywhere else 0]
    if word in names:
        return True
    first, dash, second = word.partition("-")
    return bool(dash) and first in names and second in names and word not in PLACES


def looks_like_surname(word: str) -> bool:
    folded = word.casefold()
    # compounds of everyday nouns ("Kontaktperson", "Patientström"); a long patronymic
    # (Christoffersson) is still a surname
    if folded.endswith("person") or (len(folded) >= 12 and not folded.endswith("sson")):
        return False
    return (len(word) >= 3 and word[0].isupper() and word[1:].islower()
            and bool(_SURNAME_ENDINGS.fullmatch(word.lower())) and word not in PLACES
            and not is_common_word(word))


# endings of Swedish nouns in the definite form and of organisations ("Trafikverket",
# "Kommunen", "Närhälsan", "Politikerna"): a capitalised word ending so is rarely a name
NOT_NAME_ENDINGS = ("en", "et", "an", "na", "ing", "het", "tion", "skap", "ism", "kommun",
                    "region", "stad", "län", "rådet", "bolag")


# letters of English words, rare in Swedish and Finnish names ("Health", "Care", "Survey")
_FOREIGN = re.compile(r"th|w|ph|ou|ea|ee|oo|c(?![hk])")
# the first word of many place names ("Västra Götaland", "Nya Varvet"): never a first name
PLACE_PREFIXES = frozenset(["norra", "södra", "östra", "västra", "mellersta", "nordöstra",
                            "nordvästra", "sydöstra", "sydvästra", "nya", "gamla", "stora",
                            "lilla", "övre", "nedre", "inre", "yttre", "sankt", "s:t"])


@cache
def _lexicon() -> frozenset[str]:
    """Swedish word forms and lemmas of spacy-lookups-data's lemma table (about 740,000):
    a capitalised word found here is an everyday word ("Region", "Personal") before it is
    a name. Read only when a word not in the name lists stands where a name could."""
    import gzip
    import json

    path = resources.files("spacy_lookups_data") / "data" / "sv_lemma_lookup.json.gz"
    with gzip.open(str(path), "rt", encoding="utf-8") as handle:
        table = json.load(handle)
    return frozenset(table) | frozenset(table.values())


def could_be_name(word: str) -> bool:
    """A capitalised word that no list knows but that has a name's shape: not an
    everyday word, a place or a Swedish word of the lexicon, no definite or organisation
    ending, and as short as names are ("Kjelle", "Mäkitalo"; not "Trafikverket")."""
    folded = word.casefold()
    return (3 <= len(word) <= 12 and not _FOREIGN.search(folded) and word[0].isupper()
            and word[1:].replace("-", "").islower() and not folded.endswith(NOT_NAME_ENDINGS)
            and word not in PLACES and not is_common_word(word) and folded not in _lexicon())


def is_unlisted(word: str) -> bool:
    """A capitalised word that is neither an everyday word nor a place nor in a name list:
    what `could_be_name` then looks at, and what a lead is asked about."""
    return not (is_common_word(word) or word in PLACES or is_first_name(word, anywhere=True)
                or looks_like_surname(word))


@cache
def _stop_words() -> frozenset[str]:
    from spacy.lang.sv.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def is_common_word(word: str) -> bool:
    """An everyday word when written in lower case ("Per månad", "Inga förslag")."""
    folded = word.casefold()
    return folded in COMMON_WORDS or folded in _stop_words()
