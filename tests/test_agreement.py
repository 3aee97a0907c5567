"""Agreement figures reproduce scikit-learn, the krippendorff package and Krippendorff's
own worked examples; rounds, blind double coding, disagreements and consensus."""

from __future__ import annotations

import itertools
import json
import re

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from sqlalchemy import select, text
from typer.testing import CliRunner

from coding import agreement, codes, codings, consensus, relevance, rounds
from corpus.errors import QdaError
from corpus.ingest import ingest_file
from corpus.models import AuditEvent, Coding
from corpus.readers import ReadOptions
from qda import app
from themes import tables
from themes.layers import resolve_layer

from .conftest import SMALL_BOOK, acting

NAN = np.nan

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example C: four
# observers, twelve units, values 1-5, missing data; nominal alpha = 0.743.
KRIPPENDORFF_C = [[1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
                  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
                  [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
                  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN]]
# the same paper, example A: binary data, two observers, ten units; alpha = 0.095.
KRIPPENDORFF_A = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
                  [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]

BOOK = SMALL_BOOK
NOTES = [("GR", "Antal SIP per invånare"), ("Borås", "Tillit mellan huvudmännen"),
         ("VGR", "Väntetider till vårdcentralen"), ("Skaraborg", "Gemensam planering"),
         ("GR", "Uppföljning av SIP"), ("Fyrbodal", "Telefontider på vårdcentralen"),
         ("Borås", "Förtroende mellan chefer"), ("VGR", "Korta köer")]


def test_the_published_worked_examples_are_reproduced_exactly():
    assert round(krippendorff.alpha(reliability_data=KRIPPENDORFF_C,
                                    level_of_measurement="nominal"), 3) == 0.743
    binary = np.array(KRIPPENDORFF_A, dtype=float)
    assert round(agreement.alpha_of(binary), 3) == 0.095
    stats = agreement.unit_stats(binary.astype(np.uint8), np.ones_like(binary, dtype=bool))
    forms = agreement.closed_forms(stats.sum(axis=0))
    assert round(float(forms["alpha"]), 3) == 0.095
    assert round(float(forms["kappa"]), 3) == round(cohen_kappa_score(*KRIPPENDORFF_A), 3)
    assert round(float(forms["percent_agreement"]), 3) == 0.6


@pytest.mark.parametrize("seed", range(8))
def test_closed_forms_equal_the_libraries_on_random_data_with_missing_values(seed):
    rng = np.random.default_rng(seed)
    coders, units = 2 + seed % 3, 40
    values = (rng.random((coders, units)) < 0.4).astype(np.uint8)
    observed = rng.random((coders, units)) < 0.85
    observed[:2, :5] = True
    matrix = values.astype(float)
    matrix[~observed] = NAN
    forms = agreement.closed_forms(agreement.unit_stats(values, observed).sum(axis=0))
    expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    assert float(forms["alpha"]) == pytest.approx(expected, abs=1e-9)
    both = observed[0] & observed[1]
    assert float(forms["kappa"]) == pytest.approx(
        cohen_kappa_score(values[0, both], values[1, both]), abs=1e-9)
    assert agreement.kappa_of(values[0, both], values[1, both]) == pytest.approx(
        cohen_kappa_score(values[0, both], values[1, both]), abs=1e-12)


binary_rows = st.lists(st.integers(0, 1), min_size=2, max_size=30)


@settings(max_examples=60, deadline=None)
@given(row=binary_rows, coders=st.integers(2, 4))
def test_identical_codings_agree_fully(row, coders):
    values = np.array([row] * coders, dtype=np.uint8)
    observed = np.ones_like(values, dtype=bool)
    forms = agreement.closed_forms(agreement.unit_stats(values, observed).sum(axis=0))
    assert float(forms["percent_agreement"]) == 1.0
    if len(set(row)) == 2:       # with one category only, kappa and alpha are undefined
        assert agreement.alpha_of(values.astype(float)) == pytest.approx(1.0)
        assert agreement.kappa_of(values[0], values[1]) == pytest.approx(1.0)
        assert float(forms["alpha"]) == pytest.approx(1.0)
    else:
        assert agreement.alpha_of(values.astype(float)) is None
        assert agreement.kappa_of(values[0], values[1]) is None


@settings(max_examples=60, deadline=None)
@given(data=st.data(), coders=st.integers(2, 4), units=st.integers(2, 25))
def test_alpha_is_symmetric_in_coders(data, coders, units):
    cells = st.sampled_from([0.0, 1.0, NAN])
    matrix = np.array([[data.draw(cells) for _ in range(units)] for _ in range(coders)])
    order = data.draw(st.permutations(range(coders)))
    first, second = agreement.alpha_of(matrix), agreement.alpha_of(matrix[list(order)])
    assert (first is None) == (second is None)
    if first is not None:
        assert first == pytest.approx(second, abs=1e-12)


def random_data(seed: int, coders: int, units: int, codes: int, agree: float = 0.7
                ) -> agreement.Data:
    """Coders who copy a first coder's decision with probability `agree`, some missing."""
    rng = np.random.default_rng(seed)
    first = rng.random((codes, units)) < 0.3
    values = np.stack([np.where(rng.random((codes, units)) < agree, first,
                                rng.random((codes, units)) < 0.3)
                       for _ in range(coders)], axis=1).astype(np.uint8)
    observed = rng.random((coders, units)) < 0.9
    observed[:2] = True
    return agreement.Data([f"c{i}" for i in range(coders)], list(range(units)),
                          list(range(codes)), {k: f"kod {k}" for k in range(codes)},
                          observed, values, "kod")


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), coders=st.integers(2, 4), units=st.integers(3, 30),
       codes=st.integers(1, 6), agree=st.floats(0, 1))
