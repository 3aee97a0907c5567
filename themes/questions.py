"""The question texts above each bilaga 2 table. What the project states wins: qda.toml's
[questions], then the heading the workbook itself gave the question at ingest. The bundled
study's texts are used only in a project that says it is that study ([study] name in
qda.toml); any other question is headed "Fråga N", with a warning."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from corpus.project import CONFIG_NAME, configured_questions, read_config
from corpus.question_texts import from_workbooks

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


def configured(root: Path) -> tuple[dict[int, str], bool]:
    """qda.toml's [questions] and whether the project is the bundled study."""
    texts = configured_questions(Path(root))
    study = read_config(Path(root)).get("study", {})
    return texts, isinstance(study, dict) and study.get("name") == STUDY


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
