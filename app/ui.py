"""Small shared widgets: Swedish labels, highlighted text, code colours, error messages."""

from __future__ import annotations

import re
from collections.abc import Sequence

import streamlit as st

from corpus.errors import ERRORS, DuplicateSourceError, QdaError
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
                 "list": "lista", "padlet": "Padlet", "survey": "enkät",
                 "questions": "en kolumn per fråga", "skipped": "hoppades över"}


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
    """Why something was refused, in Swedish, with the error code (corpus.errors.ERRORS);
    escaped (`text`), since it may quote what was typed or read."""
    return text(swedish_error(exc))


def error_message(exc: QdaError, file_name: str | None = None) -> str:
    """One readable Swedish sentence for a refused file; the project is unchanged."""
    name = text(file_name or (exc.path.name if exc.path else ""))
    detail = text(swedish_error(exc))
    if isinstance(exc, DuplicateSourceError):
        return (f"Filen {name} importerades inte: {detail}. Inget i projektet har ändrats. "
                "Kryssa i ”Ersätt tidigare import” för att importera den igen.")
    return f"Filen {name} kunde inte importeras: {detail}. Inget i projektet har ändrats."


# Characters that markdown would read as syntax, written as HTML entities: a note that
# says "[x](javascript:…)", "<script>" or "**" shows as exactly that text.
_ENTITIES = {c: f"&#{ord(c)};" for c in "\\`*_{}[]()#+-.!|~$<>&\"'"}


def safe(text: str) -> str:
    """Text for st.markdown(..., unsafe_allow_html=True): escaped for HTML and for
    markdown, line breaks as <br>."""
    escaped = "".join(_ENTITIES.get(c, c) for c in text)
    return escaped.replace("\r\n", "\n").replace("\n", "<br>")


def text(value: object) -> str:
    """Text a user or the material supplied (code names, definitions, file and workshop
    names, display names, error details quoting them), for any element that renders
    Markdown: st.markdown, captions, alerts, titles and every widget label and help.
    Streamlit renders links and images even in button labels, so nothing typed may reach
    them as syntax: Markdown and HTML characters become entities, shown as themselves."""
    escaped = "".join(_ENTITIES.get(c, c) for c in str(value))
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")


def question_label(question: object) -> str:
    """'Fråga 2' for a question number, '–' for none (a transcript, a Padlet)."""
    try:
        return f"Fråga {int(question)}"  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return "–"


def count(n: int, one: str, many: str) -> str:
    """"1 kodning", "3 kodningar": a number and its noun in Swedish."""
    return f"{n} {one if n == 1 else many}"


def units(n: int, kind: str) -> str:
    """"1 taltur", "3 talturer": a count of units in Swedish."""
    word = KIND_LABELS.get(kind, kind).lower() if n == 1 else _KIND_PLURALS.get(kind, kind)
    return f"{n} {word}"


_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}")


def code_colour(code_id: int, colour: str | None = None) -> str:
    """The code's own colour when it is a hex colour (it goes into a style attribute, so
    an imported codebook's text never does), else one from the palette."""
    return colour if colour and _COLOUR.fullmatch(colour) else PALETTE[code_id % len(PALETTE)]


def highlighted(text: str, spans: Sequence[tuple[int, int, int]]) -> str:
    """Escaped text with <mark>s: spans are (start, end, n) with n the suggestion number,
    0 for a search hit (underlined, no number); overlapping spans keep the first."""
    out, cursor = [], 0
    for start, end, n in sorted(spans):
        if start < cursor or start >= end or end > len(text):
            continue
        out.append(safe(text[cursor:start]))
        if n == 0:
            out.append('<mark class="search-hit" style="background:#fff176;padding:0 1px;'
                       'text-decoration:underline" title="sökträff">'
                       f'{safe(text[start:end])}</mark>')
            cursor = end
            continue
        colour = HIGHLIGHTS[(n - 1) % len(HIGHLIGHTS)]
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


_KINDS_SV = {"sources": "källor", "codes": "koder", "codings": "kodningar",
             "users": "användare", "notes": "anteckningar", "selections": "urval utan kod",
             "sets": "grupper (sets)", "cases": "fall (cases)", "variables": "variabler"}
_PSEUDONYMISED_SV = {"names": "namn", "other_names": "andra namn", "speakers": "talare",
                     "emails": "e-postadresser", "phone_numbers": "telefonnummer",
                     "personnummer": "personnummer"}

_WHAT_SV = {"picture": "bildkälla", "PDF": "PDF-källa", "audio": "ljudkälla",
            "video": "videokälla"}
