"""Small shared widgets: Swedish labels, highlighted text, code colours, error messages."""

from __future__ import annotations

import re
from collections.abc import Sequence

import streamlit as st

from corpus.areas import AREAS
from corpus.errors import DuplicateSourceError, QdaError
from corpus.errors import swedish as swedish_error

KIND_LABELS = {"note": "Lapp", "sentence": "Transkriptmening", "turn": "Taltur"}
_KIND_PLURALS = {"note": "lappar", "sentence": "transkriptmeningar", "turn": "talturer"}
SOURCE_KIND_LABELS = {"postits": "Lappar (Excel/CSV)", "padlet": "Padlet", "survey": "Enkät",
                      "transcript": "Transkript"}
STATUS_LABELS = {"to_review": "Att granska (okodad eller föreslagen)", "uncoded": "Okodad",
                 "suggested": "Föreslagen", "decided": "Kodad (beslut fattat)", "all": "Alla"}
PSEUDONYM_LABELS = {"speakers": "talare", "names": "namn i texten", "emails": "e-postadresser",
                    "phone_numbers": "telefonnummer", "personal_numbers": "personnummer",
                    "other_names": "andra personers namn"}
ORDER_LABELS = {"active": "Mest lärorik först", "document": "Dokumentordning"}
# Suggestion n is highlighted in colour n; a colour-blind-safe palette (Okabe-Ito, light).
HIGHLIGHTS = ["#ffd166", "#9bd5f5", "#b8e6b8", "#f7b6d2", "#d9c2f0", "#f5c99b"]
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf"]

LAYOUT_LABELS = {"wide": "bred (område per kolumn)", "long": "lång (område och inlägg per rad)",
                 "list": "lista", "padlet": "Padlet", "survey": "enkät", "skipped": "hoppades över"}
# the ingest report's notes, in the app's language
_REPORT_TEXTS = [
    (r"area '(.+)' guessed from the file name",
     lambda m: f"området {area_label(m.group(1))} gissades ur filnamnet"),
    (r"no area known: quotes cannot name the area \(give --area or --workshop\)",
     "inget område känt: citat kan inte ange område (välj område eller workshop)"),
    (r"a different file named (.+) is already source (.+); both are counted now "
     r"\(use --replace to replace it\)",
     r"en annan fil med namnet \1 finns redan som källa \2; båda räknas nu (importera med "
     r"ersätt för att byta ut den)"),
    (r"replaced source (\d+): (.+)'s (\w+) coding '(.+)' on a unit that changed or went: (.+)",
     r"källa \1 ersattes: \2s kodning ”\4” fanns på en enhet som ändrats eller tagits bort: "
     r"\5"),
    (r"no speaker lines recognised: the text is one turn",
     "inga talarrader kändes igen: texten blev en enda taltur"),
    (r"(\w+\d+): a duplicate mark with no note", r"\1: dubblettmarkering utan lapp"),
    (r"(\w+\d+): outside the area columns", r"\1: utanför områdeskolumnerna"),
    (r"(\w+\d+): outside the columns \((.+)\)", r"\1: utanför kolumnerna (\2)"),
    (r"(\w+\d+): the note held a '(.)' without quotes; its parts were joined",
     r"\1: lappen innehöll ”\2” utan citattecken; delarna fogades ihop"),
    (r"(\w+\d+): unknown area (.+); its notes are imported without an area",
     r"\1: okänt område \2; lapparna importerades utan område"),
    (r"hidden sheet", "dolt blad"), (r"empty sheet", "tomt blad"),
    (r"no header row with area names or a note column",
     "ingen rubrikrad med områden eller en kolumn med inlägg"),
]


def swedish(text: str) -> str:
    """A note from the library's ingest report in Swedish (unknown ones as they are)."""
    for pattern, replacement in _REPORT_TEXTS:
        if re.fullmatch(pattern, text):
            return re.sub(pattern, replacement, text)
    return text


def reason(exc: QdaError) -> str:
    """Why something was refused, in Swedish, with the error code (corpus.errors.ERRORS)."""
    return swedish_error(exc)


def error_message(exc: QdaError, file_name: str | None = None) -> str:
    """One readable Swedish sentence for a refused file; the project is unchanged."""
    name = file_name or (exc.path.name if exc.path else "")
    detail = swedish_error(exc)
    if isinstance(exc, DuplicateSourceError):
        return (f"Filen {name} importerades inte: {detail}. Inget i projektet har ändrats. "
                "Kryssa i ”Ersätt tidigare import” för att importera den igen.")
    return f"Filen {name} kunde inte importeras: {detail}. Inget i projektet har ändrats."


# Characters that markdown would read as syntax, written as HTML entities: a note that
# says "[x](javascript:…)", "<script>" or "**" shows as exactly that text.
_ENTITIES = {c: f"&#{ord(c)};" for c in "\\`*_{}[]()#+-.!|~$<>&\"'"}


