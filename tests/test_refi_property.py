"""Our own export, imported and exported again, is the same project: a property over
generated projects with several coders, memos, quotes, emoji and other characters outside
the Basic Multilingual Plane (REFI-QDA offsets count code points, as Python does)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coding import codes, codings
from corpus.ingest import ingest_file
from corpus.models import Memo
from corpus.project import init_project, open_project
from corpus.readers import ReadOptions
from refi.importer import import_qdpx
from reports.run import export

from .conftest import SMALL_BOOK, acting
from .refi_support import canonical

WORDS = st.sampled_from(["samverkan", "väntetid", "hemsjukvård", "sip", "mått", "äldre",
                         "🙂", "𝔸𝔹", "👩‍⚕️", "ö-lag", "data", "😀 bra", "vård", "t.ex."])
TEXT = st.lists(WORDS, min_size=1, max_size=8).map(" ".join)
CODERS = st.sampled_from(["anna", "bo", "cecilia"])
THEMES = st.sampled_from(["Samverkan", "Samverkan > SIP", "Tillgänglighet"])


@st.composite
def projects(draw):
    notes = draw(st.lists(st.tuples(st.sampled_from(["GR", "VGR", "Borås"]), TEXT),
                          min_size=1, max_size=6))
    decisions = draw(st.lists(st.tuples(st.integers(0, len(notes) - 1), THEMES, CODERS,
                                        st.one_of(st.none(), TEXT), st.booleans()),
                              max_size=10))
    journal = draw(st.lists(st.tuples(TEXT, TEXT), max_size=2))
    return notes, decisions, journal


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(projects())
def test_export_import_export_is_the_same(tmp_path_factory, generated):
    notes, decisions, journal = generated
    tmp = tmp_path_factory.mktemp("prop")
    project = init_project(tmp / "p")
    (tmp / "lappar.csv").write_text("Område,Inlägg\n" + "".join(
        f'{area},"{text}"\n' for area, text in notes), encoding="utf-8")
    ingest_file(project, tmp / "lappar.csv", ReadOptions(question=1))
    with project.transaction() as s:
        codes.import_doc(s, SMALL_BOOK, acting("anna"))
        for note, theme, coder, memo, quote in decisions:
            codings.accept(s, note + 1, codes.find_code(s, theme).id, coder, memo=memo,
                           is_quote=quote)
        for title, text in journal:
            s.add(Memo(kind="journal", title=title, text=text, author="anna"))
    first = export(project, "qdpx", out=tmp / "a.qdpx").path
    project.close()
    import_qdpx(first, tmp / "copy")
    copy = open_project(tmp / "copy")
    second = export(copy, "qdpx", out=tmp / "b.qdpx").path
    copy.close()
    assert canonical(first) == canonical(second)
