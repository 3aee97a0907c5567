"""Small shared widgets: Swedish labels, highlighted text, code colours, error messages."""

from __future__ import annotations

import re
from collections.abc import Sequence

import streamlit as st

from corpus.areas import AREAS
from corpus.errors import DuplicateSourceError, QdaError
from corpus.errors import swedish as swedish_error
from corpus.notes import Notice

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


def swedish(text: str) -> str:
    """A note from the library's ingest report in Swedish: every note is coded
    (corpus.notes) and carries its values; the area is named as the app names it."""
    if isinstance(text, Notice):
        return text.swedish(area_label=area_label(text.params.get("area")))
    return text


# Streamlit writes a few words of its own in English and has no setting for their language
# (1.67: the skip link, the upload button and the upload limit line). Each is hidden and
# its Swedish words shown in its place: generated content, which screen readers read too.
_SWEDISH_CHROME = {
    '[data-testid="stSkipToContent"]': "Hoppa till sidans innehåll",
    '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p':
        "Välj filer",
    '[data-testid="stFileUploaderDropzoneInstructions"] span':
        "Dra filerna hit (högst 200 MB per fil)",
}


def swedish_chrome() -> None:
    """Streamlit's own English words on every page, in Swedish."""
    # the skip link must stay focusable (visibility:hidden would take it out of the tab
    # order), so its English words are only shrunk to nothing
    rules = "".join(
        f"{selector}{{font-size:0!important"
        f"{'' if 'Skip' in selector else ';visibility:hidden'}}}"
        f"{selector}::after{{content:{text!r};font-size:0.875rem;visibility:visible}}"
        .replace("'", '"')
        for selector, text in _SWEDISH_CHROME.items())
    st.html(f"<style>{rules}</style>")


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
        with proj.transaction() as session:
            result = fn(session, *args, **kwargs)
    except QdaError as exc:
        st.error(f"{label} gick inte: {reason(exc)}")
        return None
    if after is not None:
        after()
    st.session_state[message_key] = f"{label}: klart."
    return result

