"""Codebook editing in a project: every change audited, codings follow merges and moves."""

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from coding import codes, codings
from coding.codebook import parse_codebook, read_codebook
from corpus.errors import QdaError
from corpus.ingest import ingest_file
from corpus.models import AuditEvent, Coding
from corpus.models import Code as CodeRow
from corpus.readers import ReadOptions
from qda import app

from .conftest import acting


@pytest.fixture
def coded(project, tmp_path):
    (tmp_path / "notes.csv").write_text(
        "Område,Inlägg\nGR,Kostnad per brukare\nGR,Antal SIP per år\nVGR,Vårdtyngd i hemmet\n",
        encoding="utf-8")
    ingest_file(project, tmp_path / "notes.csv", ReadOptions(question=1))
    with project.transaction() as s:
        codes.add_code(s, "Resurser", acting("anna"))
        codes.add_code(s, "Resurser > Kostnader", acting("anna"), keywords=["kostnad"])
        codes.add_code(s, "Samverkan", acting("anna"))
        codes.add_code(s, "Samverkan > SIP", acting("anna"))
        codes.add_code(s, "Ekonomi", acting("anna"))
    return project


def events(project, action):
    with project.session() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.action == action))


def code_id(project, path):
    with project.session() as s:
        return codes.get_code(s, path).id


def test_add_needs_parent_and_unique_sibling_names(coded):
    with coded.transaction() as s, pytest.raises(QdaError, match="no parent code 'Okänd'"):
        codes.add_code(s, "Okänd > Barn", acting("anna"))
    with coded.transaction() as s, pytest.raises(QdaError, match="already exists"):
        codes.add_code(s, "Resurser > Kostnader", acting("anna"))
    assert events(coded, "code.add") == 5


def test_rename_and_move_are_audited_and_cycles_refused(coded):
    with coded.transaction() as s:
        codes.rename_code(s, "Resurser", "Resursfördelning", acting("anna"), memo="tydligare")
        codes.move_code(s, "Samverkan > SIP", "Resursfördelning", acting("anna"))
    with coded.session() as s:
        assert codes.find_code(s, "Resursfördelning > SIP") is not None
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "code.rename")).one()
        assert (event.before["name"], event.after["name"], event.memo) == (
            "Resurser", "Resursfördelning", "tydligare")
    with coded.transaction() as s, pytest.raises(QdaError, match="under itself"):
        codes.move_code(s, "Resursfördelning", "Resursfördelning > SIP", acting("anna"))


def test_merge_moves_codings_keeps_stronger_decision_and_is_one_event(coded):
    cost, eco = code_id(coded, "Resurser > Kostnader"), code_id(coded, "Ekonomi")
    with coded.transaction() as s:
        codings.accept(s, 1, eco, "anna", memo="ekonomi")
        codings.reject(s, 1, cost, "anna")
        codings.accept(s, 2, eco, "bo")
    before = events(coded, "code.merge")
    with coded.transaction() as s:
        stats = codes.merge_codes(s, "Ekonomi", "Resurser > Kostnader", acting("anna"))
    assert stats == {"moved": 1, "dropped": 1, "children": 0}
    assert events(coded, "code.merge") == before + 1
    with coded.session() as s:
        rows = {(c.segment_id, c.coder): c for c in s.scalars(select(Coding))}
        assert s.get(CodeRow, eco) is None
    assert rows[(1, "anna")].status == "accepted" and rows[(1, "anna")].code_id == cost
    assert rows[(1, "anna")].memo == "ekonomi"
    assert rows[(2, "bo")].code_id == cost


def test_delete_refuses_a_used_code_unless_forced(coded):
    sip = code_id(coded, "Samverkan > SIP")
    with coded.transaction() as s:
        codings.accept(s, 2, sip, "anna")
    with coded.transaction() as s, pytest.raises(QdaError, match="has 1 coding"):
        codes.delete_code(s, "Samverkan", acting("anna"))
    with coded.transaction() as s:
        assert codes.delete_code(s, "Samverkan", acting("anna"), force=True) == 1
    with coded.session() as s:
        assert codes.find_code(s, "Samverkan") is None
        assert s.scalar(select(func.count()).select_from(Coding)) == 0
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "code.delete")).one()
        assert event.before["sub_codes"] == 1 and event.before["codings"] == 1


