"""What an import tells about a file, as coded messages: each note has a code (N…), an
English text (the CLI's and the stored report's) and a Swedish one (the app's), in one
registry beside the error registry (corpus.errors), so that no note reaches the app in
English and the Swedish text never has to be guessed back from the English one.

A note is a `Notice`: a str (its English text, so reports, JSON and the CLI use it as
before) that keeps its code and values for the Swedish text.
"""

from __future__ import annotations

from typing import Any

# code -> (English, Swedish); str.format fields from the notice's values. The Swedish
# text may use {area_label} (the app fills it in with the area's name)
NOTES: dict[str, tuple[str, str]] = {
    # ingest (corpus.ingest)
    "N101": ("area {area!r} guessed from the file name",
             "området {area_label} gissades ur filnamnet"),
    "N102": ("no area known: quotes cannot name the area (give --area or --workshop)",
             "inget område känt: citat kan inte ange område (välj område eller workshop)"),
    "N103": ("a different file named {name} is already source {ids}; both are counted now "
             "(use --replace to replace it)",
             "en annan fil med namnet {name} finns redan som källa {ids}; båda räknas nu "
             "(importera med ersätt för att byta ut den)"),
    "N104": ("replaced source {source}: {coder}'s {status} coding {code_name!r} on a unit that "
             "changed or went: {text!r}",
             "källa {source} ersattes: {coder}s kodning ”{code_name}” fanns på en enhet som "
             "ändrats eller tagits bort: ”{text}”"),
    "N105": ("replaced source {source}: the report's {what} on a unit that changed or "
             "went: {text!r}",
             "källa {source} ersattes: {what_sv} fanns på en enhet som ändrats "
             "eller tagits bort: ”{text}”"),
    # transcripts (corpus.readers.transcripts)
    "N110": ("no speaker lines recognised: the text is one turn",
             "inga talarrader kändes igen: texten blev en enda taltur"),
    # speakers' participant groups (corpus.speakers)
    "N111": ("the speaker list {name} names speakers who do not speak in this transcript "
             "(row numbers: {rows}); their groups were not used here",
             "talarlistan {name} tar upp talare som inte talar i detta transkript "
             "(radnummer: {rows}); deras grupper användes inte här"),
    "N112": ("{n} speaker label(s) carry a note in parentheses that names no participant "
             "group of the project; add the group (`qda study add group`) or give a speaker "
             "list to give their turns one",
             "{n} talaretiketter har en anmärkning inom parentes som inte är någon av "
             "projektets deltagargrupper; lägg till gruppen under Områden och grupper eller "
             "ladda upp en talarlista för att ge deras repliker en grupp"),
    "N113": ("turns per question, from its 'Fråga N' lines (question: turns): "
             "{per_question}",
             "talturer per fråga enligt raderna 'Fråga N' (fråga: talturer): "
             "{per_question}"),
    "N114": ("turns per question, from its 'Fråga N' lines (question: turns): "
             "{per_question}; {before} turn(s) before the first have none",
             "talturer per fråga enligt raderna 'Fråga N' (fråga: talturer): "
             "{per_question}; {before} taltur(er) före den första har ingen"),
    # workbooks (corpus.readers.sheets): one note per kind and sheet, naming the cells
    "N120": ("sheet {sheet!r}, {cells}: a duplicate mark with no note",
             "bladet {sheet}, {cells}: dubblettmarkering utan lapp"),
    "N121": ("sheet {sheet!r}, {cells}: outside the area columns",
             "bladet {sheet}, {cells}: utanför områdeskolumnerna"),
    "N122": ("sheet {sheet!r}, {cells}: outside the columns ({values})",
             "bladet {sheet}, {cells}: utanför kolumnerna ({values})"),
    "N123": ("sheet {sheet!r}, {cells}: the note held a {delimiter!r} without quotes; its "
             "parts were joined",
             "bladet {sheet}, {cells}: lappen innehöll ”{delimiter}” utan citattecken; "
             "delarna fogades ihop"),
    "N124": ("sheet {sheet!r} is named for the participant group {group}: its {n} note(s) "
             "without a group of their own have it",
             "bladet {sheet} heter som deltagargruppen {group}: bladets {n} lappar utan egen "
             "grupp får den"),
    "N125": ("sheet {sheet!r}, {cells}: no area written; the note(s) took {area}, the area "
             "written above them",
             "bladet {sheet}, {cells}: inget område angivet; lapparna fick {area}, området som "
             "står ovanför dem"),
    "N126": ("sheet {sheet!r}, {cells}: not a count, a whole number from 1 ({values}); "
             "the note(s) count once",
             "bladet {sheet}, {cells}: inget antal, ett heltal från 1 ({values}); lapparna "
             "räknas en gång"),
    "N127": ("sheet {sheet!r}: {n} note(s) without an area (add an Område column, name the "
             "sheet for its area once the project knows it, `qda study add area NAME`, or "
             "give --area)",
             "bladet {sheet}: {n} lappar utan område (lägg till en kolumn Område, döp bladet "
             "efter ett område som projektet känner, eller välj område vid importen)"),
    "N128": ("sheet {sheet!r} is named for the area {area}: its {n} note(s) without an area "
             "of their own have it",
             "bladet {sheet} heter som området {area}: bladets {n} lappar utan eget område "
             "får det"),
    "N129": ("sheet {sheet!r}, {cells}: column(s) with text not read as notes ({values}); "
             "a column of answers is read when its heading is a question ('Fråga N: …')",
             "bladet {sheet}, {cells}: kolumner med text som inte lästes som lappar "
             "({values}); en kolumn med svar läses när rubriken är en fråga ('Fråga N: …')"),
    "N130": ("hidden sheet", "dolt blad"),
    "N131": ("empty sheet", "tomt blad"),
    "N132": ("no header row with area names or a note column",
             "ingen rubrikrad med områden eller en kolumn med inlägg"),
    "N133": ("sheet {sheet!r}, {cells}: no area written in the area column (it is not "
             "\"same as above\" where the rows write their own): the note(s) have none; write "
             "it there",
             "bladet {sheet}, {cells}: inget område i områdeskolumnen (det är inte \"samma "
             "som ovanför\" där raderna anger sitt eget): lapparna har inget; skriv in det där"),
}
CELLS_SHOWN = 5


