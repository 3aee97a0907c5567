"""The app's entry point: page navigation, the open project and who is coding.

Started by `qda app [PROJECT]`; one file per page beside this one.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app import state
from corpus.errors import QdaError

HERE = Path(__file__).parent
# No page icons: Streamlit fetches a page's icon for the favicon from Google's font CDN,
# and the app must not reach the network.
PAGES = [("projekt.py", "Projekt"), ("kodbok.py", "Kodbok"), ("kodning.py", "Kodning"),
         ("transkript.py", "Transkript"), ("teman.py", "Teman"),
         ("samstammighet.py", "Samstämmighet"), ("konsensus.py", "Konsensus"),
         ("export.py", "Export")]


def sidebar() -> None:
    proj = state.project()
    with st.sidebar:
        if proj is None:
            st.caption("Inget projekt öppet")
            return
        st.caption(f"Projekt: **{proj.root.name}**")
        known = state.known_coders(proj)
        current = state.coder()
        choices = sorted(set(known) | ({current} if current else set()))
        picked = st.selectbox("Kodare", choices, index=choices.index(current) if current
                              else None, placeholder="Välj ditt namn …", accept_new_options=True,
                              key="coder_picker",
                              help="Skriv ett nytt namn för att börja som ny kodare.")
        if picked and picked != current:
            try:
                state.set_coder(picked)
                st.rerun()
            except QdaError:
                st.error(f"Namnet {picked!r} är reserverat eller tomt; välj ett annat.")


def main() -> None:
    st.set_page_config(page_title="workshop-qda", layout="wide")
    sidebar()
    start = "kodning.py" if state.project() else "projekt.py"
    pages = [st.Page(str(HERE / f), title=t, default=f == start) for f, t in PAGES]
    st.navigation(pages).run()


main()
