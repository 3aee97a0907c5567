"""Issue 40 part B in the app (Streamlit's AppTest on the coded demo project): 'not
relevant' with 0 outside a round, search on Kodning, 'klart' after the last unit, memos
on a source, units per code on Kodbok, the Förslag figure, the final layer on Export and
Teman, Teman's spinner and the heatmap's whole-number colour bar."""

from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd
from sqlalchemy import select

from corpus.models import AuditEvent, Memo, NotRelevant, Segment
from corpus.project import open_project
from themes import heatmap

from .test_app import click, page


def _rows(root, model, *where):
    project = open_project(root)
    try:
        with project.session() as s:
            return list(s.scalars(select(model).where(*where)))
    finally:
        project.close()


def _search(at, text: str):
    at.text_input(key="k_search").set_value(text).run()
    assert not at.exception, at.exception[0].value
    return at


def _a_word_of_one_unit(root) -> tuple[str, int]:
    """A word that occurs in exactly one unit (a note or transcript sentence) of the demo
    project, found, not assumed."""
    notes = _rows(root, Segment, Segment.kind == "note")
    folded = [n.text.lower() for n in _rows(root, Segment,
                                            Segment.kind.in_(("note", "sentence")))]
    for note in notes:
        for word in note.text.split():
            word = word.strip(".,;:!?()\"'").lower()
            if len(word) > 6 and sum(word in t for t in folded) == 1:
                return word, note.id
    raise AssertionError("no word of one note only")


def test_zero_marks_a_unit_not_relevant_outside_a_round_and_u_undoes_it(root):
    at = page("kodning")
    current = at.session_state["k_current"]
    button = at.button(key="k_not_relevant")
    assert button.label == "Inte relevant"
    click(at, "k_not_relevant")
    assert at.session_state["k_current"] != current          # it left the queue
    assert [r.segment_id for r in _rows(root, NotRelevant)] == [current]
    click(at, "k_undo_btn")
    assert _rows(root, NotRelevant) == []
    assert at.session_state["k_current"] == current
    actions = [e.action for e in _rows(root, AuditEvent, AuditEvent.action.like("unit.%"))]
    assert actions == ["unit.not_relevant", "unit.relevant"]


def test_search_makes_a_queue_with_folded_words_and_highlights_them(root):
    word, unit = _a_word_of_one_unit(root)
    at = _search(page("kodning"), word.upper().replace("A", "Å"))
    assert at.session_state["k_current"] == unit
    assert "1 kvar i kön" in at.caption[0].value and "sökning" in at.caption[0].value
    assert any('class="search-hit"' in m.value for m in at.markdown)
    _search(at, "ordsomintefinnsnågonstans")
    assert any("Kön är tom" in s.value for s in at.success)


def test_the_last_unit_of_the_queue_says_klart_not_n_kvar(root):
    word, unit = _a_word_of_one_unit(root)
    at = _search(page("kodning"), word)
    click(at, "k_acc_1")                                      # decide the only unit
    assert at.session_state["k_current"] == unit              # still shown …
    assert "klart, inget kvar i kön" in at.caption[0].value   # … but the queue is done
    assert "kvar i kön" not in at.caption[0].value.replace("inget kvar i kön", "")
    assert any(s.value.startswith("Klart") for s in at.success)


def test_a_memo_on_the_whole_source_is_saved_and_listed(root):
    at = page("kodning")
    at.text_area(key="k_source_memo").set_value("Gruppen talade mest om bemanning").run()
    click(at, "k_memo_source")
    saved = _rows(root, Memo, Memo.kind == "source")
    assert [m.text for m in saved] == ["Gruppen talade mest om bemanning"]
    assert any("Gruppen talade mest om bemanning" in m.value for m in at.markdown)
    assert [e.action for e in _rows(root, AuditEvent, AuditEvent.entity == "memo")] == [
        "memo.add"]


def test_kodbok_counts_the_units_of_each_code_in_the_final_layer(root):
    at = page("kodbok")
    frame = at.dataframe[0].value
    assert "Enheter" in frame.columns
    project = open_project(root)
    with project.session() as s:
        from coding.final import compose
        expected = sum(len(codes) for codes in compose(s).codes.values())
    project.close()
    assert frame["Enheter"].sum() == expected > 0


def test_projekt_says_the_suggestion_figure_sums_every_layer(root):
    at = page("projekt")
    metric = next(m for m in at.metric if m.label.startswith("Förslag"))
    assert metric.label == "Förslag (alla lager)"
    assert "förslag" in metric.help and "Summan av alla förslagslager" in metric.help
    assert any("inte relevanta" in c.value for c in at.caption)


def test_export_page_defaults_to_the_final_layer_and_says_what_it_drew_on(root):
    at = page("export")
    assert at.selectbox(key="e_layer").value is None
    assert "slutlig" in at.selectbox(key="e_layer").format_func(None)
    click(at, "e_make_bilaga2")
    report = at.session_state["e_file_bilaga2"].report
    assert report.layer.startswith("slutlig") and report.given
    assert any(c.value.startswith("Hämtat ur: konsensus") for c in at.caption)
    assert any(c.value.startswith("Enheter: ") and "okodade" in c.value for c in at.caption)


def test_teman_computes_under_a_spinner(root, monkeypatch):
    import streamlit as st

    from themes import tables

    state = {"spinning": False, "calls": []}

    @contextlib.contextmanager
    def spinner(text="", **kw):
        state["spinning"] = True
        try:
            yield
        finally:
            state["spinning"] = False

    real = tables.theme_counts

    def counted(*args, **kw):
        state["calls"].append(state["spinning"])
        return real(*args, **kw)

    monkeypatch.setattr(st, "spinner", spinner)
    monkeypatch.setattr(tables, "theme_counts", counted)
    page("teman")
    assert state["calls"] and all(state["calls"])


def test_the_heatmaps_colour_bar_shows_whole_counts_only():
    matrix = pd.DataFrame([[0, 1], [3, 2]], index=["A", "B"], columns=["GR", "VGR"])
    fig = heatmap.figure(matrix, "t")
    bar = fig.axes[-1]
    ticks = [t for t in bar.get_yticks() if 0 <= t <= 3]
    assert ticks and all(float(t).is_integer() for t in ticks)
    labels = [t.get_text() for t in bar.get_yticklabels() if t.get_text()]
    assert labels and all("." not in label for label in labels)
    assert np.isclose(max(ticks), 3)
