"""The questions' own words as the project states them: qda.toml's [questions] (in
`corpus.project`) and the headings its workbooks gave them at ingest. Read by the readers
(a Fråga column or a column heading holding a question's words) and by the exports'
headings (`themes.questions`)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Source

_MARK = re.compile(r"\bfr[åa]ga\s*\d+\s*[:.)–—-]?\s*", re.IGNORECASE)


def stripped(heading: str) -> str:
    """The question itself: 'Fråga 1: Vad fungerar bra?' -> 'Vad fungerar bra?'; what
    stands before the mark is the sheet's title ('Workshop om klimat – Fråga 1: Vilka
    risker …?' -> 'Vilka risker …?') unless the question comes first ('Vad fungerar bra?
    (fråga 1)')."""
    heading = " ".join(str(heading).split())
    mark = _MARK.search(heading)
    if mark is None:
        return heading.strip()
    after = heading[mark.end():].strip()
    if re.search(r"[^\W\d_]", after):
        return after
    return heading[:mark.start()].strip(" \t(–—-:;,")


def from_workbooks(session: Session) -> dict[int, tuple[str, str]]:
    """question -> (text, file) from the sheet headings ingest stored; the first file
    imported that states a question wins."""
    found: dict[int, tuple[str, str]] = {}
    for name, report in session.execute(select(Source.original_name, Source.report)
                                        .order_by(Source.id)):
        for sheet in (report or {}).get("sheets", []):
            question, heading = sheet.get("question"), sheet.get("question_text")
            stated = [(question, heading)] if heading else []
            # a Fråga column's cells, where they say more than the number
            stated += list((sheet.get("question_texts") or {}).items())
            for asked, words in stated:
                text = stripped(words) if words else ""
                if asked is not None and text and int(asked) not in found:
                    found[int(asked)] = (text, name)
    return found


def known_texts(session: Session, configured: dict[int, str]) -> dict[int, str]:
    """Question -> its words, for the readers: qda.toml's [questions] over the headings
    earlier workbooks gave ("Fråga 1: Vad fungerar …?" teaches question 1's words)."""
    return {**{q: text for q, (text, _) in from_workbooks(session).items()}, **configured}