class Notice(str):
    """A coded note: its English text as a str, its code and values kept."""

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, **params: Any) -> Notice:
        english = NOTES[code][0].format(**_values(params, "en"))
        made = super().__new__(cls, english)
        made.code, made.params = code, params
        return made

    def __reduce__(self):       # pickled from a helper process, deep-copied by asdict
        return _rebuild, (self.code, self.params)

    def swedish(self, **extra: Any) -> str:
        return NOTES[self.code][1].format(**{"area_label": self.params.get("area", ""),
                                             **_values(self.params, "sv"), **extra})


def _values(params: dict[str, Any], language: str) -> dict[str, Any]:
    """The values a text is formatted with: a list of cell references (`refs`) written
    out as {cells} in the language."""
    if "refs" not in params:
        return params
    return {**params, "cells": cells(list(params["refs"]), language)}


def _rebuild(code: str, params: dict[str, Any]) -> Notice:
    return Notice(code, **params)


def note(code: str, **params: Any) -> Notice:
    """The note `code` with its values (a KeyError for an unregistered code); `refs`, a
    list of cells, is written out as {cells}."""
    return Notice(code, **params)


def cells(refs: list[str], language: str = "en") -> str:
    """"A7", "A7, A9", "A7, A9, A12, A13, A14 and 7 more cells" ("… och 7 celler till")."""
    shown = ", ".join(refs[:CELLS_SHOWN])
    more = len(refs) - CELLS_SHOWN
    if more <= 0:
        return shown
    if language == "sv":
        return f"{shown} och {more} {'cell' if more == 1 else 'celler'} till"
    return f"{shown} and {more} more {'cell' if more == 1 else 'cells'}"
