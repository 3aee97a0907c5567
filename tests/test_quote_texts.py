"""Quotes as the report prints them: cut with [...], clarified in brackets, checked
against the unit's own words, audited, and used by every export that prints quotes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coding import quote_texts
from corpus.errors import QdaError
from corpus.models import AuditEvent, QuoteText, Segment
from reports.run import export
from themes import tables
from themes.layers import resolve_layer

from .conftest import acting

UNIT = ("Jag håller med [Deltagare 3]. Jag är läkare på en vårdcentral, och vi är ju ofta "
        "de som ska ta över läkaransvaret efter utskrivningen.")


@pytest.mark.parametrize("printed", [
    "Jag är läkare på en vårdcentral [...] vi är ju ofta de som ska ta över läkaransvaret",
    "Jag håller med [Deltagare 3]. Jag är läkare",                   # the unit's own brackets
    "[...] vi [på vårdcentralen] är ju ofta de som ska ta över läkaransvaret [...]",
    "läkaransvaret efter utskrivningen.",
])
def test_cuts_and_clarifications_are_accepted(printed):
    quote_texts.check(UNIT, printed)


@pytest.mark.parametrize("printed", [
    "Jag är läkare på ett sjukhus",                       # a word changed
    "Jag är läk",                                         # a word cut without [...]
    "vi är ju ofta de som ska ta över [...] Jag är läkare",   # out of order
    "Jag är läkare och vi är ju ofta",                    # a cut with no [...]
    "[...]",                                              # nothing of the unit kept
    "[kommunen]",
])
def test_rewrites_are_refused(printed):
    with pytest.raises(QdaError, match="E367"):
        quote_texts.check(UNIT, printed)


def test_a_shortened_quote_is_printed_in_the_exports_and_the_unit_stays(coded, tmp_path):
    with coded.session() as s:
        quoted = tables.quotes(s, resolve_layer(s))
    unit, text = int(quoted.segment_id[0]), quoted.Citat[0]
    first = text.split()[0]
    printed = f"{first} [...] {text.split()[-1]}"
    with coded.transaction() as s:
        quote_texts.set_text(s, unit, printed, acting("anna"))
    with coded.session() as s:
        assert tables.quotes(s, resolve_layer(s)).Citat[0] == printed
        assert s.get(Segment, unit).text.strip() == text            # untouched
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "quote.edit")).one()
        assert event.actor == "anna" and event.after == {"text": printed}
    md = export(coded, "quotes", "md", out=tmp_path / "q.md").path.read_text("utf-8")
    assert printed in md and text not in md
    with coded.transaction() as s:                # back to the unit's own words
        quote_texts.set_text(s, unit, "", acting("anna"))
    with coded.session() as s:
        assert s.get(QuoteText, unit) is None
        assert tables.quotes(s, resolve_layer(s)).Citat[0] == text
        assert s.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == \
            "quote.reset"


def test_a_reader_may_not_shorten_quotes(coded):
    from corpus.actors import Actor
    from corpus.roles import Role

    reader = Actor("lasse", Role.READER)
    with coded.transaction() as s, pytest.raises(QdaError):
        quote_texts.set_text(s, 1, "x", reader)
