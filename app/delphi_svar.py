"""A panelist's page in a Delphi round, reached by their invitation link (`?delphi=CODE`),
without an account: rate each item 1-9 (or "kan inte bedöma"), comment, and come back
later; every answer is saved the moment it is given. From round 2 each item shows the
group's previous median and distribution, one's own previous rating and the comments,
never who gave them."""

from __future__ import annotations

import streamlit as st

from app import ui
from corpus.errors import QdaError
from corpus.models import DelphiStudy
from corpus.project import Project
from delphi import panel, rounds
from delphi.statistics import SCALE

CANNOT = "Kan inte bedöma"
CHOICES = [*SCALE, CANNOT]


def _save(proj: Project, code: str, round_id: int, version_id: int, feasibility: bool) -> None:
    """on_change of an item's widgets: store what is on screen now."""
    ss = st.session_state
    relevance = ss.get(f"d_rel_{version_id}")
    feasible = ss.get(f"d_feas_{version_id}") if feasibility else None
    comment = ss.get(f"d_com_{version_id}", "") or ""
    if relevance is None:
        ss[f"d_msg_{version_id}"] = "Välj ett betyg först; kommentaren sparas med betyget."
        return
    cannot = relevance == CANNOT
    def work(session) -> None:
        member = panel.panelist_for_code(session, code)
        rounds.answer(session, round_id, member, version_id,
                      None if cannot else int(relevance),
                      None if cannot or feasible in (None, CANNOT) else int(feasible),
                      cannot_judge=cannot, comment=comment)

    try:   # once more on a lost connection (a database restart), else a Swedish message
        proj.retried(work)
        ss[f"d_msg_{version_id}"] = "Sparat."
    except QdaError as exc:
        ss[f"d_msg_{version_id}"] = f"Kunde inte sparas: {ui.reason(exc)}"


def _previous(view: rounds.Feedback) -> None:
    prev = view.previous
    if prev is None:
        return
    if prev.n:
        low, mid, high = (sum(prev.distribution[a:b]) for a, b in ((0, 3), (3, 6), (6, 9)))
        st.caption(f"Förra rundan: median **{prev.median:g}** ({prev.n} svar) · "
                   f"1–3: {low} · 4–6: {mid} · 7–9: {high}"
                   + (f" · ditt svar: **{view.my_previous}**" if view.my_previous else ""))
        st.bar_chart({"Antal": {str(v): n for v, n in zip(SCALE, prev.distribution,
                                                           strict=True)}},
                     height=120, x_label="Betyg", y_label="Antal")
    else:
        st.caption("Förra rundan: inga betyg.")
    if view.previous_comments:
        with st.expander(f"Kommentarer från förra rundan ({len(view.previous_comments)})"):
            for comment in view.previous_comments:
                st.markdown(f"- {ui.text(comment)}")


def render(proj: Project, code: str) -> None:
    try:
        with proj.session() as session:
            member = panel.panelist_for_code(session, code)
            study = session.get(DelphiStudy, member.study_id)
            name, about, feasibility = study.name, study.description, study.ask_feasibility
            current, views = rounds.for_panelist(session, member)
    except QdaError as exc:
        st.title("Delphi")
        if exc.code == "E707":
            st.info("Ingen runda är öppen just nu. Tack för dina svar! Du får en ny länk "
                    "eller ett besked när nästa runda öppnar.")
        else:
            st.error(f"Länken fungerar inte: {ui.reason(exc)} Kontakta den som bjöd in dig.")
        return
    st.title(ui.text(name))
    if about:
        st.markdown(ui.text(about))
    answered = sum(v.mine is not None for v in views)
    st.subheader(f"Runda {current.number}")
    st.progress(answered / max(len(views), 1),
                text=f"Du har besvarat {answered} av {len(views)} indikatorer. Svaren sparas "
                     "direkt; du kan sluta och fortsätta senare med samma länk.")
    st.caption("Betygsätt hur relevant varje indikator är för att följa omställningen: "
               "1 = inte alls relevant, 9 = mycket relevant."
               + (" Ange också hur genomförbar den är att följa upp." if feasibility else ""))
    ss = st.session_state
    for view in views:
        v = view.item_version_id
        mine = view.mine
        if mine is not None and f"d_rel_{v}" not in ss:        # resume: what was saved
            ss[f"d_rel_{v}"] = CANNOT if mine.cannot_judge else mine.relevance
            if feasibility and mine.feasibility:
                ss[f"d_feas_{v}"] = mine.feasibility
            ss[f"d_com_{v}"] = mine.comment
        with st.container(border=True, key=f"d_item_{v}"):
            if view.theme:
                st.caption(ui.text(view.theme))
            st.markdown(f"**{ui.text(view.wording)}**")
            if view.description:
                st.markdown(ui.text(view.description))
            _previous(view)
            args = (proj, code, current.id, v, feasibility)
            st.radio("Relevans", CHOICES, index=None, horizontal=True, key=f"d_rel_{v}",
                     on_change=_save, args=args)
            if feasibility:
                st.radio("Genomförbarhet", CHOICES, index=None, horizontal=True,
                         key=f"d_feas_{v}", on_change=_save, args=args)
            st.text_input("Kommentar (frivillig, visas utan namn för panelen i nästa runda)",
                          key=f"d_com_{v}", on_change=_save, args=args)
            message = ss.pop(f"d_msg_{v}", None)
            if message:
                (st.success if message == "Sparat." else st.warning)(message)