def test_pooled_figures_are_shares_whose_intervals_contain_them(seed, coders, units, codes,
                                                                  agree):
    data = random_data(seed, coders, units, codes, agree)
    result = agreement.agreement(data, reps=200, seed=seed)
    for fig in [result.overall, *result.codes]:
        assert 0 <= fig.percent_agreement <= 1
        for name in ("alpha", "kappa", "percent_agreement"):
            estimate, bounds = getattr(fig, name), fig.ci.get(name)
            if estimate is not None and bounds is not None:
                assert bounds[0] - 1e-12 <= estimate <= bounds[1] + 1e-12, name
    # pooled = over every unit x code decision: the share of agreeing pairs of coders
    # (as documented), counted pair by pair, not the mean of per-unit shares
    pairs = [(v[i], v[j]) for k in range(codes) for u in range(units)
             for v in [data.values[k, :, u][data.observed[:, u]]]
             for i, j in itertools.combinations(range(len(v)), 2)]
    assert result.overall.percent_agreement == pytest.approx(np.mean([a == b
                                                                      for a, b in pairs]))
    flat = np.concatenate([data.matrix(k) for k in range(codes)], axis=1)
    forms = agreement.closed_forms(agreement.unit_stats(data.values, data.observed)
                                   .sum(axis=0))
    if result.overall.alpha is not None:
        assert result.overall.alpha == pytest.approx(krippendorff.alpha(
            reliability_data=flat, level_of_measurement="nominal", value_domain=[0, 1]))
        assert float(forms["alpha"]) == pytest.approx(result.overall.alpha)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), coders=st.integers(2, 4), units=st.integers(3, 30),
       codes=st.integers(2, 6))
def test_perfect_agreement_gives_one_overall(seed, coders, units, codes):
    data = random_data(seed, coders, units, codes, agree=1.0)
    result = agreement.agreement(data, reps=100, seed=seed)
    assert result.overall.percent_agreement == 1.0
    if result.overall.alpha is not None:
        assert result.overall.alpha == pytest.approx(1.0)
        assert result.overall.ci["alpha"] == pytest.approx((1.0, 1.0))


# ---- on a project --------------------------------------------------------------------

@pytest.fixture
def notes(project, tmp_path):
    (tmp_path / "n.csv").write_text("Område,Inlägg\n" + "".join(
        f'{a},"{t}"\n' for a, t in NOTES), encoding="utf-8")
    ingest_file(project, tmp_path / "n.csv", ReadOptions(question=1))
    with project.transaction() as s:
        codes.import_doc(s, BOOK, acting("lead"))
    return project


def code_ids(s):
    return {p: codes.find_code(s, p).id for p in
            ("Samverkan > SIP", "Samverkan > Tillit", "Tillgänglighet > Primärvården",
             "Samverkan", "Tillgänglighet")}


ANNA = {1: ["Samverkan > SIP"], 2: ["Samverkan > Tillit"], 3: ["Tillgänglighet > Primärvården"],
        4: ["Samverkan > Tillit"], 5: ["Samverkan > SIP"], 6: ["Tillgänglighet > Primärvården"],
        7: ["Samverkan > Tillit"], 8: []}
BO = {1: ["Samverkan > SIP"], 2: ["Samverkan > Tillit"], 3: ["Tillgänglighet > Primärvården"],
      4: ["Samverkan > SIP"], 5: ["Samverkan > SIP", "Samverkan > Tillit"],
      6: ["Tillgänglighet > Primärvården"], 7: [], 8: ["Tillgänglighet > Primärvården"]}


def code_all(project, coder, plan):
    with project.transaction() as s:
        ids = code_ids(s)
        for seg, paths in plan.items():
            for p in paths:
                codings.accept(s, seg, ids[p], coder)


def vectors(plan, units, path):
    return np.array([int(path in plan[u]) for u in units])