# the import report's reasons (refi.importer), in Swedish; {0} the part that varies
_REASONS_SV = [
    (r"its text file (.+) is missing from the archive", "textfilen {0} saknas i arkivet"),
    (r"its text file (.+?): .+ \[(E\d+)\]", "textfilen {0} kan inte läsas: {1}"),
    (r"a (\w+) source: only text sources are imported",
     "en {0}: bara textkällor importeras"),
    (r"its text cannot be read", "texten kan inte läsas"),
    (r"a (\w+) source \(only text sources are imported\)",
     "{0} (bara textkällor importeras)"),
    (r"on a (\w+) source", "på en {0}"),
    (r"on a source that was skipped", "på en källa som hoppades över"),
    (r"on a whole source", "på en hel källa"),
    (r"its code is not in the codebook", "koden finns inte i kodboken"),
    (r"unplaceable: the source's text is not in the file",
     "kunde inte placeras: källans text finns inte i filen"),
    (r"unplaceable: its span lies outside the source's text",
     "kunde inte placeras: urvalet ligger utanför källans text"),
    (r"empty, or only the marks of our own export", "tomma"),
    (r"no code and no description", "varken kod eller beskrivning"),
    (r"the memo of a coding that was not imported", "memo till en kodning som inte kom med"),
    (r"made no codings or notes.*", "har inga kodningar eller anteckningar (en kodare finns "
     "här bara genom sina kodningar)"),
    (r"none of its sources was imported", "ingen av dess källor importerades"),
    (r"names no source.*", "pekar inte på någon källa (fall av andra verktygs urval "
     "behålls inte)"),
    (r"a set of codes only.*", "en grupp av koder (bara våra ursprungsgrupper behålls)"),
    (r"no value on a case or source", "inget värde på ett fall eller en källa"),
    (r"the same GUID twice in the file", "samma GUID två gånger i filen"),
]


def reason_sv(reason: str) -> str:
    """An import report's reason in Swedish (as it is, if it is not one we know)."""
    for pattern, swedish_text in _REASONS_SV:
        found = re.fullmatch(pattern, reason)
        if found:
            parts = [_WHAT_SV.get(g, ERRORS[g][1] + f" ({g})" if g in ERRORS else g)
                     for g in found.groups()]
            return swedish_text.format(*parts)
    return reason


def import_report(report) -> list[str]:
    """A .qdpx import's report (refi.importer.ImportReport) in Swedish, line by line."""
    lines = [f"Importerat från {report.origin or 'okänt verktyg'}: "
             f"{count(report.codes, 'kod', 'koder')}, "
             f"{count(report.sources, 'källa', 'källor')}, {report.segments} segment, "
             f"{count(report.tally['codings'].imported, 'kodning', 'kodningar')}"
             + (f" (som {report.codings} kodningar av enheter)"
                if report.codings != report.tally["codings"].imported else "")
             + f" av {report.users} kodare."]
    if report.pseudonymised is None:
        lines.append("Texterna behölls som i filen (de pseudonymiserades inte).")
    else:
        done = ", ".join(f"{n} {_PSEUDONYMISED_SV.get(k, k)}"
                         for k, n in report.pseudonymised.items())
        lines.append(f"Pseudonymiserat: {done or 'inget att maskera'}.")
    lines += [f"Källan {name} hoppades över: {reason_sv(reason)}." for name, reason in
              report.skipped_sources]
    lines += [f"Källan {name} saknar sin text i filen ({where}): den importerades tom och "
              "dess kodningar kunde inte placeras." for name, where in report.textless]
    kinds = {"journal": "dagboks- eller projektanteckningar", "annotation":
             "anteckningar på text"}
    lines += [f"{n} {kinds.get(k, k)} sparades som memon (Projekt > Anteckningar)."
              for k, n in report.memos.items()]
    lines += [f"{n} tomma {kinds.get(k, k)} sparades inte." for k, n in report.empty.items()]
    if report.on_spans:
        lines.append(f"{report.on_spans} urval täcker en del av en mening eller flera: "
                     "varje urval behåller sitt exakta spann och räknas för de meningar "
                     "(enheter) det berör.")
    if report.not_codable:
        lines.append(f"{len(report.not_codable)} koder var markerade som ej kodbara i filen "
                     f"och importerades som kodbara: {', '.join(report.not_codable)}.")
    for item in report.skipped:
        if item.startswith("codings of the whole source"):
            lines.append("Kodningar av en hel källa hoppades över: "
                         + item.removeprefix("codings of the whole source").strip())
        else:
            lines.append(f"Hoppades över: {item}")
    for kind, tally in report.tally.items():
        if tally.in_file:
            skipped = sum(tally.skipped.values())
            why = "; ".join(f"{n} {reason_sv(reason)}" for reason, n in tally.skipped.items())
            lines.append(f"{_KINDS_SV.get(kind, kind).capitalize()}: {tally.in_file} i filen, "
                         f"{tally.imported} importerade, {skipped} hoppades över"
                         + (f" ({why})" if why else "") + ".")
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




UNIT_STATES = {"coded": "kodade", "not relevant": "inte relevanta",
               "unresolved": "olösta (kodade olika, inget konsensusbeslut)",
               "uncoded": "okodade"}


def unit_states(states: dict[str, int]) -> str:
    """"Enheter: 56 kodade, 3 inte relevanta, …": the final layer's units by state."""
    return "Enheter: " + ", ".join(f"{n} {UNIT_STATES.get(k, k)}" for k, n in states.items())


def unresolved_warning(ids: Sequence[int], shown: int = 10) -> str:
    listed = ", ".join(map(str, ids[:shown])) + (" …" if len(ids) > shown else "")
    return (f"{count(len(ids), 'enhet', 'enheter')} kodades olika utan konsensusbeslut: de "
            f"omtvistade koderna räknas inte (segment {listed}). Avgör dem på sidan Konsensus.")
