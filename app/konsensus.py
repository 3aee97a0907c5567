"""Konsensus: the units where coders differ, grouped by code, and the meeting's decision
on each (final codes and a memo). What all coders agree on goes over in one click. The
consensus layer is what the theme tables and bilaga 2 count by default."""

from __future__ import annotations

import streamlit as st

from app import state, ui
from coding import agreement, consensus, rounds
from corpus.errors import QdaError
from people import identity
from people.accounts import Can

proj = state.require_project()
state.require(Can.READ_AGREEMENT)
actor = state.actor()
lead = state.acting()
decide = state.may(Can.DECIDE_CONSENSUS)
book = state.codebook(proj)
ss = st.session_state
st.title("Konsensus")

with proj.session() as session:
    coders = agreement.human_coders(session)
    listed = rounds.rounds(session)
if len(coders) < 2:
    st.info("Konsensus kräver minst två kodare med kodningar.")
    st.stop()

c1, c2, c3 = st.columns(3)
round_names = [*[r.name for r in reversed(listed)], None]     # the newest round first
chosen_round = c1.selectbox("Enheter", round_names, key="ks_round",
                            format_func=lambda r: r or "Alla dubbelkodade källor")
only_open = c2.toggle("Bara oavgjorda", True, key="ks_open")
if decide and c3.button("För över samstämmiga koder", key="ks_adopt",
             help="Koder som alla kodare av en enhet satt går in i konsensuslagret."):
    try:
        done = proj.retried(lambda session: consensus.adopt_agreed(session, lead, None,
                                                                   chosen_round))
        st.success(f"{ui.count(done.codings, 'kodning', 'kodningar')} på "
                   f"{ui.count(done.units, 'enhet', 'enheter')} fördes över till "
                   "konsensus.")
    except QdaError as exc:
        st.error(f"Kunde inte föra över: {ui.reason(exc)}")

try:
    with proj.session() as session:
        everything = consensus.disagreements(session, None, chosen_round, actor=actor)
    found = [d for d in everything if not (only_open and d.resolved)]
except QdaError as exc:
    st.warning(f"Oenigheterna kan inte visas: {ui.reason(exc)}")
    st.stop()
resolved = sum(d.resolved for d in everything)
if ss.get("ks_saved") is not None:
    st.success(f"Beslutet för segment {ss.pop('ks_saved')} är sparat.")
st.caption(f"{ui.count(len(everything), 'oenighet', 'oenigheter')} (enhet × kod), varav "
           f"{resolved} {'avgjord' if resolved == 1 else 'avgjorda'}.")
if not found:
    st.success("Inga oavgjorda oenigheter.")
    st.stop()

by_code: dict[str, list[consensus.Disagreement]] = {}
for d in found:
    by_code.setdefault(d.code, []).append(d)
code_pick = st.selectbox("Kod", list(by_code), key="ks_code",
                         format_func=lambda c: f"{c} ({len(by_code[c])})")
items = by_code[code_pick]
unit = st.selectbox("Enhet", [d.segment_id for d in items], key="ks_unit",
                    format_func=lambda s: next(
                        f"Segment {d.segment_id} · ja: {', '.join(d.yes)} · nej: "
                        f"{', '.join(d.no)}" for d in items if d.segment_id == s))
item = next(d for d in items if d.segment_id == unit)
where = " · ".join(v for v in (ui.KIND_LABELS.get(item.kind, item.kind),
                               state.area_label(item.area) if item.area else "",
                               f"Fråga {item.question}" if item.question else "") if v)
st.markdown('<div style="font-size:1.2em;padding:0.5em 0.8em;border:1px solid #ddd;'
            f'border-radius:6px" class="segment-text">{ui.highlighted(item.text, [])}</div>',
            unsafe_allow_html=True)
st.caption(ui.text(where))

with proj.session() as session:
    applied = consensus.codes_on(session, unit, actor)
cols = st.columns(max(len(applied), 1))
for col, (who, ids) in zip(cols, sorted(applied.items()), strict=False):
    col.markdown(f"**{ui.safe(who)}**<br>" + ("<br>".join(
        ui.safe(book.codes[i].label if i in book.codes else str(i)) for i in sorted(ids))
        or "–"), unsafe_allow_html=True)

agreed = set.intersection(*[set(v) for k, v in applied.items() if k != identity.CONSENSUS]) \
    if any(k != identity.CONSENSUS for k in applied) else set()
default = sorted(applied.get(identity.CONSENSUS) or (agreed | {item.code_id}))
final = st.multiselect("Slutliga koder", list(book.codes), default=[c for c in default
                                                                     if c in book.codes],
                       format_func=lambda c: book.codes[c].label, key=f"ks_codes_{unit}",
                       help="Tom lista: ingen kod passar enheten.")
memo = st.text_area("Motivering (memo)", key=f"ks_memo_{unit}",
                    placeholder="Varför mötet valde så; sparas i granskningsloggen.")
if not decide:
    st.caption("Projektledaren fattar konsensusbesluten.")
    st.stop()
if st.button("Spara beslut", key="ks_resolve", type="primary"):
    try:
        proj.retried(lambda session: consensus.resolve(session, unit, final, memo, lead))
        ss.ks_saved = unit
        st.rerun()
    except QdaError as exc:
        st.error(f"Beslutet kunde inte sparas: {ui.reason(exc)}")