def test_project_figures_equal_sklearn_and_krippendorff_per_code_and_overall(notes):
    code_all(notes, "anna", ANNA)
    code_all(notes, "bo", BO)
    with notes.session() as s:
        result = agreement.compute(s, level="subtema", reps=200)
        ids = code_ids(s)
    # without a round, the units are those both decided: anna never decided note 8, bo
    # never note 7 (neither coded it), so notes 1-6 count
    assert result.coders == ["anna", "bo"] and result.overall.n_units == 6
    units = list(range(1, 7))
    by_code = {c.code: c for c in result.codes}
    flat_a, flat_b = [], []
    for path in ("Samverkan > SIP", "Samverkan > Tillit", "Tillgänglighet > Primärvården"):
        a, b = vectors(ANNA, units, path), vectors(BO, units, path)
        flat_a.append(a)
        flat_b.append(b)
        fig = by_code[path.replace(" > ", " / ")]
        assert fig.code_id == ids[path]
        assert fig.kappa == pytest.approx(cohen_kappa_score(a, b))
        assert fig.alpha == pytest.approx(krippendorff.alpha(
            reliability_data=[a, b], level_of_measurement="nominal"))
        assert fig.percent_agreement == pytest.approx((a == b).mean())
        low, high = fig.ci["alpha"]
        assert low <= fig.alpha + 1e-9 and low <= high
    a, b = np.concatenate(flat_a), np.concatenate(flat_b)
    assert result.overall.kappa == pytest.approx(cohen_kappa_score(a, b))
    assert result.overall.alpha == pytest.approx(krippendorff.alpha(
        reliability_data=[a, b], level_of_measurement="nominal"))
    assert round(result.overall.kappa, 3) == round(cohen_kappa_score(a, b), 3)
    assert result.overall.percent_agreement == pytest.approx((a == b).mean())
    low, high = result.overall.ci["alpha"]
    assert low <= result.overall.alpha <= high
    # main themes: SIP and Tillit both count as Samverkan, so note 4 agrees there
    with notes.session() as s:
        main = agreement.compute(s, level="huvudtema", reps=0)
    samverkan = next(c for c in main.codes if c.code == "Samverkan")
    a = np.array([1, 1, 0, 1, 1, 0])
    b = np.array([1, 1, 0, 1, 1, 0])
    assert samverkan.percent_agreement == 1.0 and samverkan.kappa == pytest.approx(
        cohen_kappa_score(a, b))
    frame = result.frame()
    assert frame.loc[0, "Kod"] == agreement.POOLED
    assert frame.loc[0, "Bedömning"].startswith("sammanvägt mått, ingen bedömning")


def test_a_round_assigns_a_stratified_sample_and_counts_a_unit_left_uncoded(notes):
    with notes.transaction() as s:
        info = rounds.create_round(s, ["anna", "bo"], acting("lead"), share=0.5, seed=3)
    assert info.blind and info.coders == ("anna", "bo")
    with notes.session() as s:
        sample = rounds.assigned(s, info.id, "anna")
        areas = {a for (a, _), i in zip(NOTES, range(1, 9), strict=True) if i in sample}
    # every area (a stratum) is represented; about half the notes in all
    assert areas == {a for a, _ in NOTES} and 4 <= len(sample) <= 6
    with notes.transaction() as s, pytest.raises(QdaError, match="two coders"):
        rounds.create_round(s, ["anna"], acting("lead"))
    # blind: a decision records it as done; a unit with no code is done when marked
    with notes.transaction() as s:
        ids = code_ids(s)
        codings.accept(s, sample[0], ids["Samverkan > SIP"], "anna")
        codings.accept(s, sample[0], ids["Samverkan > Tillit"], "bo")
        assert rounds.mark_done(s, sample[1], "anna") == 1
        assert rounds.mark_done(s, sample[1], "bo") == 1
        assert rounds.blind_round(s, "anna").name == info.name
    with notes.session() as s:
        data = agreement.reliability_data(s, level="subtema", round=info.name)
    assert data.units == sample[:2]           # only units both coders have decided
    with notes.transaction() as s:
        rounds.close_round(s, info.name, acting("lead"))
        assert rounds.blind_round(s, "anna") is None


def test_a_unit_decided_before_the_round_counts_as_done_and_the_share_is_of_units(notes):
    """Anna coded three notes before the round of all eight was made: the round counts
    them done for her (and says so in its audit event), so its progress and the agreement
    count the same units; the share is the one drawn."""
    from corpus.models import AuditEvent

    with notes.transaction() as s:
        ids = code_ids(s)
        for unit in (1, 2):
            codings.accept(s, unit, ids["Samverkan > SIP"], "anna")
        relevance.mark_not_relevant(s, 3, "anna")
        codings.reject(s, 4, ids["Samverkan"], "bo")
        info = rounds.create_round(s, ["anna", "bo"], acting("lead"), seed=2)
        half = rounds.create_round(s, ["anna", "bo"], acting("lead"), share=0.5, seed=2,
                                   name="Halva")
    assert info.done == {"anna": 3, "bo": 1} and info.units == 8
    assert info.share == 1.0 and half.share == half.units / 8
    with notes.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "round.create")
                          .order_by(AuditEvent.id)).first()
        assert event.after["decided before the round"] == {"anna": 3, "bo": 1}


def test_a_blind_coder_never_gets_evidence_from_the_shared_suggestions(notes):
    with notes.transaction() as s:
        ids = code_ids(s)
        s.add(Coding(segment_id=1, code_id=ids["Samverkan > SIP"], coder="förslag",
                     status="suggested", score=0.9, evidence={"reasons": ["från bo"]},
                     is_quote=False))
    with notes.transaction() as s:
        rounds.create_round(s, ["anna", "bo"], acting("lead"))
        blinded = codings.accept(s, 1, ids["Samverkan > SIP"], "anna")
        assert blinded.evidence is None
        rounds.close_round(s, "Omgång 1", acting("lead"))
        opened = codings.accept(s, 1, ids["Samverkan > SIP"], "bo")
        assert opened.evidence == {"reasons": ["från bo"]}


