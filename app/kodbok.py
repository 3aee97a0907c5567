"""Kodbok: the code tree with definitions and keywords; add, edit, rename, move, merge,
delete (asking first when coders have used the code), import and export YAML."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st
from sqlalchemy import select

from app import state, ui
from coding import codes, final
from coding.codebook import bundled_names, join_path, read_codebook
from corpus.errors import QdaError
from corpus.models import Code as CodeRow
from people.accounts import Can
from refi.codebooks import read_any

ORIGIN_LABELS = {"fardplan": "Färdplan", "emergent": "Framvuxen"}

proj = state.require_project()
state.require(Can.READ_SEGMENTS)
user = state.acting()
editable = state.may(Can.EDIT_CODEBOOK)
ss = st.session_state
st.title("Kodbok")


def run(label: str, change, *args, said: str | None = None, **kwargs) -> bool:
    """One codebook change in one transaction; a refusal is shown, nothing half-done.
    `said`: what the page says when it is done (else "LABEL: klart.")."""
    try:
        proj.retried(lambda session: change(session, *args, **kwargs))
        st.cache_data.clear()
        ss.kb_message = said or f"{label}: klart."
        return True
    except QdaError as exc:
        st.error(f"{label} gick inte: {ui.reason(exc)}")
        return False


def _read_upload(upload):
    """An uploaded codebook through the same readers as `qda codebook import`."""
    with tempfile.TemporaryDirectory(prefix="qda-codebook-") as tmp:
        path = Path(tmp) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        return read_any(path)


FIELD_LABELS = {"definition": "definition", "inclusion": "inkludering",
                "exclusion": "exkludering", "keywords": "nyckelord", "examples": "exempel",
                "origin": "ursprung", "colour": "färg"}


def lines(text: str) -> list[str]:
    return [x.strip() for x in text.replace(";", "\n").splitlines() if x.strip()]


if ss.get("kb_message"):
    st.success(ss.pop("kb_message"))

with proj.session() as session:
    frame = codes.codebook_frame(session, state.actor())
    rows = {r.id: r for r in session.scalars(select(CodeRow))}
    # units per code in the report's layer, where the user may see the report's counts
    in_final = final.units_per_code(final.compose(session)) \
        if state.may(Can.READ_THEMES) else None
paths = {int(i): code for i, code in zip(frame["id"], frame["code"], strict=True)}

left, right = st.columns([3, 2], gap="large")
with left:
    table = frame.assign(
        Kod=["\u2003" * d + p.split(" > ")[-1] for d, p in zip(frame.depth, frame.code,
                                                               strict=True)],
        Ursprung=frame.origin.map(ORIGIN_LABELS),
        Färg=[rows[i].colour or "" for i in frame.id],
        Nyckelord=[", ".join(rows[i].keywords or []) for i in frame.id],
        Enheter=[(in_final or {}).get(int(i), 0) for i in frame.id],
    )[["Kod", "Ursprung", "Färg", "Nyckelord", *(["Enheter"] if in_final is not None else []),
       "accepted", "suggested", "rejected"]].rename(
        columns={"accepted": "Kodade", "suggested": "Föreslagna", "rejected": "Avvisade"})
    st.dataframe(table, hide_index=True, key="kb_table", height=520, column_config={
        "Enheter": st.column_config.NumberColumn(
            "Enheter (slutlig)", help="Enheter som det slutliga lagret kodar med koden "
            "(konsensus där den beslutat, annars samstämmig eller enda kodarens kodning)."),
        "Kodade": st.column_config.NumberColumn(
            help="Accepterade kodningar i alla lager (varje kodare och konsensus)."),
        "Föreslagna": st.column_config.NumberColumn(
            help="Förslag i alla förslagslager (det gemensamma och varje kodares egna)."),
    })

with right:
    selected = st.selectbox("Kod", list(paths), index=None, key="kb_selected",
                            format_func=paths.get, placeholder="Skriv för att söka en kod …")
    if selected is None:
        st.info("Välj en kod för att se och ändra den.")
    elif not editable:
        row = rows[selected]
        st.subheader(ui.text(paths[selected]))
        for title, value in (("Definition", row.definition), ("Inkludera", row.inclusion),
                             ("Exkludera", row.exclusion),
                             ("Nyckelord", ", ".join(row.keywords or [])),
                             ("Exempel", "\n".join(row.examples or []))):
            if value:
                st.markdown(f"**{title}**  \n{ui.safe(value)}", unsafe_allow_html=True)
        st.caption("Bara projektledaren ändrar kodboken.")
    else:
        row = rows[selected]
        st.subheader(ui.text(paths[selected]))
        with st.form(f"kb_edit_{selected}"):
            definition = st.text_area("Definition", row.definition or "")
            inclusion = st.text_area("Inkludera", row.inclusion or "", height=68)
            exclusion = st.text_area("Exkludera", row.exclusion or "", height=68)
            keywords = st.text_area("Nyckelord (ett per rad)", "\n".join(row.keywords or []))
            examples = st.text_area("Exempel (ett per rad)", "\n".join(row.examples or []))
            c1, c2 = st.columns(2)
            origin = c1.selectbox("Ursprung", list(ORIGIN_LABELS),
                                  index=list(ORIGIN_LABELS).index(row.origin),
                                  format_func=ORIGIN_LABELS.get)
            colour = c2.color_picker("Färg", row.colour or ui.code_colour(selected))
            if st.form_submit_button("Spara ändringar", type="primary") and run(
                    "Ändringen", codes.update_code, selected, user,
                    definition=definition or None, inclusion=inclusion or None,
                    exclusion=exclusion or None, keywords=lines(keywords),
                    examples=lines(examples), origin=origin, colour=colour):
                st.rerun()
        memo = st.text_input("Memo (varför, sparas i loggen)", key="kb_memo")
        with st.expander("Byt namn"):
            name = st.text_input("Nytt namn", row.name, key=f"kb_name_{selected}")
            if st.button("Byt namn", key="kb_rename") and run(
                    "Namnbytet", codes.rename_code, selected, name, user, memo=memo or None):
                st.rerun()
        others = [i for i in paths if i != selected]
        with st.expander("Flytta"):
            parent = st.selectbox("Ny överkod", [None, *others], key="kb_parent",
                                  format_func=lambda i: paths[i] if i else "(översta nivån)")
            if st.button("Flytta", key="kb_move") and run(
                    "Flytten", codes.move_code, selected, parent, user, memo=memo or None):
                st.rerun()
        with st.expander("Slå ihop med annan kod"):
            target = st.selectbox("Slå ihop in i", others, index=None, key="kb_target",
                                  format_func=paths.get, placeholder="Välj kod …")
            st.caption("Kodningarna och underkoderna flyttas till målkoden; den här koden "
                       "försvinner.")
            if st.button("Slå ihop", key="kb_merge", disabled=target is None) and run(
                    "Sammanslagningen", codes.merge_codes, selected, target, user,
                    memo=memo or None):
                st.rerun()
        with st.expander("Radera"):
            with proj.session() as session:
                used = codes.decided_count(session, selected)
            sure = True
            if used:
                codings = ui.count(used, "kodning", "kodningar")
                st.warning(f"Koden (med underkoder) har {codings} av kodare. "
                           "De raderas också; överväg att slå ihop i stället.")
                sure = st.checkbox(f"Ja, radera koden och dess {codings}",
                                   key="kb_sure")
            if st.button("Radera kod", key="kb_delete", disabled=not sure,
                         type="primary") and run("Raderingen", codes.delete_code, selected,
                                                 user, force=bool(used), memo=memo or None):
                st.rerun()

st.divider()
a1, a2, a3 = st.columns(3)
if state.may(Can.ADD_CODE):
    with a1, st.form("kb_add", clear_on_submit=True):
        st.markdown("**Ny kod**")
        new_path = st.text_input("Sökväg", placeholder="Huvudtema > Subtema")
        new_def = st.text_input("Definition")
        new_kw = st.text_input("Nyckelord (kommaseparerade)")
        if st.form_submit_button("Lägg till") and run(
                "Den nya koden", codes.add_code, new_path, user, definition=new_def or None,
                keywords=[k.strip() for k in new_kw.split(",") if k.strip()], origin="emergent",
                said=f"Koden ”{' > '.join(p.strip() for p in new_path.split('>'))}” lades till."):
            st.rerun()
if editable:
    with a2:
        st.markdown("**Importera kodbok**")
        bundled = st.selectbox("Medföljande", [None, *bundled_names()], key="kb_bundled",
                               format_func=lambda n: n or "–")
        upload = st.file_uploader("eller en fil: YAML, REFI-QDA (.qdc, .qdpx från NVivo, "
                                  "ATLAS.ti, MAXQDA, QualCoder) eller Taguettes CSV",
                                  type=["yaml", "yml", "qdc", "qdpx", "csv"], key="kb_yaml")
        if st.button("Importera", key="kb_import", disabled=not (bundled or upload)):
            try:
                doc = read_codebook(bundled) if bundled else _read_upload(upload)
                stats = proj.retried(lambda session: codes.import_doc(session, doc, user))
                st.cache_data.clear()
                changed = "; ".join(f"{path}: {', '.join(FIELD_LABELS.get(f, f) for f in fs)}"
                                    for path, fs in stats["changed"].items())
                ss.kb_message = (f"Importen: {stats['added']} koder tillagda, "
                                 f"{stats['updated']} ändrade" + (f" ({changed})" if changed
                                                                  else "") + ".")
                st.rerun()
            except QdaError as exc:
                st.error(f"Kodboken kunde inte läsas: {ui.reason(exc)}")
with a3:
    st.markdown("**Exportera kodbok**")
    with proj.session() as session:
        yaml_text = codes.export_doc(session, proj.root.name, actor=state.actor()).to_yaml()
    st.download_button("Ladda ner YAML", yaml_text.encode("utf-8"), "kodbok.yaml",
                       "application/x-yaml", key="kb_export")
    st.caption(f"{ui.count(len(paths), 'kod', 'koder')}; sökvägar skrivs "
               f"{join_path(('Huvudtema', 'Subtema'))!r}")
