"""Pseudonymisation at ingest: speakers become "Deltagare N"; identifiers become placeholders.

What is replaced, in this order:
- e-mail addresses -> [e-post]
- Swedish personal identity and coordination numbers by shape and date, whatever the
  checksum (a mistyped or misheard number is still personal data) -> [personnummer]
- Swedish phone numbers (0.., +46.., 0046..) -> [telefonnummer]
- known speakers' full names, first names and surnames (also in genitive) -> [Deltagare N]
- other people's names -> [namn]: a self-introduction ("jag heter …", "… heter jag"), a
  name after a word that points at a person ("ring", "prata med", "enligt" …), a Nordic
  first name (corpus.names, double names such as "Anna-Lena" too) with or without a
  surname (a noble one with its particle: "von Essen", "af Klercker"), a word of Swedish
  surname shape; after "jag heter" also a first name typed in lower case.
A name part that is also an everyday word or a place ("Per månad", "Lunds universitet")
is never replaced alone: it goes on the source's list of suspects, which a lead masks or
keeps (coding.suspects).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from . import names as known

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PERSONNUMMER = re.compile(
    r"(?<![\d-])(19|20)?(\d{2})(\d{2})(\d{2})([-+ ]?)(\d{4})(?![\d-])")
PHONE = re.compile(r"(?<![\w+])(?:\+46|0046|0)[ -]?(?:\(0\)[ -]?)?\d{1,3}(?:[ -]?\d){5,8}(?!\d)")

GENERIC_LABEL = re.compile(
    r"^(?:talare|speaker|deltagare|participant|moderator|intervjuare|interviewer|"
    r"facilitator|processledare|okänd|unknown)\b", re.I)

# every personnummer and phone number holds six digits with at most a space or dash between
_SIX_SPACED = re.compile(r"\d(?:[ -]?\d){5}")
_SIX_DIGITS = re.compile(r"\d{6}")       # a personnummer has its date's six in a row
EMAIL_TOKEN = "[e-post]"
PNR_TOKEN = "[personnummer]"
PHONE_TOKEN = "[telefonnummer]"
NAME_TOKEN = "[namn]"
# what pseudonymisation leaves in a text: a mark, not a word of what was said ("[namn]",
# "[Deltagare 3]"); the suggestions and the merge proposals read past it
MARK = re.compile(r"\[(?:namn|e-post|telefonnummer|personnummer|[A-ZÅÄÖ][a-zåäö]{1,20} \d{1,3})\]")

_CAP, _LOWER = "[A-ZÅÄÖÉÜ]", "[a-zåäöéüèø]+"
# the capital first, its lookbehind after it: a pattern that starts with a character class
# lets the regex engine skip to the next capital (far faster than a leading lookbehind:
# BENCHMARKS.md)
CAPITALISED = re.compile(rf"({_CAP}(?<![\w\[-].){_LOWER}(?:-{_CAP}{_LOWER})?)(?![\w\]-])")
# words right before a name that say a person is meant
POINTER_PHRASES = (
    "jag heter", "heter", "mitt namn är", "ring", "ringa", "ringer", "ringde", "prata med",
    "pratade med", "pratar med", "kontakta", "kontaktade", "kontakt med", "fråga", "frågade",
    "frågar", "mejla", "maila", "mejlade", "mailade", "skriv till", "enligt", "hälsa",
    "hälsningar", "träffade", "träffa", "kollegan", "kollega", "chefen", "handläggaren",
    "sjuksköterskan", "undersköterskan", "läkaren", "doktor", "dr.", "dr", "samordnaren",
    "biståndshandläggaren", "kuratorn", "brukaren", "patienten", "anhöriga", "dottern", "sonen",
    "mamma", "pappa", "fru", "herr", "hon heter", "han heter", "hen heter")
POINTERS = re.compile(
    r"(?:\b(?:" + "|".join(map(re.escape, POINTER_PHRASES)) + r")[ \t]+)$", re.I)
# the words a pointer or NAMING can end on: a cheap test before the regexes
_POINTER_ENDINGS = tuple(sorted({p.split()[-1] for p in POINTER_PHRASES}))
_POINTER_WORDS = frozenset(word for p in POINTER_PHRASES for word in p.split())
SELF_AFTER = re.compile(r"^[ \t]+heter jag\b", re.I)
# a first name typed in lower case after a self-introduction ("jag heter anna")
SELF_NAMED_LOWER = re.compile(
    r"(\b(?:(?:jag|hon|han|hen) heter|mitt namn är)[ \t]+)([a-zåäöéü]+(?:-[a-zåäöéü]+)?)"
    r"(?:[ \t]+([a-zåäöéü]+))?\b", re.I)
# a surname with a particle after a first name: "von Essen", "af Klercker", "De Geer"
NOBLE_SURNAME = re.compile(
    rf"[ \t]+(?:von der|van der|de la|von|af|de|van)[ \t]+({_CAP}{_LOWER})(?![\w\]-])")
# words after which any capitalised word is a name
NAMING = re.compile(r"\b(?:jag heter|heter|mitt namn är)[ \t]+$", re.I)
# what follows a person's name at the start of a sentence ("Per sa att …")
PERSON_VERB = re.compile(r"^[ \t]+(?:sa|säger|sade|tycker|tyckte|menar|menade|berättade|"
                         r"berättar|frågade|frågar|svarade|svarar|jobbar|arbetar|har sagt|"
                         r"håller med|skrev|skriver|ringde|tog|undrade|föreslog|nämnde)\b")
_STOPS = ".!?:;–\n\"”»("
SENTENCE_START = re.compile(rf"(?:^|[{_STOPS}]\s*)$")
# a transcript's time before a word ("[00:01:30] Sen tror jag"): the word starts a turn
TIME_BEFORE = re.compile(r"[(\[]?(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?[)\]]?\s*$")
# speaker labels that name no one ("Deltagare 3", "Person 2", "Moderator"): kept as they
# are, so a unit can be checked against the recording
PSEUDONYM_LABEL = re.compile(
    r"^(?:(?:deltagare|person|participant|respondent|informant)\s+\d{1,3}|"
    r"(?:moderator|intervjuare|interviewer|facilitator|processledare|samtalsledare)"
    r"(?:\s+\d{1,3})?)$", re.I)
# a word no list knows before "sa", "tycker" at the start of a sentence is taken for a
# name only when as short as most first names ("Kjelle sa"; not "Exempelvis skriver")
SHORT_NAME = 8
_LOOKBACK = 80      # characters before a word that pointers and sentence starts are read in


def _pointed(before: str, after: str) -> tuple[bool, bool]:
    """(named: "jag heter …", pointed at: "ring …", "enligt …"). The regexes run only when
    the window ends on one of their words (most words follow none)."""
    window = before[:-1] if before.endswith("\n") else before    # "$" matches before a \n
    stripped = window.rstrip(" \t")
    hit = len(stripped) < len(window) and stripped[-24:].lower().endswith(_POINTER_ENDINGS)
    naming = bool(hit and NAMING.search(before) or SELF_AFTER.match(after))
    return naming, naming or bool(hit and POINTERS.search(before))


_CAPITAL_NEXT = re.compile(r"[ \t]+[A-ZÅÄÖÉÜ]")
_HETER_AFTER = re.compile(r"[ \t]+heter", re.I)


def _maybe_pointed(text: str, start: int, end: int) -> bool:
    """False only where `_pointed` must say "not pointed at" for the word at start:end, read
    from the text itself without cutting out its windows: after the word no "heter", and
    before it no blank after a word (every pointer ends on a letter, or is "dr."). Most
    capitalised words start a sentence, after ". ", and are passed over here."""
    if _HETER_AFTER.match(text, end):
        return True
    k = start - 1
    if k >= 0 and text[k] == "\n":             # `_pointed` drops one newline first
        k -= 1
    if k < 0 or text[k] not in " \t":
        return False
    while k >= 0 and text[k] in " \t":
        k -= 1
    if k < 0:
        return False
    return text[k].isalpha() or (text[k] == "." and text[max(0, k - 2):k].lower() == "dr")


def _at_start(before: str) -> bool:
    """Whether a word starts a sentence, from the window before it; the regex runs only
    where it can match (nothing, or a stop and whitespace, before the word)."""
    stripped = before.rstrip()
    if stripped and stripped[-1] not in _STOPS and "\n" not in before[len(stripped):]:
        # a time in the text marks where someone starts talking
        return stripped[-1] in ")]0123456789" and bool(TIME_BEFORE.search(before))
    return bool(SENTENCE_START.search(before))


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _valid_date(mm: str, dd: str) -> bool:
    month, day = int(mm), int(dd)
    if day > 60:                                  # samordningsnummer: day + 60
        day -= 60
    return 1 <= month <= 12 and 1 <= day <= 31


def _is_personnummer(match: re.Match[str]) -> bool:
    """By shape and date: a separator or a century makes the date enough; ten bare digits
    (which phone numbers also are) must pass the checksum too."""
    century, yy, mm, dd, sep, tail = match.groups()
    if not _valid_date(mm, dd):
        return False
    return bool(sep or century) or _luhn_ok(yy + mm + dd + tail)


# after "Finns", "Hoppas", "Syns" (verbs, not genitives) comes a pronoun or a particle
_NOT_AFTER_GENITIVE = re.compile(
    r"^[ \t]+(?:det|den|de|dem|ni|vi|jag|du|han|hon|hen|man|inte|också|här|där|något|"
    r"några|någon|att|som|en|ett|så|nu|ju|väl|i|på|för|till|med|av|om)\b", re.I)


def _genitive(word: str, after: str = "") -> tuple[str, str]:
    """'Annas förslag' -> ('Anna', 's') when the word without its s is a known first name
    or has a surname's shape, and what follows is not a pronoun ("Finns det");
    else the word as it is."""
    if len(word) > 3 and word.endswith("s") and not known.is_first_name(word) \
            and not _NOT_AFTER_GENITIVE.match(after):
        stem = word[:-1]
        if known.is_first_name(stem) or known.looks_like_surname(stem) \
                or stem in known.PLACES:
            return stem, "s"
    return word, ""


@lru_cache(maxsize=1 << 16)
def _needs_pointer(word: str) -> bool:
    """Whether a capitalised word (not a speaker's name part) can be a name only after a
    pointer ("ring", "enligt") or "jag heter": true for most capitalised words ("Det",
    "Socialstyrelsen"), which are then let through after one cheap look at the window
    before them instead of every name test. Exactly what `_others` decides: such a word
    is neither a first name, a surname's shape, a place nor a genitive of one, so
    `_full_name` and `_alone` can only say yes when `_pointed` does."""
    if known.is_first_name(word, anywhere=True) or word in known.PLACES \
            or word.casefold() in known.COMMON_WORDS or known.looks_like_surname(word):
        return False
    if len(word) > 3 and word.endswith("s"):
        stem = word[:-1]
        if known.is_first_name(stem) or known.looks_like_surname(stem) \
                or stem in known.PLACES:
            return False
    return True


def _maybe_unlisted(word: str, beside: bool, text: str, end: int) -> bool:
    """Whether `Pseudonymiser._unlisted` may act on a word `_needs_pointer` would let
    through: not an everyday word, and a capitalised word right after it or what a
    person does ("sa", "tycker") after it (which starts with a blank)."""
    if not beside and text[end:end + 1] not in (" ", "\t"):
        return False
    return not known.is_common_word(word) and (
        beside or bool(PERSON_VERB.match(text[end:end + _LOOKBACK])))


def _continues_name(word: str) -> bool:
    """A capitalised word right after a masked name that is one more part of it: a
    surname's shape or a name no list knows ("Jouni Rasmus Labba"), not a place or an
    everyday word ("Anna Berg Kommunen")."""
    if word in known.PLACES or known.is_common_word(word):
        return False
    return known.looks_like_surname(word) or known.is_first_name(word) or (
        known.is_unlisted(word) and known.could_be_name(word))


def _in_run(text: str, words: list[re.Match[str]], i: int, beside: bool) -> bool:
    """Whether word i is one of three capitalised words in a row: a title or an
    organisation ("Origo Group AB", "International Health Policy Survey"), not a person.
    A pointer or an everyday word before it ("Kontakta Kjelle Mäkitalo") does not count."""
    if beside and i + 1 < len(words) and _CAPITAL_NEXT.match(text, words[i + 1].end()):
        return True
    if i == 0 or text[words[i - 1].end():words[i].start()] not in (" ", "\t"):
        return False
    before = words[i - 1].group(1)
    return before.casefold() not in _POINTER_WORDS and not known.is_common_word(before)


def place_words(labels: Iterable[str | None]) -> frozenset[str]:
    """The capitalised words of area labels ("Norra Halland" -> Norra, Halland): what
    `Pseudonymiser.places` holds."""
    return frozenset(word for label in labels if label for word in label.split()
                     if len(word) >= 2 and word[0].isupper())


@dataclass
class Pseudonymiser:
    """One per source: remembers who is who, counts what it replaced."""

    prefix: str = "Deltagare"
    key: dict[str, str] = field(default_factory=dict)  # real label -> pseudonym
    reserved: set[str] = field(default_factory=set)    # pseudonyms a label already holds
    # labels that name a participant group and no one ("Politiker 2"): kept as they are,
    # like "Deltagare 3", and never a name to look for in the text (`corpus.speakers`)
    no_one: set[str] = field(default_factory=set)
    counts: Counter = field(default_factory=Counter)
    # words that may be a name but were left as they are: word -> (times, an example)
    suspects: dict[str, list] = field(default_factory=dict)
    _name_pattern: re.Pattern[str] | None = None
    _name_map: dict[str, str] = field(default_factory=dict)
    # parts of speakers' names that are everyday words or places ("Per", "Lund"): their
    # tokens, used only where the word cannot be the everyday word
    _speaker_parts: dict[str, str] = field(default_factory=dict)
    # the study's own places (its areas, as the project and the file write them): never a
    # person's name on their own, wherever `names.PLACES` does not reach ("Laholm" has a
    # surname's shape); after a first name ("Anna Laholm") still a surname
    places: frozenset[str] = frozenset()

    def speaker(self, label: str | None) -> str | None:
        """The pseudonym for a speaker label, assigned in order of first appearance."""
        if not label:
            return None
        label = " ".join(label.split())
        if label not in self.key:
            if PSEUDONYM_LABEL.match(label) or label in self.no_one:
                self.key[label] = label     # names no one: as in the recording
                return label
            taken = set(self.key.values()) | self.reserved
            n = self.counts["speakers"] + 1
            while f"{self.prefix} {n}" in taken:
                n += 1
            self.key[label] = f"{self.prefix} {n}"
            self.counts["speakers"] += 1
            self._name_pattern = None
        return self.key[label]

    def reserve(self, labels: Iterable[str | None]) -> None:
        """Labels of a source that are already pseudonyms ("Deltagare 3"): no real name
        is given their pseudonym, whoever speaks first."""
        self.reserved |= {" ".join(label.split()) for label in labels
                          if label and PSEUDONYM_LABEL.match(" ".join(label.split()))}

    def text(self, text: str) -> str:
        # each pattern only where it can match: most turns hold no "@" and no digits
        if "@" in text:
            text, n = EMAIL.subn(EMAIL_TOKEN, text)
            self.counts["emails"] += n
        if _SIX_SPACED.search(text):
            if _SIX_DIGITS.search(text):
                text = PERSONNUMMER.sub(self._pnr, text)
            text, n = PHONE.subn(PHONE_TOKEN, text)
            self.counts["phone_numbers"] += n
        pattern = self._names()
        if pattern is not None:
            text, n = pattern.subn(lambda m: self._name_map[m.group(1)] + (m.group(2) or ""),
                                   text)
            self.counts["names"] += n
        if "heter" in text or "namn är" in text:
            text = SELF_NAMED_LOWER.sub(self._lower_name, text)
        return self._others(text)

    def _lower_name(self, match: re.Match[str]) -> str:
        """"jag heter anna": a name typed in lower case, known as a first name."""
        word, surname = match.group(2), match.group(3)
        written = "-".join(part.capitalize() for part in word.split("-"))
        if word[0].isupper() or not known.is_first_name(written):
            return match.group(0)
        self.counts["other_names"] += 1
        if surname and known.looks_like_surname(surname.capitalize()):
            return match.group(1) + NAME_TOKEN
        return match.group(1) + NAME_TOKEN + (f" {surname}" if surname else "")

    def _others(self, text: str) -> str:
        """Names of people who are not speakers: a capitalised word (with the next, when
        the two make a first name and a surname) that a self-introduction, a name list or a
        surname's shape says is a person. Only a window around each word is read, so a
        long turn stays linear."""
        words = list(CAPITALISED.finditer(text))
        out, cursor = [], 0
        name_end = -1                     # where the last [namn] ended
        for i, match in enumerate(words):
            if match.start() < cursor:    # the surname of a name already replaced
                continue
            start, end = match.span()
            if cursor == name_end and text[cursor:start] in (" ", "\t") \
                    and match.group(1) not in self.places and _continues_name(match.group(1)):
                cursor = name_end = end   # "Jouni Rasmus Labba": the third part goes too
                continue
            following = words[i + 1] if i + 1 < len(words) else None
            beside = following is not None and text[end:following.start()] in (" ", "\t")
            if match.group(1) not in self._speaker_parts and _needs_pointer(match.group(1)) \
                    and not _maybe_pointed(text, start, end) \
                    and not _maybe_unlisted(match.group(1), beside, text, end):
                continue                  # as below, without cutting out the windows
            after = text[end:end + _LOOKBACK]
            before = text[max(0, start - _LOOKBACK):start]
            if start > _LOOKBACK:
                before = "\0" + before           # not the start of the text
            naming, pointed = _pointed(before, after)
            if not pointed and match.group(1) not in self._speaker_parts \
                    and _needs_pointer(match.group(1)) \
                    and not _maybe_unlisted(match.group(1), beside, text, end):
                continue
            word, genitive = _genitive(match.group(1), after)
            if (word in self.places or match.group(1) in self.places) and not naming \
                    and word not in self._speaker_parts:
                continue
            at_start = _at_start(before)
            replacement = None
            if following is not None and not genitive and beside:
                second, second_genitive = _genitive(
                    following.group(1), text[following.end():following.end() + _LOOKBACK])
                if self._full_name(word, second, naming, at_start):
                    self.counts["other_names"] += 1
                    end = following.end()
                    replacement = NAME_TOKEN + second_genitive
            if replacement is None and word in self._speaker_parts:
                if word in known.PLACES or at_start:        # "Lund", "Per månad": ask
                    self._suspect(word, before, text[start:start + _LOOKBACK])
                else:                   # capitalised mid-sentence: the speaker, not a word
                    self.counts["names"] += 1
                    replacement = self._speaker_parts[word] + genitive
            elif replacement is None and self._alone(word, at_start, naming, pointed, after,
                                                     bool(genitive)):
                self.counts["other_names"] += 1
                replacement = NAME_TOKEN + genitive
            if replacement is None and not genitive and word not in self._speaker_parts \
                    and known.is_unlisted(word) and not _in_run(text, words, i, beside):
                neighbour = following.group(1) if following is not None and beside and \
                    following.group(1) not in self.places else None
                taken = self._unlisted(word, neighbour, pointed, at_start, after)
                if taken:
                    self.counts["other_names"] += 1
                    replacement = NAME_TOKEN
                    if taken == 2:
                        assert following is not None        # `neighbour` is its word
                        end = following.end()
                elif taken is None:
                    self._suspect(f"{word} {neighbour}" if neighbour else word, before,
                                  text[start:start + _LOOKBACK])
            if replacement is not None:
                if replacement.startswith(NAME_TOKEN) and not replacement.endswith("s"):
                    # "Maria von Essen", "Carl af Klercker": the noble surname goes too
                    particle = NOBLE_SURNAME.match(text, end)
                    if particle:
                        noble_s = particle.group(1).endswith("s") and not \
                            known.looks_like_surname(particle.group(1))
                        end = particle.end()
                        replacement = NAME_TOKEN + ("s" if noble_s else "")
                out += [text[cursor:start], replacement]
                cursor = end
                name_end = end if replacement == NAME_TOKEN else -1
        out.append(text[cursor:])
        return "".join(out)

    def _unlisted(self, word: str, second: str | None, pointed: bool, at_start: bool,
                  after: str) -> int | None:
        """A capitalised word no list knows (a rare first name, "Kjelle"; a Finnish
        surname, "Mäkitalo"): how many words to mask (2 with the word after it, 1, or 0:
        leave it), or None: left, but a lead is asked (a Swedish word that is also a name,
        "Tindra", where a name stands). A name's place: before a surname ("Tindra
        Lundgren"), beside another such word, after a pointer ("ring Kjelle") or before
        what a person does ("Kjelle sa", "som Niemi sa")."""
        folded = word.casefold()
        if folded.endswith(known.NOT_NAME_ENDINGS) or folded in _POINTER_WORDS \
                or folded in known.PLACE_PREFIXES:
            return 0
        if second is not None and known.looks_like_surname(second):
            return 2
        if second is not None and known.is_unlisted(second) and known.could_be_name(second):
            # a Swedish word capitalised inside a sentence is a name too ("med Tindra
            # Mäkitalo"); at the start of one it may be the sentence's first word
            return 2 if known.could_be_name(word) or not at_start else None
        # inside a sentence the capital letter already says "name"
        if pointed or ((not at_start or len(word) <= SHORT_NAME) and PERSON_VERB.match(after)):
            if known.could_be_name(word):
                return 1
            return None if pointed else 0
        return 0

    def _full_name(self, first: str, second: str, naming: bool, at_start: bool) -> bool:
        """A first name and a capitalised word after it: a person ("Malin Lund"), unless
        the second is an everyday word ("Anna Och"); any two capitalised words only after
        "jag heter" and the like."""
        if known.is_common_word(second) and not known.looks_like_surname(second) \
                and second.casefold() not in known.COMMON_WORDS:
            return False
        if first in known.PLACES or first in self._speaker_parts:
            return False
        if known.is_first_name(first, anywhere=not at_start):
            return not (at_start and known.is_common_word(first)) or second not in known.PLACES
        return naming and not known.is_common_word(first)

    def _alone(self, word: str, at_start: bool, naming: bool, pointed: bool,
               after: str = "", genitive: bool = False) -> bool:
        """Whether a single capitalised word is a name to replace. A word after "ring",
        "enligt" … may be an organisation ("enligt Socialstyrelsen"): it must look like a
        name; after "jag heter" any word is one."""
        if word in known.PLACES:
            return False
        if known.is_common_word(word):
            if at_start:      # "Per månad", "Inga förslag" - but "Per sa att …", "Pers idé"
                return known.is_first_name(word) and (genitive
                                                      or bool(PERSON_VERB.match(after)))
            # capitalised inside a sentence an everyday word is a name ("som Berg sa")
            return pointed or known.is_first_name(word) \
                or word.casefold() in known.COMMON_WORDS
        return naming or known.is_first_name(word, anywhere=not at_start) \
            or known.looks_like_surname(word)

    def _suspect(self, word: str, before: str, rest: str) -> None:
        """Count a suspect; keep its first context, a few words either side."""
        entry = self.suspects.setdefault(word, [0, ""])
        entry[0] += 1
        if not entry[1]:
            head = " ".join(before.split()[-6:])
            tail = " ".join(rest.split()[:7])
            entry[1] = f"{head} {tail}".strip()

    def _pnr(self, match: re.Match[str]) -> str:
        if _is_personnummer(match):
            self.counts["personal_numbers"] += 1
            return PNR_TOKEN
        return match.group(0)

    def _names(self) -> re.Pattern[str] | None:
        """A pattern for every known personal name: full name, then its parts."""
        if self._name_pattern is not None or not self.key:
            return self._name_pattern
        names: dict[str, set[str]] = {}
        for label, pseudonym in self.key.items():
            if GENERIC_LABEL.match(label) or PSEUDONYM_LABEL.match(label) \
                    or label in self.no_one or not re.search(r"[A-Za-zÅÄÖåäö]{2}", label):
                continue
            token = f"[{pseudonym}]"
            names.setdefault(label, set()).add(token)
            for part in label.split():
                if len(part) < 2 or not part[0].isupper():
                    continue
                if len(label.split()) > 1 and (known.is_common_word(part)
                                               or part in known.PLACES):
                    other = self._speaker_parts.get(part)
                    self._speaker_parts[part] = token if other in (None, token) else "[namn]"
                    continue
                names.setdefault(part, set()).add(token)
        if not names:
            return None
        # a first name shared by two speakers cannot say who: it becomes [namn]
        self._name_map = {n: (t.pop() if len(t) == 1 else "[namn]") for n, t in names.items()}
        alternatives = "|".join(re.escape(n) for n in sorted(self._name_map, key=len, reverse=True))
        self._name_pattern = re.compile(rf"(?<![\w\[])({alternatives})(s)?(?!\w)")
        return self._name_pattern