def test_disagreements_resolve_into_the_consensus_layer_that_bilaga2_counts(notes):
    code_all(notes, "anna", ANNA)
    code_all(notes, "bo", BO)
    with notes.session() as s:
        found = consensus.disagreements(s)
        ids = code_ids(s)
    assert {(d.segment_id, d.code) for d in found} == {
        (4, "Samverkan / SIP"), (4, "Samverkan / Tillit"), (5, "Samverkan / Tillit"),
        (7, "Samverkan / Tillit"), (8, "Tillgänglighet / Primärvården")}
    four = next(d for d in found if d.segment_id == 4 and d.code == "Samverkan / SIP")
    assert four.yes == ["bo"] and four.no == ["anna"] and not four.resolved
    with notes.transaction() as s, pytest.raises(QdaError, match="memo"):
        consensus.resolve(s, 4, [ids["Samverkan > SIP"]], " ", acting("lead"))
    with notes.transaction() as s:
        adopted = consensus.adopt_agreed(s, acting("lead"))
        consensus.resolve(s, 4, [ids["Samverkan > SIP"]], "Handlar om SIP-statistik",
                          acting("lead"))
    assert adopted.codings == 5      # notes 1, 2, 3, 5 (SIP) and 6 agree
    with notes.session() as s:
        left = consensus.disagreements(s, unresolved=True)
        assert (4, "Samverkan / SIP") not in {(d.segment_id, d.code) for d in left}
        assert len(left) == 3
        event = s.scalars(select(AuditEvent).where(
            AuditEvent.action == "consensus.resolve")).one()
        assert event.memo == "Handlar om SIP-statistik"
        assert event.after == {"codes": [ids["Samverkan > SIP"]],
                               "rejected": [ids["Samverkan > Tillit"]]}
        per_question = tables.bilaga2(s, resolve_layer(s, None))
    table = per_question[1]
    sip = table[table["Subtema"] == "SIP"]["Inlägg"].tolist()
    assert any("Gemensam planering" in cell for cell in sip)
    tillit = table[table["Subtema"] == "Tillit"]["Inlägg"].tolist()
    assert not any("Gemensam planering" in cell for cell in tillit)
    # re-adopting never overrides the meeting's decision
    with notes.transaction() as s:
        assert consensus.adopt_agreed(s, acting("lead")).codings == 0


def test_the_audit_log_is_append_only(notes):
    with notes.engine.connect() as conn, pytest.raises(Exception, match="append-only"):
        conn.execute(text("UPDATE audit_event SET actor = 'x'"))
    with notes.engine.connect() as conn, pytest.raises(Exception, match="append-only"):
        conn.execute(text("DELETE FROM audit_event"))


def test_a_merge_with_same_named_children_is_one_event(notes):
    with notes.transaction() as s:
        codes.add_code(s, "Relationer > Tillit", acting("lead"), create_parents=True)
        before = s.scalar(select(text("max(id)")).select_from(AuditEvent))
        codes.merge_codes(s, "Relationer", "Samverkan", acting("lead"), memo="samma tema")
        events = s.scalars(select(AuditEvent).where(AuditEvent.id > before)).all()
    assert [e.action for e in events] == ["code.merge"]
    assert events[0].after["nested"] == [{"source": "Relationer / Tillit",
                                          "target": "Samverkan / Tillit"}]


