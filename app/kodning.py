"""Kodning: decide segment after segment with the keyboard; every action is saved at once.

Keys: 1–9 accept suggestion n; S, D, F, G, H, J, L list the codes under the suggestions'
first, second … theme, numbered, so a letter and a digit code any of them; X rejects the
best undecided suggestion, K opens the code
picker (your most recently used codes first; type to search, Enter to code), N next, B
back, U undo, Q marks a quote; 0 marks a unit not relevant (in a blind round: done with no
code). The sidebar's search narrows the queue to units holding every word (case and
å/ä/ö folded), stepped through with N and B as any queue.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy import select

from app import state, ui
from coding import codes, memos, queue, review_actions, unit_view
from coding.suggest.engine import flagged_under
from corpus import numbers
from corpus.errors import QdaError
from corpus.models import Coding, Segment
from corpus.vocabulary import Status

MAX_KEYS = 9      # 0 is taken: "ingen kod passar" / "inte relevant"
DATABASE_AWAY = ("E074", "E075")     # worth trying again: the undo stays on the stack
PICKER_INPUT = 'div.st-key-k_pick input'

proj = state.require_project()
coder = state.require_coder()
actor = state.actor()
book = state.codebook(proj)
ss = st.session_state
ss.setdefault("k_history", [])
ss.setdefault("k_undo", [])
ss.setdefault("k_picker", False)


@st.cache_data(ttl=30, show_spinner=False)
def options(root: str) -> queue.FilterOptions:
    with state.project().session() as session:
        return queue.filter_options(session)


# ---- filters ---------------------------------------------------------------------------
opts = options(str(proj.root))
with st.sidebar:
    st.subheader("Kö")
    search = st.text_input("Sök i texten", key="k_search", placeholder="ord i texten …",
                           help="Enheter som innehåller alla orden (stora/små bokstäver och "
                                "å/ä/ö spelar ingen roll); stega med N och B.")
    kinds = st.multiselect("Källtyp", list(queue.CODABLE), default=list(queue.CODABLE),
                           format_func=lambda k: ui.KIND_LABELS[k], key="k_kinds")
    questions = st.multiselect("Fråga", opts.questions, format_func=lambda q: f"Fråga {q}",
                               key="k_questions", placeholder="Alla frågor")
    areas = st.multiselect("Område", opts.areas, format_func=state.area_label, key="k_areas",
                           placeholder="Alla områden")
    source_names = {sid: name for sid, name, _ in opts.sources}
    sources = st.multiselect("Källa", list(source_names), format_func=source_names.get,
                             key="k_sources", placeholder="Alla källor")
    code_ids = [c for c in book.codes]
    code_filter = st.selectbox("Kod", code_ids, index=None, key="k_code",
                               format_func=lambda c: book.codes[c].label,
                               placeholder="Alla koder")
    status = st.selectbox("Status", list(ui.STATUS_LABELS), format_func=ui.STATUS_LABELS.get,
                          key="k_status")
    order = st.radio("Ordning", list(ui.ORDER_LABELS), format_func=ui.ORDER_LABELS.get,
                     key="k_order")
    blinded = state.blind_round(proj, coder)
    if blinded is not None:
        ss.k_blind = True    # a blind round decides: no suggestions learnt from others
    blind = st.toggle("Blind kodning", key="k_blind", disabled=blinded is not None,
                      help="Förslagen kommer från en modell tränad enbart på dina egna "
                           "kodningar, så att andras val inte syns.")
    if blinded is not None:
        st.caption(f"Du kodar blint i **{ui.text(blinded.name)}**: kön visar bara dina tilldelade "
                   f"enheter ({blinded.done.get(coder, 0)} av {blinded.units} klara).")

filters = queue.Filters(tuple(kinds) or queue.CODABLE, tuple(questions), tuple(areas),
                         tuple(sources), code_filter, status,
                         blinded.id if blinded is not None else None, search.strip())
retrainer = state.retrainer(proj, coder if blind else None)
if blind and retrainer.status.finished_at is None and not retrainer.status.running:
    retrainer.retrain_now()   # the coder's own layer starts from the codebook alone
elif not blind and book.codes and retrainer.status.finished_at is None \
        and not retrainer.status.running and not ss.get("k_first_scored"):
    # a codebook just imported (keywords, definitions) suggests before the first decision;
    # otherwise the first suggestions waited for ten codings
    with proj.session() as session:
        scored = session.scalar(select(Coding.id).where(
            Coding.status == Status.SUGGESTED).limit(1)) is not None
    ss.k_first_scored = True
    if not scored:
        retrainer.retrain_now()

if ss.get("k_filters") != (filters, order, blind, coder):
    ss.k_filters = (filters, order, blind, coder)
    ss.k_current = None
if ss.get("k_current") is None:
    with proj.session() as session:
        ss.k_current = queue.next_segment(session, None, coder, filters, order, blind,
                                           actor=actor)


# ---- actions (callbacks run before the page is drawn again) ------------------------------
# Each action is one transaction, run again once if the database connection was lost (a
# server restart); otherwise a Swedish message and nothing of it in the database.
def _do(action, *args) -> None:
    segment_id = ss.k_current
    try:
        done = proj.retried(lambda session: action(session, segment_id, *args, coder, actor))
        ss.k_undo.append(done)
        retrainer.notify()
    except QdaError as exc:
        ss.k_error = ui.reason(exc)


def accept(code_id: int) -> None:
    _do(review_actions.accept_code, code_id)


def accept_sub(code_id: int) -> None:
    ss.k_sub = None
    accept(code_id)


def show_theme(segment_id: int, n: int) -> None:
    """A theme's letter: its codes, numbered; the same letter again: the suggestions."""
    at = ss.get("k_sub")
    ss.k_sub = None if at == (segment_id, n) else (segment_id, n)


