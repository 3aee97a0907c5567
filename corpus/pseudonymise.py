"""Pseudonymisation at ingest: speakers become "Deltagare N"; identifiers become placeholders.

What is replaced, in this order:
- e-mail addresses -> [e-post]
- Swedish personal identity and coordination numbers (checksum-verified) -> [personnummer]
- Swedish phone numbers (0.., +46.., 0046..) -> [telefonnummer]
- known speakers' full names, first names and surnames (also in genitive) -> [Deltagare N]
Names of people who never speak cannot be known without a trained NER model; the
ingest report says what was replaced so a researcher can check.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PERSONNUMMER = re.compile(r"(?<![\d-])(?:19|20)?(\d{2})(\d{2})(\d{2})[-+ ]?(\d{4})(?![\d-])")
PHONE = re.compile(r"(?<![\w+])(?:\+46|0046|0)[ -]?(?:\(0\)[ -]?)?\d{1,3}(?:[ -]?\d){5,8}(?!\d)")

GENERIC_LABEL = re.compile(
    r"^(?:talare|speaker|deltagare|participant|moderator|intervjuare|interviewer|"
    r"facilitator|processledare|okänd|unknown)\b", re.I)

EMAIL_TOKEN = "[e-post]"
PNR_TOKEN = "[personnummer]"
PHONE_TOKEN = "[telefonnummer]"


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _is_personnummer(match: re.Match[str]) -> bool:
    yy, mm, dd, tail = match.groups()
    month, day = int(mm), int(dd)
    if not 1 <= month <= 12:
        return False
    if not (1 <= day <= 31 or 61 <= day <= 91):  # 61-91: samordningsnummer
        return False
    return _luhn_ok(yy + mm + dd + tail)


@dataclass
class Pseudonymiser:
    """One per source: remembers who is who, counts what it replaced."""

    prefix: str = "Deltagare"
    key: dict[str, str] = field(default_factory=dict)  # real label -> pseudonym
    counts: Counter = field(default_factory=Counter)
    _name_pattern: re.Pattern[str] | None = None
    _name_map: dict[str, str] = field(default_factory=dict)

    def speaker(self, label: str | None) -> str | None:
        """The pseudonym for a speaker label, assigned in order of first appearance."""
        if not label:
            return None
        label = " ".join(label.split())
        if label not in self.key:
            self.key[label] = f"{self.prefix} {len(self.key) + 1}"
            self.counts["speakers"] += 1
            self._name_pattern = None
        return self.key[label]

    def text(self, text: str) -> str:
        text, n = EMAIL.subn(EMAIL_TOKEN, text)
        self.counts["emails"] += n
        text = PERSONNUMMER.sub(self._pnr, text)
        text, n = PHONE.subn(PHONE_TOKEN, text)
        self.counts["phone_numbers"] += n
        pattern = self._names()
        if pattern is not None:
            text, n = pattern.subn(lambda m: self._name_map[m.group(1)] + (m.group(2) or ""),
                                   text)
            self.counts["names"] += n
        return text

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
            if GENERIC_LABEL.match(label) or not re.search(r"[A-Za-zÅÄÖåäö]{2}", label):
                continue
            token = f"[{pseudonym}]"
            names.setdefault(label, set()).add(token)
            for part in label.split():
                if len(part) >= 2 and part[0].isupper():
                    names.setdefault(part, set()).add(token)
        if not names:
            return None
        # a first name shared by two speakers cannot say who: it becomes [namn]
        self._name_map = {n: (t.pop() if len(t) == 1 else "[namn]") for n, t in names.items()}
        alternatives = "|".join(re.escape(n) for n in sorted(self._name_map, key=len, reverse=True))
        self._name_pattern = re.compile(rf"(?<![\w\[])({alternatives})(s)?(?!\w)")
        return self._name_pattern
