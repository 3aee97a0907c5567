"""The question texts above each bilaga 2 table. What the project states wins: qda.toml's
[questions], then the heading the workbook itself gave the question at ingest. The bundled
study's texts are used only in a project that says it is that study ([study] name in
qda.toml); any other question is headed "Fråga N", with a warning."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from corpus.models import Source
from corpus.project import CONFIG_NAME, configured_questions, read_config

# The study this tool was built for (DOMAIN.md), by the name its qda.toml gives.
STUDY = "forstudie"
STUDY_QUESTIONS = {
    1: "Ge exempel på befintliga nyckeltal och indikatorer som du tycker ska ingå i en "
       "länsgemensam uppföljningsmodell.",
    2: "Vilken information saknar du för att kunna följa upp omställningen till god och "
       "nära vård ur ett kvalitets- och kostnadsperspektiv?",
    3: "Ge förslag på nya nyckeltal och indikatorer som du tycker ska ingå i en "
       "länsgemensam uppföljningsmodell.",
}
_MARK = re.compile(r"\bfr[åa]ga\s*\d+\s*[:.)–—-]?\s*", re.IGNORECASE)


@dataclass
class QuestionTexts:
    texts: dict[int, str] = field(default_factory=dict)
    origin: dict[int, str] = field(default_factory=dict)    # "qda.toml", a file, "studien"

    def heading(self, question: int) -> str:
        text = self.texts.get(question)
        return f"Fråga {question}: {text}" if text else f"Fråga {question}"

    def untitled(self, questions: Iterable[int]) -> list[int]:
        """The questions that will be headed "Fråga N" only."""
        return sorted(set(questions) - set(self.texts))

    def warnings(self, questions: Iterable[int]) -> list[str]:
        """One line per question printed without a text."""
        return [f"fråga {q}: no question text in the workbook or in {CONFIG_NAME} "
                f"[questions]; the heading says only 'Fråga {q}'"
                for q in self.untitled(questions)]


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


def configured(root: Path) -> tuple[dict[int, str], bool]:
    """qda.toml's [questions] and whether the project is the bundled study."""
    texts = configured_questions(Path(root))
    study = read_config(Path(root)).get("study", {})
    return texts, isinstance(study, dict) and study.get("name") == STUDY


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


def question_texts(session: Session, root: Path) -> QuestionTexts:
    texts, is_study = configured(root)
    out = QuestionTexts()
    if is_study:
        out.texts.update(STUDY_QUESTIONS)
        out.origin.update(dict.fromkeys(STUDY_QUESTIONS, "studien"))
    for question, (text, name) in from_workbooks(session).items():
        out.texts[question], out.origin[question] = text, name
    for question, text in texts.items():
        if text:
            out.texts[question], out.origin[question] = text, CONFIG_NAME
    return out