def reject(code_id: int) -> None:
    _do(review_actions.reject_code, code_id)


def remove(code_id: int) -> None:
    _do(review_actions.remove_code, code_id)


def picked() -> None:
    choice = ss.get("k_pick")
    ss.k_pick = None
    ss.k_picker = False
    if choice is not None:
        accept(choice)


def new_code() -> None:
    """A new emergent code ("Huvudtema > Subtema"), created and applied in one
    transaction."""
    path = (ss.get("k_new_code") or "").strip()
    ss.k_new_code = ""
    if not path:
        return
    segment_id = ss.k_current

    def work(session):
        code_id = codes.add_code(session, path, actor or state.acting(), create_parents=True,
                                 origin="emergent", memo="ny kod under kodningen").id
        return review_actions.accept_code(session, segment_id, code_id, coder, actor)

    try:
        done = proj.retried(work)
        ss.k_undo.append(done)
        ss.k_picker = False
        retrainer.notify()
    except QdaError as exc:
        ss.k_error = ui.reason(exc)


def toggle_picker() -> None:
    ss.k_picker = not ss.k_picker


def annotate(**kw) -> None:
    segment_id = ss.k_current
    try:
        n = proj.retried(lambda session: review_actions.annotate(session, segment_id, coder,
                                                         actor=actor, **kw))
        if n == 0:
            ss.k_error = "Koda segmentet först: memo och citat sparas på dina kodningar."
    except QdaError as exc:
        ss.k_error = ui.reason(exc)


def memo_changed() -> None:
    annotate(memo=ss.get("k_memo", ""))


def quote(value: bool) -> None:
    annotate(is_quote=value)


def go_next() -> None:
    current = ss.k_current
    try:
        nxt = proj.retried(lambda session: queue.next_segment(
            session, current, coder, filters, order, blind, actor=actor), write=False)
    except QdaError as exc:
        ss.k_error = ui.reason(exc)
        return
    if nxt is not None:
        ss.k_history.append(ss.k_current)
        ss.k_current = nxt


def no_code() -> None:
    """In a round: this unit is decided with no code (it counts in the agreement)."""
    segment_id = ss.k_current
    try:
        proj.retried(lambda session: review_actions.no_code(session, segment_id, coder, actor))
    except QdaError as exc:
        ss.k_error = ui.reason(exc)
        return
    go_next()


def not_relevant() -> None:
    """Outside a round: no code applies to this unit at all (undo with U)."""
    try:
        with proj.transaction() as session:
            done = review_actions.not_relevant(session, ss.k_current, coder, actor)
        ss.k_undo.append(done)
    except QdaError as exc:
        ss.k_error = ui.reason(exc)
        return
    go_next()


def relevant_again() -> None:
    from coding.relevance import mark_relevant

    try:
        with proj.transaction() as session:
            mark_relevant(session, ss.k_current, coder, actor)
    except QdaError as exc:
        ss.k_error = ui.reason(exc)


def save_memo(on: str, source_id: int, workshop_id: int | None) -> None:
    text = (ss.get("k_source_memo") or "").strip()
    try:
        with proj.transaction() as session:
            memos.add_memo(session, text, actor or state.acting(),
                           **({"source_id": source_id} if on == "source"
                              else {"workshop": workshop_id}))
        ss.k_source_memo = ""
    except QdaError as exc:
        ss.k_error = ui.reason(exc)


