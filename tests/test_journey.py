"""The whole journey of a new user, as one test: an own workbook with three question
sheets in three layouts, two transcripts with personal data (speakers, people who never
speak, a personal number with a wrong checksum, a phone number, an e-mail address),
workshops, a blind round for two coders, consensus, and every export, read back and
searched for every planted name and number."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from coding import codes, codings
from corpus.models import Assignment, Segment
from corpus.project import open_project
from qda import app

from .conftest import write_xlsx

PLANTED = ["Karin Ek", "Jonas Holmberg", "Holmberg", "Maria Lindqvist", "Lindqvist",
           "Eva Karlsson", "Karlsson", "Lena Berg", "Birgitta Svensson", "Svensson",
           "19520304-1235", "520304-1235", "070-987 65 43", "maria.lindqvist@example.se",
           "Tack Maria"]
TALK_1 = """Karin Ek  00:00:05
Välkomna! Jag heter Karin och leder samtalet. Vi börjar med samverkan.
Talare 2  00:00:40
Jag heter Maria Lindqvist och jobbar i Lerum. Ring mig på 070-987 65 43 eller mejla
maria.lindqvist@example.se. Vi har en gemensam SIP-mall som fungerar bra.
Paus 00:06:00
Karin Ek  00:10:00
Per månad har vi tre möten. Tack Maria.
"""
TALK_2 = """Jonas Holmberg  00:00:03
Eva Karlsson heter jag. En brukare, 19520304-1235, fick vänta på hemtjänsten.
Talare 2  00:01:10
Prata med Lena Berg om mobila team, eller med Birgitta Svensson på vårdcentralen.
Jonas Holmberg  00:02:00
Tillit mellan cheferna är viktigt, säger Holmberg.
"""


def run(root: Path, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, [*args, "-p", str(root)], env={"QDA_CODER": "lead"})
    assert result.exit_code == code, result.output
    return result.output


def exported_text(path: Path) -> str:
    if path.suffix in (".docx", ".xlsx", ".qdpx", ".zip"):
        with zipfile.ZipFile(path) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace")
                             for n in archive.namelist() if not n.endswith((".png", ".jpg")))
    return path.read_text(encoding="utf-8-sig", errors="replace")


def test_a_new_users_journey_leaves_no_planted_name_or_number_in_any_export(tmp_path):
    root = tmp_path / "studie"
    assert CliRunner().invoke(app, ["init", str(root)]).exit_code == 0
    write_xlsx(tmp_path / "lappar.xlsx", {
        "Fråga 1": [["Fråga 1: Vad fungerar bra i samverkan?", None, None],
                    ["GR", "Borås", "Skaraborg"],
                    ["Gemensam SIP-mall", "Tillit mellan cheferna x2",
                     "Kontaktperson på varje enhet, minst 2 st"],
                    ["Fler mobila team", "Ring Lena Berg om avtalet", None]],
        "Fråga 2": [["Område", "Inlägg"], ["VGR", "Väntetider till vårdcentralen"],
                    ["Fyrbodal", "Data om hemtjänsten saknas"]],
        "Fråga 3": [["Inlägg", "Område"], ["Andel SIP med uppföljning", "GR"],
                    ["Antal hembesök per månad", "Skaraborg"]]})
    (tmp_path / "gr_samtal.txt").write_text(TALK_1, encoding="utf-8")
    (tmp_path / "fyrbodal_samtal.txt").write_text(TALK_2, encoding="utf-8")
    out = run(root, "ingest", str(tmp_path / "lappar.xlsx"))
    assert "question 1" in out and "question 2" in out
    run(root, "ingest", str(tmp_path / "gr_samtal.txt"), "--question", "1")
    run(root, "ingest", str(tmp_path / "fyrbodal_samtal.txt"), "--question", "2")
    run(root, "codebook", "import", "forstudie-postits")
    assert "units to anna, bo" in run(root, "round", "create", "--coders", "anna,bo")

    project = open_project(root)
    try:
        with project.transaction() as s:
            sip = codes.find_code(s, "Samverkan > SIP").id
            other = codes.find_code(s, "Tillgänglighet").id
            for coder in ("anna", "bo"):
                units = s.scalars(select(Assignment.segment_id)
                                  .where(Assignment.coder == coder)).all()
                for unit in units:
                    text = s.get(Segment, unit).text
                    chosen = sip if ("SIP" in text or coder == "anna") else other
                    codings.accept(s, unit, chosen, coder, is_quote="SIP" in text)
        every_text = " ".join(t for (t,) in project.session().execute(select(Segment.text)))
    finally:
        project.close()
    for planted in PLANTED:
        assert planted not in every_text, planted
    assert "Per månad" in every_text and "Kontaktperson på varje enhet, minst 2 st" in every_text

    adopted = run(root, "consensus", "adopt")
    assert "round" in adopted
    agreement = json.loads(run(root, "agreement", "--json", "--bootstrap", "200"))
    overall = agreement["levels"]["huvudtema"]["overall"]     # both levels by default
    assert 0 <= overall["percent_agreement"] <= 1
    low, high = overall["ci"]["alpha"] or (overall["alpha"], overall["alpha"])
    assert overall["alpha"] is None or low <= overall["alpha"] <= high

    exports = tmp_path / "exports"
    made = []
    for what, fmt in [("bilaga2", "xlsx"), ("bilaga2", "docx"), ("bilaga2", "md"),
                      ("themes", "xlsx"), ("themes", "docx"), ("quotes", "xlsx"),
                      ("quotes", "docx"), ("tabell1", "csv"), ("heatmap", "svg"),
                      ("qdpx", "qdpx"), ("qdc", "qdc"), ("agreement", "xlsx"),
                      ("audit", "csv"), ("metodbilaga", "docx")]:
        path = exports / f"{what}.{fmt}"
        run(root, "export", what, "-f", fmt, "-o", str(path))
        made.append(path)
    run(root, "codings", "export", "--coder", "konsensus", "-o", str(exports / "k.tsv"))
    made.append(exports / "k.tsv")
    for path in made:
        text = exported_text(path)
        for planted in PLANTED:
            assert planted not in text, f"{planted!r} in {path.name}"
    bilaga2 = (exports / "bilaga2.md").read_text(encoding="utf-8")
    assert "## Fråga 1: Vad fungerar bra i samverkan?" in bilaga2