def test_import_then_export_round_trips_a_bundled_codebook(project):
    doc = read_codebook("forstudie-postits")
    with project.transaction() as s:
        assert codes.import_doc(s, doc, acting("anna")) == {"added": 66, "updated": 0,
                                                            "changed": {}}
    with project.transaction() as s:
        assert codes.import_doc(s, doc, acting("anna")) == {"added": 0, "updated": 0, "changed": {}}
        out = codes.export_doc(s, doc.name, doc.title)
    assert [(p, c.to_dict()) for p, c in out.walk()] == [(p, c.to_dict()) for p, c in doc.walk()]
    with project.session() as s:
        frame = codes.codebook_frame(s)
    assert frame["code"].iloc[0] == "Vård på rätt vårdnivå"
    assert len(frame) == 66


def test_decisions_validate_coder_and_are_audited(coded):
    cost = code_id(coded, "Resurser > Kostnader")
    with coded.transaction() as s, pytest.raises(QdaError, match="reserved"):
        codings.accept(s, 1, cost, "förslag")
    with coded.transaction() as s:
        codings.accept(s, 1, cost, "anna", is_quote=True)
        codings.remove(s, 1, cost, "anna")
    assert events(coded, "coding.accept") == 1 and events(coded, "coding.remove") == 1


def test_importing_a_file_that_lists_a_theme_only_to_add_children_keeps_the_theme(project):
    first = parse_codebook("""
codes:
  - name: Samverkan
    origin: fardplan
    definition: Arbete över huvudmannagränser.
    keywords: [samverkan, SIP, huvudmän]
    examples: [Gemensam planering]
    children: [{name: SIP}]
""")
    with project.transaction() as s:
        codes.import_doc(s, first, acting("anna"))
    addition = parse_codebook("""
codes:
  - name: Samverkan
    children:
      - name: Mobila team
        keywords: [mobila team]
""")
    with project.transaction() as s:
        assert codes.import_doc(s, addition, acting("anna")) == {"added": 1, "updated": 0,
                                                          "changed": {}}
    with project.session() as s:
        row = codes.find_code(s, "Samverkan")
        assert row.definition == "Arbete över huvudmannagränser."
        assert row.keywords == ["samverkan", "SIP", "huvudmän"] and row.origin == "fardplan"
        assert codes.find_code(s, "Samverkan > Mobila team").origin == "emergent"
    revision = parse_codebook("""
codes:
  - name: Samverkan
    definition: Samarbete mellan kommun och region.
    keywords: [sip, gemensamma möten]
""")
    with project.transaction() as s:
        stats = codes.import_doc(s, revision, acting("anna"))
    assert stats["changed"] == {"Samverkan": ["definition", "keywords"]}
    with project.session() as s:
        row = codes.find_code(s, "Samverkan")
        assert row.definition == "Samarbete mellan kommun och region."
        assert row.keywords == ["samverkan", "SIP", "huvudmän", "gemensamma möten"]
        assert row.examples == ["Gemensam planering"]


def test_codebook_import_cli_says_what_changed_per_code(sqlite_project, tmp_path):
    (tmp_path / "a.yaml").write_text("codes:\n  - name: Samverkan\n    keywords: [sip]\n",
                                     encoding="utf-8")
    (tmp_path / "b.yaml").write_text("codes:\n  - name: Samverkan\n    keywords: [tillit]\n"
                                     "    definition: Ny.\n", encoding="utf-8")
    runner = CliRunner()
    p = ["-p", str(sqlite_project.root)]
    assert "1 codes added" in runner.invoke(app, ["codebook", "import", str(tmp_path / "a.yaml"),
                                                  *p]).output
    out = runner.invoke(app, ["codebook", "import", str(tmp_path / "b.yaml"), *p]).output
    assert "0 codes added, 1 updated" in out and "Samverkan: definition, keywords" in out