def go_back() -> None:
    if ss.k_history:
        ss.k_current = ss.k_history.pop()


def undo() -> None:
    if not ss.k_undo:
        return
    action = ss.k_undo[-1]      # taken off the stack only once the undo has committed
    try:
        proj.retried(lambda session: review_actions.undo(session, action, actor))
        ss.k_undo.pop()
        if action.segment_id != ss.k_current:
            ss.k_history.append(ss.k_current)
            ss.k_current = action.segment_id
    except QdaError as exc:
        if exc.code not in DATABASE_AWAY:   # refused for good: not offered again
            ss.k_undo.pop()
        ss.k_error = ui.reason(exc)


# ---- the page ------------------------------------------------------------------------
st.title("Kodning")
if ss.get("k_error"):
    st.error(ss.pop("k_error"))
if ss.k_current is None:
    with proj.session() as session:
        any_unit = session.scalar(select(Segment.id).where(
            Segment.kind.in_(queue.CODABLE)).limit(1)) is not None
    if not any_unit:         # a new project: the filters are not why nothing shows
        st.info("Projektet har inget material att koda ännu. Importera lappar eller "
                "transkript under **Projekt**.")
    else:
        st.success("Kön är tom för de valda filtren. Byt filter eller status för att se "
                   "fler.")
    st.stop()

with proj.session() as session:
    view = unit_view.segment_view(session, ss.k_current, coder, book, blind, actor=actor)
    left = queue.queue_count(session, coder, filters, blind, actor=actor)
    workshop_id = memos.workshop_of(session, view.source_id)
    source_memos = memos.memos_on(session, view.source_id, workshop_id)
    picker_codes = unit_view.picker_order(book, unit_view.recent_codes(session, coder)) \
        if ss.k_picker else []
ss.k_memo = view.memo   # the field always shows what is stored
# a theme's list of codes open (its letter pressed): the digits are its numbers
themes = unit_view.sub_theme_lists([s.code_id for s in view.suggestions], book,
                                   MAX_KEYS)[:len(unit_view.THEME_KEYS)]
at = ss.get("k_sub")
at = at[1] if at and at[0] == view.segment_id and at[1] < len(themes) else None

where = [ui.KIND_LABELS.get(view.kind, view.kind), view.source_name]
if view.question:
    where.append(f"Fråga {view.question}")
where.append(state.area_label(view.area))
if view.sheet:
    where.append(f"blad {view.sheet}" + (f", cell {view.location}" if view.location else ""))
elif view.location:
    where.append(view.location)
if view.speaker:
    where.append(view.speaker)
if view.duplicate_count > 1:
    where.append(f"×{view.duplicate_count}")
if search.strip():
    where.append(f"sökning ”{search.strip()}”")
st.caption(ui.text(" · ".join(where)) + f" · segment {view.segment_id} · "
           + (f"{left} kvar i kön" if left else "klart, inget kvar i kön"))
if not left:
    st.success("Klart: inget kvar i kön för de valda filtren. Enheten nedan är den sista "
               "du beslutade (U ångrar).", icon=":material/check_circle:")
if view.not_relevant:
    r1, r2 = st.columns([4, 1], vertical_alignment="center")
    r1.info("Du har markerat enheten som inte relevant.")
    r2.button("Relevant igen", key="k_relevant", on_click=relevant_again)

# the suggestions' numbers on their evidence; not while a theme's list numbers other codes
spans = [(s, e, n) for n, sug in enumerate(view.suggestions, start=1) for s, e in sug.spans
         if at is None]
if search.strip():   # the search's words first: a hit is what the coder is looking for
    spans = [(s, e, 0) for s, e in queue.search_spans(view.text, search)] + spans
st.markdown(f'<div style="font-size:1.35em;line-height:1.5;padding:0.6em 0.8em;'
            f'border:1px solid #ddd;border-radius:6px" class="segment-text">'
            f'{ui.highlighted(view.text, spans)}</div>', unsafe_allow_html=True)
if view.flagged and not view.codes:     # coded since (a new code, say): no longer a hint
    main = flagged_under((s.label, s.score) for s in view.suggestions)
    st.warning("Passar ingen befintlig kod: överväg en ny kod (K, sedan fältet Ny kod)."
               if main is None else
               f"Passar inget befintligt subtema under {ui.text(main)}: överväg ett nytt "
               f"subtema (K, sedan fältet Ny kod: {ui.text(main)} > …).")