def test_cli_agreement_json_on_imported_codings(notes, tmp_path):
    rows = ["segment\tcode\tcoder"]
    for coder, plan in (("anna", ANNA), ("bo", BO)):
        rows += [f"{seg}\t{p}\t{coder}" for seg, paths in plan.items() for p in paths]
    (tmp_path / "c.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    runner = CliRunner()
    imported = runner.invoke(app, ["codings", "import", str(tmp_path / "c.tsv"),
                                   "-p", str(notes.root)])
    assert imported.exit_code == 0, imported.output
    result = runner.invoke(app, ["agreement", "-p", str(notes.root), "--json",
                                 "--coders", "anna,bo", "--level", "subtema"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    a = np.concatenate([vectors(ANNA, range(1, 7), p) for p in
                        ("Samverkan > SIP", "Samverkan > Tillit",
                         "Tillgänglighet > Primärvården")])
    b = np.concatenate([vectors(BO, range(1, 7), p) for p in
                        ("Samverkan > SIP", "Samverkan > Tillit",
                         "Tillgänglighet > Primärvården")])
    assert out["overall"]["kappa"] == pytest.approx(cohen_kappa_score(a, b))
    assert out["overall"]["n_units"] == 6 and out["overall"]["reading"] is None
    assert {c["code"] for c in out["codes"]} == {
        "Samverkan / SIP", "Samverkan / Tillit", "Tillgänglighet / Primärvården"}
    assert set(out["codes"][0]) >= {"kappa", "alpha", "percent_agreement", "n_units"}
    bad = runner.invoke(app, ["agreement", "-p", str(notes.root), "--coders", "anna"])
    assert bad.exit_code == 1 and "two coders" in bad.output


def test_agreement_audit_and_metodbilaga_exports_reread(notes, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    from reports.run import export

    code_all(notes, "anna", ANNA)
    code_all(notes, "bo", BO)
    with notes.transaction() as s:
        consensus.resolve(s, 4, [code_ids(s)["Samverkan > SIP"]], "SIP-statistik", acting("lead"))
        codes.rename_code(s, "Samverkan > Tillit", "Förtroende", acting("lead"))
    export(notes, "agreement", "xlsx", out=tmp_path / "a.xlsx")
    wb = load_workbook(tmp_path / "a.xlsx")
    assert wb.sheetnames == ["Huvudtema", "Subtema"]
    header = [c.value for c in wb["Subtema"][1]]
    assert header[:4] == ["Nivå", "Kod", "Enheter", "Överensstämmelse (%)"]
    assert wb["Subtema"].cell(2, 2).value == agreement.POOLED
    # a CSV's figures are plain numbers, its interval too; the workbook's are Swedish
    import csv
    export(notes, "agreement", "csv", out=tmp_path / "a.csv")
    with open(tmp_path / "a.csv", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    spans = [r["95 % KI (alfa)"] for r in rows if r["95 % KI (alfa)"]]
    assert spans and all("," not in s and "." in s for s in spans)
    sheet_spans = [r[6] for r in wb["Subtema"].iter_rows(min_row=2, values_only=True) if r[6]]
    assert sheet_spans and all("," in s for s in sheet_spans)
    export(notes, "audit", "csv", out=tmp_path / "audit.csv")
    log = (tmp_path / "audit.csv").read_text(encoding="utf-8-sig")
    assert "consensus.resolve" in log and "code.rename" in log and "SIP-statistik" in log
    export(notes, "metodbilaga", "docx", out=tmp_path / "m.docx")
    doc = Document(str(tmp_path / "m.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Materialet kodades av 2 kodare" in text
    assert "6 enheter" in text          # SIP and Tillit on note 4, decided with a memo:
    assert "2 avgjordes i konsensuslagret, 2 av dem med skriven motivering, " in text
    assert "Krippendorffs alfa per kod för huvudteman låg mellan" in text
    assert "Krippendorffs alfa per kod för subteman" in text
    assert "ingen tillförlitlighetsbedömning" in text
    # the rename, not the codebook's import, is a change made during the analysis
    assert "Kodboken ändrades under 1 dag av analysen (1 ändring; se tabell)." in text
    assert "beslut enhet × kod" in text
    titles = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "Samstämmighet per huvudtema och subtema före konsensus" in titles
    assert len(doc.tables) == 2            # no rounds: that section says "–"
    main_table = doc.tables[0]
    assert [c.text for c in main_table.rows[0].cells][:3] == ["Nivå", "Kod", "Enheter"]
    assert [r.cells[1].text for r in main_table.rows[1:]] == [
        f"{agreement.POOLED} (huvudtema)", f"{agreement.POOLED} (subtema)", "Samverkan",
        "Samverkan / Förtroende", "Samverkan / SIP", "Tillgänglighet",
        "Tillgänglighet / Primärvården"]
    changes = doc.tables[1]
    assert [c.text for c in changes.rows[0].cells][:3] == ["Datum", "Tillagda", "Ändrade"]
    export(notes, "metodbilaga", "md", out=tmp_path / "m.md")
    method = (tmp_path / "m.md").read_text(encoding="utf-8")
    assert "## Kodbokens förändringar" in method
    # the codebook's import is counted as imported codes, not as codes added one by one
    header, _, row = method.split("## Kodbokens förändringar")[1].strip().splitlines()[:3]
    changes = dict(zip(header.strip("| ").split(" | "), row.strip("| ").split(" | "),
                       strict=True))
    assert changes["Importerade"] == str(len(list(BOOK.walk())))
    assert changes["Tillagda"] == "0" and changes["Omdöpta"] == "1"
    figures = re.findall(r"för huvudteman låg mellan (\S+) och (\S+)", method)
    assert figures and all(re.fullmatch(r"-?\d,\d{3}", f) for f in figures[0])


def test_cli_round_disagreements_consensus_and_audit(notes, tmp_path):
    runner = CliRunner()
    p = ["-p", str(notes.root)]

    def run(*args, code=0):
        result = runner.invoke(app, [*args, *p], env={"QDA_CODER": "lead"})
        assert result.exit_code == code, result.output
        return result.output

    assert "8 units to anna, bo (blind)" in run("round", "create", "--coders", "anna,bo")
    assert "already" in run("round", "create", "--coders", "anna,bo", "--name", "Omgång 1",
                            code=1)
    code_all(notes, "anna", ANNA)
    code_all(notes, "bo", BO)
    assert "anna 7, bo 7" in run("round", "list")      # each left one unit uncoded
    runner.invoke(app, ["code", "done", "8", "--coder", "anna", *p])
    assert "done for bo" in run("code", "done", "7", "--coder", "bo")
    assert "not an open" in run("code", "done", "7", "--coder", "bo", code=1)
    assert "anna 8, bo 8" in run("round", "list")
    run("round", "close", "Omgång 1")
    listed = run("disagreements")
    assert "5 disagreements, 0 resolved" in listed and "segment 4: yes bo · no anna" in listed
    assert "memo" in run("consensus", "resolve", "4", "--code", "Samverkan > SIP",
                         "--memo", "", code=1)
    # a forgotten --code is no "no code applies": refused, nothing decided
    assert "[E353]" in run("consensus", "resolve", "4", "--memo", "SIP", code=1)
    assert "[E353]" in run("consensus", "resolve", "4", "--code", "Samverkan > SIP",
                           "--no-code", "--memo", "SIP", code=1)
    assert "5 disagreements, 0 resolved" in run("disagreements")
    run("consensus", "resolve", "4", "--code", "Samverkan > SIP", "--memo", "SIP")
    code_all(notes, "cia", {2: ["Tillgänglighet > Primärvården"]})   # outside the round
    adopted = run("consensus", "adopt")       # the newest round's coders, as documented
    assert "5 codings on 5 units adopted" in adopted and "round Omgång 1" in adopted
    assert "5 disagreements, 2 resolved" in run("disagreements")
    # the open ones, beside the whole count ("0 disagreements, 0 resolved" hid them all)
    assert "3 unresolved shown of 5 disagreements, 2 resolved" in run("disagreements",
                                                                      "--unresolved")
    out = json.loads(run("agreement", "--json", "--level", "huvudtema", "--bootstrap", "0"))
    assert out["round"] == "Omgång 1" and out["overall"]["n_units"] == 8
    run("audit", "export", "-o", str(tmp_path / "audit.xlsx"))
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "audit.xlsx").active
    actions = [row[3] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert {"round.create", "round.close", "consensus.resolve", "consensus.adopt"} <= \
        set(actions)
    # beside each event's name, what it is in Swedish: every kind of event has its words
    from corpus.audit import DESCRIPTIONS
    from corpus.vocabulary import Action

    assert ws.cell(1, 5).value == "Beskrivning"
    said = {row[3]: row[4] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert said["consensus.resolve"] == "konsensusbeslut"
    assert said["round.create"] == "kodningsomgång skapad"
    assert set(DESCRIPTIONS) == set(Action) and all(DESCRIPTIONS.values())
    run("export", "metodbilaga", "-f", "md", "-o", str(tmp_path / "m.md"))
    method = (tmp_path / "m.md").read_text(encoding="utf-8")
    # the round's two coders, not cia who coded outside it
    assert "Materialet kodades av 2 kodare." in method and "i Omgång 1" in method
    # numbers as a Swedish report prints them: the round's share, alpha with a comma
    assert "| Omgång 1 | ja | 100,0\u00a0% | 8 |" in method
    assert re.search(r"huvudteman .*-?\d,\d{3}", method) and "0.2" not in method
    run("export", "agreement", "-f", "xlsx", "--coders", "anna,cia", "-o",
        str(tmp_path / "a.xlsx"))
    from openpyxl import load_workbook as load

    header = [c.value for c in load(tmp_path / "a.xlsx")["Subtema"][1]]
    assert "Kodat av anna" in header and "Kodat av cia" in header
    assert "Kodat av bo" not in header            # the coders asked for, not all


# ---- figures a methods reviewer accepts (issue 43) ---------------------------------------

def data_of(values: list[list[list[int]]], observed: list[list[bool]] | None = None
            ) -> agreement.Data:
    """Reliability data from codes x coders x units lists."""
    v = np.array(values, dtype=np.uint8)
    obs = np.ones(v.shape[1:], dtype=bool) if observed is None else np.array(observed)
    return agreement.Data([f"c{i}" for i in range(v.shape[1])], list(range(v.shape[2])),
                          list(range(v.shape[0])), {k: f"T{k + 1}" for k in range(v.shape[0])},
                          obs, v, "kod")


def test_a_pooled_figure_that_reads_god_is_labelled_pooled_with_the_per_code_range():
    # both coders apply T1 to every unit, one adds T2 once: per code undefined and 0.0
    t1 = [[1] * 10, [1] * 10]
    t2 = [[0] * 10, [1] + [0] * 9]
    result = agreement.agreement(data_of([t1, t2]), reps=0)
    stacked = np.concatenate([np.array(t1), np.array(t2)], axis=1).astype(float)
    assert result.overall.alpha == pytest.approx(krippendorff.alpha(
        reliability_data=stacked, level_of_measurement="nominal"))
    assert agreement.reading(result.overall.alpha) == "god"      # what used to be printed
    by_code = {c.code: c for c in result.codes}
    assert by_code["T1"].alpha is None and by_code["T2"].alpha == pytest.approx(0.0, abs=1e-9)
    frame = result.frame()
    pooled = frame.iloc[0]
    assert pooled["Kod"] == agreement.POOLED
    assert "god" not in pooled["Bedömning"]
    assert "per kod alfa 0,000–0,000" in pooled["Bedömning"]
    assert "1 av 2 koder" in pooled["Bedömning"]
    assert result.to_json()["overall"]["reading"] is None
    assert result.to_json()["overall"]["code_alpha_range"] == [pytest.approx(0.0, abs=1e-9)] * 2


def test_figures_are_cut_so_they_never_contradict_the_reading():
    assert agreement.cut(0.7996) == 0.799 and agreement.shown(0.7996) == "0,799"
    assert agreement.reading(0.7996) == "preliminär"
    assert agreement.shown(0.6669) == "0,666" and agreement.reading(0.6669) == "otillräcklig"
    assert agreement.shown(0.8) == "0,800" and agreement.reading(0.8) == "god"
    assert agreement.cut(-0.0004) == -0.001 and agreement.cut(None) is None
    # in a table: 32 units, anna applies the code to 13, bo to 10 of them: alpha 0.7996
    a = np.array([1] * 13 + [0] * 19)
    b = a.copy()
    b[:3] = 0
    alpha = krippendorff.alpha(reliability_data=[a, b], level_of_measurement="nominal")
    assert round(alpha, 3) == 0.8 and alpha < 0.8
    frame = agreement.agreement(data_of([[a.astype(int).tolist(), b.astype(int).tolist()]]),
                                reps=0).frame()
    row = frame.iloc[1]
    assert row["Krippendorffs alfa"] < 0.8 and row["Bedömning"] == "preliminär"


def test_fleiss_kappa_for_three_coders_equals_statsmodels_per_code_and_pooled():
    from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

    rng = np.random.default_rng(43)
    first = rng.random((3, 25)) < 0.4
    values = np.stack([np.where(rng.random((3, 25)) < 0.75, first, rng.random((3, 25)) < 0.4)
                       for _ in range(3)], axis=1).astype(np.uint8)
    observed = np.ones((3, 25), dtype=bool)
    observed[2, :5] = False           # the third coder left five units: not in Fleiss'
    data = agreement.Data(["a", "b", "c"], list(range(25)), [0, 1, 2],
                          {k: f"T{k}" for k in range(3)}, observed, values, "kod")
    result = agreement.agreement(data, reps=200)
    complete = observed.all(axis=0)

    def reference(rows):
        subjects = np.concatenate([values[k][:, complete].T for k in rows])  # units x coders
        return fleiss_kappa(aggregate_raters(subjects, n_cat=2)[0])

    for k, fig in enumerate(result.codes):
        assert fig.fleiss == pytest.approx(reference([k]))
        assert fig.kappa is None and fig.n_complete == 20
    assert result.overall.fleiss == pytest.approx(reference([0, 1, 2]))
    low, high = result.overall.ci["fleiss"]
    assert low <= result.overall.fleiss <= high
    assert "Fleiss kappa" in result.frame().columns
    two = agreement.agreement(data_of([[[1, 0, 1], [1, 1, 1]]]), reps=0)
    assert two.overall.fleiss is None and "Fleiss kappa" not in two.frame().columns


def test_three_coders_percent_agreement_is_the_share_of_agreeing_pairs():
    # unit 1: all three say yes (3 agreeing pairs of 3); unit 2: only two coders, they
    # differ (0 of 1); unit 3: 2 yes, 1 no (1 of 3). Pairs: 4 of 7 = 57.1 %, where the
    # mean of per-unit shares would be (1 + 0 + 1/3) / 3 = 44.4 %
    data = data_of([[[1, 1, 1], [1, 0, 1], [1, 0, 0]]],
                   [[True, True, True], [True, True, True], [True, False, True]])
    result = agreement.agreement(data, reps=0)
    assert result.overall.percent_agreement == pytest.approx(4 / 7)


def test_nothing_coded_by_anyone_is_full_percent_agreement_not_blank():
    result = agreement.agreement(data_of([[[0] * 4, [0] * 4, [0] * 4]]), reps=0)
    assert result.overall.percent_agreement == 1.0
    assert result.overall.alpha is None and result.codes[0].percent_agreement == 1.0
    assert result.frame().iloc[1]["Bedömning"] == "ingen kodare använde koden"


def test_unused_codes_are_listed_and_pooled_as_documented(notes):
    code_all(notes, "anna", ANNA)
    code_all(notes, "bo", BO)
    with notes.transaction() as s:
        codes.add_code(s, "Tillgänglighet > Öppettider", acting("lead"))      # nobody uses it
    with notes.session() as s:
        result = agreement.compute(s, level="subtema", reps=0)
    by_code = {c.code: c for c in result.codes}
    unused = by_code["Tillgänglighet / Öppettider"]
    assert unused.percent_agreement == 1.0 and unused.alpha is None
    assert not any(unused.yes.values())
    # pooled over every unit x code decision, the unused code's "no"s included
    units = range(1, 7)
    paths = ("Samverkan > SIP", "Samverkan > Tillit", "Tillgänglighet > Primärvården")
    a = np.concatenate([vectors(ANNA, units, p) for p in paths] + [np.zeros(6, int)])
    b = np.concatenate([vectors(BO, units, p) for p in paths] + [np.zeros(6, int)])
    assert result.overall.percent_agreement == pytest.approx((a == b).mean())
    assert result.overall.alpha == pytest.approx(krippendorff.alpha(
        reliability_data=[a, b], level_of_measurement="nominal"))
    assert result.overall.kappa == pytest.approx(cohen_kappa_score(a, b))
    frame = result.frame()
    assert frame[frame["Kod"] == "Tillgänglighet / Öppettider"]["Bedömning"].item() == \
        "ingen kodare använde koden"


def test_outside_a_round_only_units_every_coder_decided_count(notes):
    # anna decided all eight notes; bo only notes 1-3 (coded) and note 4 (marked done with
    # no code in a round): the other four units were never looked at by bo
    code_all(notes, "anna", {u: ["Samverkan > SIP"] for u in range(1, 9)})
    code_all(notes, "bo", {1: ["Samverkan > SIP"], 2: ["Samverkan > SIP"],
                           3: ["Samverkan > Tillit"]})
    with notes.transaction() as s:
        made = rounds.create_round(s, ["anna", "bo"], acting("lead"), share=1.0, blind=False)
        rounds.mark_done(s, 4, "bo")
        rounds.close_round(s, made.name, acting("lead"))
    with notes.session() as s:
        result = agreement.compute(s, level="subtema", round=None, reps=0)
    assert result.overall.n_units == 4
    assert "4 enheter som alla jämförda kodare (anna, bo) bedömt" in result.units_note()
    sip = next(c for c in result.codes if c.code == "Samverkan / SIP")
    assert sip.percent_agreement == pytest.approx(0.5)    # notes 1, 2 agree; 3, 4 do not
    assert sip.kappa == pytest.approx(cohen_kappa_score([1, 1, 1, 1], [1, 1, 0, 0]))


def test_cli_default_covers_main_themes_without_sub_themes(project, tmp_path):
    (tmp_path / "n.csv").write_text("Område,Inlägg\n" + "".join(
        f'{a},"{t}"\n' for a, t in NOTES), encoding="utf-8")
    ingest_file(project, tmp_path / "n.csv", ReadOptions(question=1))
    with project.transaction() as s:
        codes.import_doc(s, BOOK, acting("lead"))
        codes.add_code(s, "Kontinuitet", acting("lead"))  # a färdplan concept, no children
        ids = code_ids(s)
        cont = codes.find_code(s, "Kontinuitet").id
        sip = ids["Samverkan > SIP"]
        for coder, plan in (("anna", {1: [cont], 2: [cont], 3: [cont], 4: [sip]}),
                            ("bo", {1: [cont], 2: [], 3: [sip], 4: [sip]})):
            for seg, code_list in plan.items():
                for c in code_list:
                    codings.accept(s, seg, c, coder)
        rounds.create_round(s, ["anna", "bo"], acting("lead"), share=1.0, blind=False)
        for seg in range(1, 5):
            rounds.mark_done(s, seg, "bo")
            rounds.mark_done(s, seg, "anna")
    runner = CliRunner()
    plain = runner.invoke(app, ["agreement", "-p", str(project.root), "--bootstrap", "0"])
    assert plain.exit_code == 0, plain.output
    assert "Kontinuitet" in plain.output and "Samverkan / SIP" in plain.output
    out = json.loads(runner.invoke(app, ["agreement", "-p", str(project.root), "--json",
                                         "--bootstrap", "0"]).output)
    assert set(out["levels"]) == {"huvudtema", "subtema"}
    main = json.loads(runner.invoke(app, ["agreement", "-p", str(project.root), "--json",
                                          "--bootstrap", "0", "--level", "huvudtema"]).output)
    assert out["levels"]["huvudtema"]["overall"] == main["overall"]
    kont = next(c for c in main["codes"] if c["code"] == "Kontinuitet")
    assert kont["kappa"] == pytest.approx(cohen_kappa_score([1, 1, 1, 0], [1, 0, 0, 0]))


def test_a_blind_round_starts_with_each_coders_own_suggestions(notes):
    """`qda round create` of a blind round computes förslag:NAME for each of its coders
    (on both stores), so no coder starts on an empty layer; --no-suggest leaves them."""
    from sqlalchemy import func, select

    from corpus.models import Coding

    runner = CliRunner()
    out = runner.invoke(app, ["round", "create", "--coders", "anna,bo", "-p",
                              str(notes.root)], env={"QDA_CODER": "lead"})
    assert out.exit_code == 0, out.output
    assert "suggestions for anna" in out.output and "suggestions for bo" in out.output
    with notes.session() as s:
        layers = dict(s.execute(select(Coding.coder, func.count()).group_by(Coding.coder)
                                .where(Coding.coder.like("förslag:%"))).all())
    assert set(layers) == {"förslag:anna", "förslag:bo"} and all(layers.values())
    out = runner.invoke(app, ["round", "create", "--coders", "cia,dan", "--no-suggest",
                              "-p", str(notes.root)], env={"QDA_CODER": "lead"})
    assert out.exit_code == 0, out.output
    with notes.session() as s:
        assert not s.scalar(select(func.count()).select_from(Coding).where(
            Coding.coder.in_(["förslag:cia", "förslag:dan"])))


def test_metodbilaga_counts_decisions_with_and_without_a_memo(notes, tmp_path):
    """With imported coders it said "54 oenigheter …, varav 30 löstes vid konsensusmöte
    med motivering" when 3 units had memos: a decision without a memo (brought in with
    the codings) is counted as decided, not as argued."""
    from coding.exchange import import_codings
    from reports.run import export

    code_all(notes, "anna", ANNA)
    code_all(notes, "bo", BO)
    (tmp_path / "k.csv").write_text("segment,code,coder\n5,Samverkan > SIP,konsensus\n"
                                    "5,Samverkan > Tillit,konsensus\n", encoding="utf-8")
    import_codings(notes, tmp_path / "k.csv")         # agreed elsewhere, no memo
    with notes.transaction() as s:
        consensus.resolve(s, 4, [code_ids(s)["Samverkan > SIP"]], "SIP-statistik", acting("lead"))
        found = consensus.disagreements(s)
    text = export(notes, "metodbilaga", "md", out=tmp_path / "m.md").path.read_text("utf-8")
    memoed = sum(d.resolved and bool(d.memo) for d in found)
    decided = sum(d.resolved for d in found)
    assert (memoed, decided) == (2, 3) and len(found) > decided
    assert (f"{len(found)} oenigheter (enhet × kod) identifierades; 3 avgjordes i "
            f"konsensuslagret, 2 av dem med skriven motivering och 1 utan, "
            f"{len(found) - 3} är ännu inte avgjorda.") in text


def test_metodbilaga_describes_the_material_with_counts_from_the_project(notes, tmp_path):
    from collections import Counter

    from sqlalchemy import select

    from corpus.models import Code, Segment
    from reports.run import export

    text = export(notes, "metodbilaga", "md", out=tmp_path / "m.md").path.read_text("utf-8")
    with notes.session() as s:
        questions = Counter(s.scalars(select(Segment.question).where(Segment.kind == "note")))
        tree = s.execute(select(Code.parent_id, Code.origin)).all()
    listed = ", ".join(f"fråga {q}: {n}" for q, n in sorted(questions.items()))
    assert f"Materialet bestod av {sum(questions.values())} inlägg (" in text
    assert f"; {listed})." in text
    main = sum(p is None for p, _ in tree)
    assert f"Kodboken hade {main} huvudteman och {len(tree) - main} underliggande koder" in text
