"""Codebooks from the tools researchers use: REFI-QDA .qdc (ours, QualCoder's, Taguette's),
the code tree of a .qdpx (MAXQDA, ATLAS.ti), Taguette's CSV; through `qda codebook import`."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from coding import codes
from corpus.project import init_project, open_project
from qda import app
from refi.codebooks import read_any
from reports.run import export

from .conftest import acting
from .devdata import refi_dir


def samples():
    return refi_dir() / "samples"


def qda(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def _tree(root):
    project = open_project(root)
    try:
        with project.session() as s:
            return {" > ".join(path): code_id for code_id, path in codes.ordered_paths(s)}
    finally:
        project.close()


@pytest.mark.parametrize("name, n_codes, a_path", [
    ("taguette-1.5.2.qdc", 7, "Tillgänglighet > Primärvården"),
    ("qualcoder-native.qdc", 81, "Vård på rätt vårdnivå > Digitalisering > "
                                 "Digitala vårdkontakter"),
    ("maxqda24-export.qdpx", 307, None),
    ("atlas-target-project.qdpx", 3, None),
])
def test_each_sample_codebook_imports_with_its_tree(tmp_path, name, n_codes, a_path):
    root = tmp_path / "p"
    assert qda("init", root).exit_code == 0
    out = qda("codebook", "import", samples() / name, "-p", root)
    assert out.exit_code == 0, out.output
    assert f"{n_codes} codes added" in out.output
    tree = _tree(root)
    assert len(tree) == n_codes
    if a_path:
        assert a_path in tree


def test_taguette_names_become_a_tree_and_keep_what_the_project_has(tmp_path):
    """Taguette writes 'Parent.Child' and no descriptions: a merge adds the tree and
    leaves the definitions a project already has."""
    project = init_project(tmp_path / "p")
    with project.transaction() as s:
        codes.add_code(s, "Tillgänglighet", acting("anna"), definition="Väntetider och köer.")
    project.close()
    out = qda("codebook", "import", samples() / "taguette-1.5.2.qdc", "-p", tmp_path / "p")
    assert out.exit_code == 0, out.output
    project = open_project(tmp_path / "p")
    with project.session() as s:
        kept = codes.find_code(s, "Tillgänglighet")
        assert kept.definition == "Väntetider och köer."
        assert codes.find_code(s, "Vård på rätt vårdnivå > Från sjukhus till hemmet")
        assert codes.find_code(s, "Resursfördelning > Vårdtyngd")
    project.close()


def test_taguette_csv_codebook_from_swedish_excel(tmp_path):
    path = tmp_path / "taguette.csv"
    path.write_text("tag;description;number\n"
                    "Samverkan;Hur huvudmännen arbetar ihop;3\n"
                    "Samverkan.SIP;Samordnad individuell plan;2\n"
                    "Uppföljning.Nyckeltal;;0\n", encoding="utf-8-sig")
    doc = read_any(path)
    paths = {" > ".join(p): spec for p, spec in doc.walk()}
    assert set(paths) == {"Samverkan", "Samverkan > SIP", "Uppföljning",
                          "Uppföljning > Nyckeltal"}
    assert paths["Samverkan > SIP"].definition == "Samordnad individuell plan"
    bad = tmp_path / "bad.csv"
    bad.write_text("kod,beskrivning\nx,y\n", encoding="utf-8")
    out = qda("codebook", "import", bad, "-p", tmp_path)
    assert out.exit_code == 1 and "[E303]" in out.output and "bad.csv" in out.output


def test_our_qdc_comes_back_as_it_went(coded, tmp_path):
    export(coded, "qdc", out=tmp_path / "book.qdc")
    with coded.session() as s:
        before = codes.export_doc(s, "x")
    root = tmp_path / "p"
    assert qda("init", root).exit_code == 0
    assert qda("codebook", "import", tmp_path / "book.qdc", "-p", root).exit_code == 0
    project = open_project(root)
    with project.session() as s:
        after = codes.export_doc(s, "x")
    project.close()
    assert [(p, c.definition, c.keywords, c.examples, c.colour, c.origin)
            for p, c in after.walk()] == [(p, c.definition, c.keywords, c.examples, c.colour,
                                           c.origin) for p, c in before.walk()]


def test_a_codebook_given_as_a_project_and_the_other_way_round(tmp_path):
    out = qda("import-qdpx", samples() / "taguette-1.5.2.qdc", tmp_path / "new")
    assert out.exit_code == 1
    assert "codebook import" in out.output and "[E425]" in out.output
    assert not (tmp_path / "new").exists()
    renamed = tmp_path / "project.qdc"
    renamed.write_bytes((samples() / "maxqda24-export.qdpx").read_bytes())
    out = qda("codebook", "import", renamed, "-p", tmp_path)
    assert out.exit_code == 1 and "[E426]" in out.output and "project.qdc" in out.output