if view.context:
    with st.expander("Sammanhang", expanded=view.kind != "note"):
        parts = []
        for row in view.context:
            text = row["text"]
            if row["current"] and row["start"] is not None:
                text_html = (ui.safe(text[:row["start"]]) + "<b><u>"
                             + ui.safe(text[row["start"]:row["end"]]) + "</u></b>"
                             + ui.safe(text[row["end"]:]))
            else:
                text_html = ui.safe(text)
            who = " ".join(x for x in (row["speaker"], row["location"]) if x)
            weight = "background:#fff8e1;" if row["current"] else "color:#555;"
            parts.append(f'<div style="{weight}padding:2px 6px;margin:2px 0">'
                         f'<small>{ui.safe(who)}</small> {text_html}</div>')
        st.markdown("".join(parts), unsafe_allow_html=True)

col_sug, col_mine = st.columns([3, 2], gap="large")
with col_sug:
    if at is not None:
        theme, choices = themes[at]
        st.subheader(f"Under {ui.text(book.codes[theme].label)}")
        st.caption(f"Siffran kodar. {unit_view.THEME_KEYS[at]} igen visar förslagen.")
        mine = dict(view.codes)
        for n, code_id in enumerate(choices, start=1):
            name = ("hela temat" if code_id == theme else ui.text(book.codes[code_id].name))
            st.button(f"{'✓ ' if code_id in mine else ''}{n} · {name}", key=f"k_sub_{n}",
                      on_click=accept_sub, args=(code_id,), width="stretch",
                      shortcut=str(n), disabled=code_id in mine,
                      help=ui.text(book.codes[code_id].label))
        more = sum(c.parent_id == theme for c in book.codes.values()) + 1 - len(choices)
        if more > 0:        # nine numbers: the rest by the picker
            st.caption(f"{more} {'kod' if more == 1 else 'koder'} till under temat: "
                       "K söker bland alla.")
    else:
        st.subheader("Förslag")
    if at is None and not view.suggestions:
        st.caption("Inga förslag ännu (modellen tränas om i bakgrunden när du kodar).")
    for n, sug in enumerate(view.suggestions if at is None else [], start=1):
        mark = {Status.ACCEPTED: "✓ ", Status.REJECTED: "✗ "}.get(sug.decision or "", "")
        b1, b2 = st.columns([6, 1], vertical_alignment="center")
        score = numbers.decimal(sug.score, 2)
        b1.button(f"{mark}{n} · {ui.text(sug.label)} ({score})", key=f"k_acc_{n}",
                  on_click=accept, args=(sug.code_id,), width="stretch",
                  shortcut=str(n) if n <= MAX_KEYS else None,
                  type="primary" if sug.decision == Status.ACCEPTED else "secondary",
                  disabled=sug.decision == Status.ACCEPTED, help="Acceptera förslaget")
        b2.button("✗", key=f"k_rej_{n}", on_click=reject, args=(sug.code_id,),
                  disabled=sug.decision == Status.REJECTED, help="Avvisa förslaget")
        b1.caption(f'<span style="background:{ui.HIGHLIGHTS[(n - 1) % len(ui.HIGHLIGHTS)]};'
                   f'padding:0 4px;border-radius:3px">{n}</span> '
                   + ui.safe("; ".join(sug.reasons) or "–"), unsafe_allow_html=True)
    behind = unit_view.behind_its_sub_themes(view.suggestions, book)
    if behind and at is None:   # a main theme after its sub-themes, scoring at least as high
        main, n = behind
        st.caption(ui.text(f"{main} står efter {'sitt subtema' if n == 1 else 'sina subteman'}"
                           ": ett subtema kodar också sitt huvudtema."))
    open_sugs = [s for s in view.suggestions if s.decision is None]
    st.button("Avvisa bästa förslaget", key="k_reject_top", shortcut="X",
              on_click=reject, args=(open_sugs[0].code_id,) if open_sugs else (0,),
              disabled=not open_sugs or at is not None)
    if themes:      # a letter per theme: its codes numbered, two keys to any of them
        st.caption("Koder under förslagens teman: bokstaven, sedan siffran.")
        for n, (theme_id, _) in enumerate(themes):
            st.button(ui.text(book.codes[theme_id].label), key=f"k_theme_{n}",
                      shortcut=unit_view.THEME_KEYS[n], on_click=show_theme,
                      args=(view.segment_id, n), type="primary" if n == at else "secondary",
                      help="Visa temats alla koder med siffror; samma bokstav igen visar "
                           "förslagen.")