def safe(text: str) -> str:
    """Segment text ready for st.markdown/st.caption (with or without HTML): escaped for
    HTML and for markdown, line breaks kept."""
    escaped = "".join(_ENTITIES.get(c, c) for c in text)
    return escaped.replace("\r\n", "\n").replace("\n", "<br>")


def count(n: int, one: str, many: str) -> str:
    """"1 kodning", "3 kodningar": a number and its noun in Swedish."""
    return f"{n} {one if n == 1 else many}"


def units(n: int, kind: str) -> str:
    """"1 taltur", "3 talturer": a count of units in Swedish."""
    word = KIND_LABELS.get(kind, kind).lower() if n == 1 else _KIND_PLURALS.get(kind, kind)
    return f"{n} {word}"


def area_label(area: str | None) -> str:
    return AREAS.get(area or "", area or "–")


def code_colour(code_id: int, colour: str | None = None) -> str:
    return colour or PALETTE[code_id % len(PALETTE)]


def highlighted(text: str, spans: Sequence[tuple[int, int, int]]) -> str:
    """Escaped text with <mark>s: spans are (start, end, n) with n the suggestion number;
    overlapping spans keep the first."""
    out, cursor = [], 0
    for start, end, n in sorted(spans):
        if start < cursor or start >= end or end > len(text):
            continue
        colour = HIGHLIGHTS[(n - 1) % len(HIGHLIGHTS)]
        out.append(safe(text[cursor:start]))
        out.append(f'<mark style="background:{colour};padding:0 2px;border-radius:3px" '
                   f'title="förslag {n}">{safe(text[start:end])}<sup>{n}</sup></mark>')
        cursor = end
    out.append(safe(text[cursor:]))
    return "".join(out)


def chip(label: str, colour: str) -> str:
    return (f'<span style="border-left:4px solid {colour};background:#f3f4f6;'
            f'padding:1px 6px;margin:1px 4px 1px 0;border-radius:3px;display:inline-block;'
            f'font-size:0.85em">{safe(label)}</span>')


def focus(selector: str) -> None:
    """Move keyboard focus to an element of the page (the code picker's search box).
    A component runs in a same-origin iframe, so it can reach the app's document."""
    st.iframe(
        "<script>setTimeout(() => {const el = window.parent.document.querySelector("
        f"{selector!r}); if (el) {{ el.focus(); el.click(); }} }}, 150);</script>", height=1)


_SOURCE_TAGS = {"PictureSource": "bildkällor", "PDFSource": "PDF-källor",
                "AudioSource": "ljudkällor", "VideoSource": "videokällor"}


def import_report(report) -> list[str]:
    """A .qdpx import's report (refi.importer.ImportReport) in Swedish, line by line."""
    lines = [f"Importerat från {report.origin or 'okänt verktyg'}: "
             f"{count(report.codes, 'kod', 'koder')}, "
             f"{count(report.sources, 'källa', 'källor')}, {report.segments} segment, "
             f"{count(report.codings, 'kodning', 'kodningar')} av {report.users} kodare."]
    kinds = {"journal": "dagboks- eller projektanteckningar", "annotation":
             "anteckningar på text"}
    lines += [f"{n} {kinds.get(k, k)} sparades som memon (Projekt > Anteckningar)."
              for k, n in report.memos.items()]
    lines += [f"{n} tomma {kinds.get(k, k)} sparades inte." for k, n in report.empty.items()]
    if report.widened:
        lines.append(f"{report.widened} urval täckte en del av en mening eller flera "
                     "meningar: varje mening de berör kodas hel.")
    for item in report.skipped:
        found = re.match(r"(\d+) (\w+Source) ", item)
        if found:
            lines.append(f"{found.group(1)} {_SOURCE_TAGS.get(found.group(2), found.group(2))} "
                         "hoppades över (bara textkällor importeras).")
        elif item.startswith("codings of the whole source"):
            lines.append("Kodningar av en hel källa hoppades över: "
                         + item.removeprefix("codings of the whole source").strip())
        else:
            lines.append(f"Hoppades över: {item}")
    return lines


def apply(proj, label: str, message_key: str, fn, *args, after=None, **kwargs):
    """One change in one transaction, for a page's buttons: on success "LABEL: klart." is
    kept under `message_key` for the rerun and `after()` runs; a refusal is shown in
    Swedish and nothing is half-done. Returns what `fn(session, …)` returned, or None
    after a refusal."""
    try:
        result = proj.retried(lambda session: fn(session, *args, **kwargs))
    except QdaError as exc:
        st.error(f"{label} gick inte: {reason(exc)}")
        return None
    if after is not None:
        after()
    st.session_state[message_key] = f"{label}: klart."
    return result