with col_mine:
    st.subheader("Dina koder")
    if view.codes:
        for code_id, label in view.codes:
            c1, c2 = st.columns([6, 1], vertical_alignment="center")
            c1.markdown(ui.chip(label, ui.code_colour(code_id)), unsafe_allow_html=True)
            c2.button("−", key=f"k_rm_{code_id}", on_click=remove, args=(code_id,),
                      help="Ta bort koden")
    else:
        st.caption("Inga koder ännu.")
    if view.rejected:
        st.caption("Avvisade: " + ui.text("; ".join(label for _, label in view.rejected)))
    st.button("Välj kod …", key="k_open_picker", shortcut="K", on_click=toggle_picker)
    if ss.k_picker:
        st.selectbox("Sök kod", picker_codes, index=None, key="k_pick",
                     format_func=lambda c: book.codes[c].label, on_change=picked,
                     filter_mode="contains", placeholder="Skriv för att söka, Enter väljer")
        st.text_input("Eller ny kod", key="k_new_code", on_change=new_code,
                      placeholder="Huvudtema > Ny subtema")
        ui.focus(PICKER_INPUT)
    ss[f"k_quote_{view.segment_id}"] = view.is_quote
    st.toggle("Citat till rapporten", key=f"k_quote_{view.segment_id}",
              on_change=lambda: quote(bool(ss.get(f"k_quote_{view.segment_id}"))),
              disabled=not view.codes)
    st.button("Citat på/av", key="k_quote_key", shortcut="Q", on_click=quote,
              args=(not view.is_quote,), disabled=not view.codes, type="tertiary")
    st.text_area("Memo", key="k_memo", on_change=memo_changed, disabled=not view.codes,
                 placeholder="Varför? Sparas när du lämnar fältet.", height=80)

st.divider()
n1, n2, n3, n4 = st.columns(4)
n1.button("← Föregående", key="k_prev", shortcut="B", on_click=go_back,
          disabled=not ss.k_history, width="stretch")
n2.button("Nästa →", key="k_next", shortcut="N", on_click=go_next, width="stretch",
          type="primary")
n3.button("Ångra", key="k_undo_btn", shortcut="U", on_click=undo, disabled=not ss.k_undo,
          width="stretch")
if blinded is not None:
    n4.button("Ingen kod passar", key="k_none", shortcut="0" if at is None else None,
              on_click=no_code,
              help="Enheten är klar utan kod; räknas så i samstämmigheten.")
else:
    n4.button("Inte relevant", key="k_not_relevant", shortcut="0" if at is None else None,
              on_click=not_relevant,
              disabled=bool(view.codes) or view.not_relevant, width="stretch",
              help="Ingen kod alls passar (t.ex. moderatorns fråga eller en rubrik): "
                   "enheten lämnar kön och räknas som inte relevant, inte som okodad. "
                   "U ångrar.")
status_ = retrainer.status
if status_.running:
    n4.caption("Modellen tränas om i bakgrunden …")
elif status_.error:
    n4.caption(f"Omträningen misslyckades: {ui.text(status_.error)}")
elif status_.finished_at:
    n4.caption(f"Modellen omtränad {status_.finished_at:%H:%M} på {status_.trained_on} "
               f"kodade segment.")
st.caption("Tangenter: 1–9 acceptera förslag · S, D, F … koderna under förslagens teman · "
           "X avvisa bästa förslaget · K välj kod · "
           "N nästa · B föregående · U ångra · Q citat"
           + (" · 0 ingen kod passar" if blinded is not None else " · 0 inte relevant"))

with st.expander(f"Memo om källan och workshopen ({len(source_memos)})"):
    for m in source_memos:
        st.markdown(f"**{ui.safe(m.title)}** · {ui.safe(m.author or '')}  \n{ui.safe(m.text)}",
                    unsafe_allow_html=True)
    st.text_area("Nytt memo", key="k_source_memo", height=80,
                 placeholder="Om hela källan eller workshopen, t.ex. vad gruppen mest talade om")
    m1, m2 = st.columns(2)
    m1.button("Spara på källan", key="k_memo_source", on_click=save_memo,
              args=("source", view.source_id, workshop_id))
    m2.button("Spara på workshopen", key="k_memo_workshop", on_click=save_memo,
              args=("workshop", view.source_id, workshop_id), disabled=workshop_id is None,
              help=None if workshop_id else "Källan hör inte till någon workshop.")
