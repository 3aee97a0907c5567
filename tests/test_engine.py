"""The engine: calibrated scores, hierarchy, learning from decisions, rejections, no-fit."""

import numpy as np
import pytest

from coding.codebook import Codebook, parse_codebook
from coding.suggest.engine import Engine, Example

from .engine_data import BOOK, FILL, ID, labelled


def test_scores_are_probabilities_and_calibrated_on_held_out_data():
    engine = Engine(BOOK).fit(labelled(120, seed=1))
    assert engine.blend_learned
    test = labelled(200, seed=2)
    scored = engine.score([e.text for e in test], explain=False)
    top, hit = [], []
    for example, result in zip(test, scored, strict=True):
        assert all(0.0 <= s.score <= 1.0 for s in result.suggestions)
        best = [s for s in result.suggestions if BOOK.codes[s.code_id].depth == 1][0]
        top.append(best.score)
        hit.append(best.code_id in example.codes)
    # mean confidence of the top sub-theme is close to how often it is right
    assert abs(np.mean(top) - np.mean(hit)) < 0.15
    assert np.mean(hit) > 0.8


def test_a_sub_theme_implies_its_main_theme():
    engine = Engine(BOOK).fit([])
    result = engine.score(["Antal SIP per 1000 invånare"])[0]
    scores = {s.code_id: s for s in result.suggestions}
    sip, main = scores[ID["Samverkan > SIP"]], scores[ID["Samverkan"]]
    assert main.score >= sip.score
    assert main.via == ID["Samverkan > SIP"]
    assert any("via subtema: SIP" in r for r in main.reasons)
    assert any(r.startswith("nyckelord: sip") for r in sip.reasons)


def test_the_finest_order_puts_sub_themes_before_the_main_themes_they_imply():
    """A main theme scores at least its best sub-theme, so by score it takes a shown place
    beside the sub-theme that implies it. The store asks for the finest order: sub-themes
    first, the best main theme in the last place only, and a main theme the coding has
    taken on its own ranked by its score again."""
    text = "Antal SIP per 1000 invånare"
    samverkan, sip = ID["Samverkan"], ID["Samverkan > SIP"]
    resurs = ID["Resursfördelning"]
    engine = Engine(BOOK).fit([])
    by_score = [s.code_id for s in engine.score([text], limit=3)[0].suggestions]
    assert by_score[0] == samverkan and sip in by_score
    finest = [s.code_id for s in engine.score([text], limit=3, finest=True)[0].suggestions]
    assert finest[0] == sip and finest[-1] == samverkan and resurs not in finest
    assert BOOK.codes[finest[1]].depth == 1
    # all codes: the main theme that stepped back and was not kept comes last
    every = [s.code_id for s in engine.score([text], limit=6, finest=True)[0].suggestions]
    assert every[0] == sip and every[-1] == resurs and every[-2] == samverkan
    # a rejected main theme is not brought back to the last place
    kept = engine.score([text], [{samverkan}], limit=3, finest=True)[0].suggestions
    assert samverkan not in [s.code_id for s in kept]
    # more places than codes, or every sub-theme rejected: the main themes still shown
    assert len(engine.score([text], limit=10, finest=True)[0].suggestions) == len(BOOK.codes)
    subs = {c for c in BOOK.codes if BOOK.codes[c].depth == 1}
    left = engine.score([text], [subs], limit=5, finest=True)[0].suggestions
    assert {s.code_id for s in left} == {samverkan, resurs}
    # once decisions take the main theme on its own, it ranks by its score again
    alone = [Example(f"Samarbete mellan region och kommun om {x}", {samverkan}) for x in FILL]
    engine = Engine(BOOK).fit([*labelled(40, seed=7), *alone])
    taken = [s.code_id for s in engine.score([text], limit=3, finest=True)[0].suggestions]
    assert taken[0] == samverkan and taken[-1] != samverkan


def test_a_main_themes_statistical_score_is_at_least_its_likeliest_sub_themes():
    """The main theme's own model has seen its examples only as a whole; where one
    sub-theme's model says that sub-theme fits, the main theme is as likely."""
    engine = Engine(BOOK).fit(labelled(120, seed=1))
    texts = [e.text for e in labelled(60, seed=3)]
    matrices, ids = engine.signal_matrices(texts)
    stat = matrices["statistical"]
    col = {code_id: k for k, code_id in enumerate(ids)}
    parents = {c.parent_id for c in BOOK.codes.values() if c.parent_id is not None}
    for parent in parents:
        children = [col[c.id] for c in BOOK.codes.values() if c.parent_id == parent]
        assert np.all(stat[:, col[parent]] >= stat[:, children].max(axis=1) - 1e-9)


def test_retraining_learns_a_new_word_for_a_code():
    text = "Antal larm från nattkameror per natt"
    engine = Engine(BOOK, corpus=[text]).fit([])
    before = engine.score([text])[0].suggestions[0].code_id
    taught = [Example(f"Larm från nattkameror {x}", {ID["Resursfördelning > Bemanning"]})
              for x in FILL] + labelled(40, seed=3)
    engine.retrain(taught)
    after = engine.score([text])[0]
    subs = [s for s in after.suggestions if BOOK.codes[s.code_id].depth == 1]
    assert subs[0].code_id == ID["Resursfördelning > Bemanning"]
    assert before != ID["Resursfördelning > Bemanning"] or subs[0].score > 0.5
    assert any(r.startswith("liknar") for r in subs[0].reasons)


def test_rejected_code_is_not_suggested_again_and_teaches_the_model():
    text = "Kostnad för SIP-möten"
    engine = Engine(BOOK).fit(labelled(60, seed=4))
    first = engine.score([text])[0].suggestions
    rejected = first[0].code_id
    again = engine.score([text], exclude=[{rejected}])[0].suggestions
    assert rejected not in {s.code_id for s in again}
    # a rejection is a weighted negative: the model's score for that code drops
    base = engine.score([text])[0]
    engine.retrain([*labelled(60, seed=4),
                    *[Example(text, set(), {ID["Resursfördelning > Kostnader"]})] * 3])
    after = engine.score([text])[0]
    stat = {s.code_id: s.statistical for s in base.suggestions}
    stat_after = {s.code_id: s.statistical for s in after.suggestions}
    code = ID["Resursfördelning > Kostnader"]
    assert stat_after.get(code, 0.0) < stat.get(code, 1.0)


def test_unrelated_text_is_flagged_as_fitting_no_code():
    engine = Engine(BOOK).fit(labelled(80, seed=5))
    unrelated, related = engine.score(["Fikat var gott och lokalen var ljus",
                                       "Kostnad per brukare och år"])
    assert unrelated.flagged and not related.flagged
    assert unrelated.no_fit > related.no_fit


def test_a_text_between_two_codes_is_the_most_uncertain():
    """The review queue's "most informative first" order sorts on this uncertainty."""
    engine = Engine(BOOK).fit(labelled(80, seed=6))
    texts = ["Kostnad per brukare och år", "Kostnad för SIP och utskrivning",
             "Antal SIP per år"]
    scored = engine.score(texts)
    assert max(range(3), key=lambda i: scored[i].uncertainty) == 1


def test_fillers_are_the_least_informative_not_the_most():
    """"Ja.", "Mm." and "Tack." score low for every code, so best and second lie close
    and they looked the most uncertain: they flooded the front of a transcript's queue."""
    engine = Engine(BOOK).fit(labelled(80, seed=6))
    texts = ["Ja.", "Mm, precis.", "Tack.", "Nej. Okej.", "Kostnad för SIP och utskrivning",
             "Och delaktighet."]
    scored = engine.score(texts)
    assert [s.uncertainty for s in scored[:4]] == [0.0] * 4
    assert min(s.uncertainty for s in scored[4:]) > 0.0
    assert all(s.suggestions for s in scored)   # still suggested and codable


@pytest.mark.parametrize("text,expected", [
    ("Ja.", False), ("Mm, ja, precis.", False), ("Hmm... okej, tack!", False), ("", False),
    ("Välkomna hit.", False), ("Och delaktighet.", True), ("SIP", True), ("Ja, väntetiden.", True),
])
def test_has_content(text, expected):
    from coding.text import has_content

    assert has_content(text) is expected


def test_a_main_theme_without_sub_themes_fits_as_well_as_a_sub_theme():
    book = Codebook.from_doc(parse_codebook("""
codes:
  - name: Samverkan
    children:
      - name: SIP
        keywords: [sip, samordnad individuell plan]
  - name: Mobila team
    definition: Mobila team i hemsjukvården.
    keywords: [mobila team, mobilt team]
"""))
    engine = Engine(book).fit([])
    mobile, unrelated = engine.score(["Fler mobila team", "Fikat var gott"])
    top = mobile.suggestions[0]
    assert book.codes[top.code_id].name == "Mobila team" and top.score >= 0.3
    assert not mobile.flagged and unrelated.flagged


def test_codes_in_use_rank_before_unused_codes_unless_the_evidence_is_strong(monkeypatch):
    """A concept no decision has used (a färdplan code the coding never took up) comes
    after the codes in use at its level, unless its score reaches STRONG; in a project
    without decisions nothing is held back."""
    import coding.suggest.engine as engine_module

    book = Codebook.from_doc(parse_codebook("""
codes:
  - name: Resursfördelning
    children:
      - {name: Kostnader, keywords: [kostnad, ekonomi]}
      - {name: Bemanning, keywords: [bemanning, sjuksköterskor]}
  - name: Samverkan
    children:
      - {name: SIP, keywords: [sip, samordnad individuell plan]}
      - {name: Utskrivning, keywords: [utskrivningsklar, utskrivning]}
  - {name: Digitalisering, keywords: [digitala, digital]}
"""))
    ids = {c.label: c.id for c in book.codes.values()}
    taught = [Example(e.text, {ids[BOOK.codes[next(iter(e.codes))].label]})
              for e in labelled(60, seed=1)]
    text = "Digitala möten om kostnader"

    def mains(engine):
        return [book.codes[s.code_id].name for s in engine.score([text])[0].suggestions
                if book.codes[s.code_id].depth == 0]

    cold = Engine(book).fit([])
    assert not cold.demoted(np.zeros((1, len(cold.ids)))).any()   # nothing in use yet
    engine = Engine(book).fit(taught)
    assert mains(engine)[0] == "Digitalisering"         # a keyword: strong evidence
    monkeypatch.setattr(engine_module, "STRONG", 1.01)  # no evidence is strong enough
    ranked = mains(engine)
    assert ranked[:2] == ["Resursfördelning", "Samverkan"] and ranked[2] == "Digitalisering"
    scores = {book.codes[s.code_id].name: s.score for s in engine.score([text])[0].suggestions}
    assert scores["Digitalisering"] > scores["Resursfördelning"]   # scores are unchanged


def test_the_word_reason_says_what_the_code_s_words_came_from():
    """A code with no description or examples has only its name, then its codings: the
    reason said "kodens beskrivning och exempel" for a code that had neither."""
    book = Codebook.from_doc(parse_codebook(
        "name: t\ncodes:\n  - name: Vägar\n    definition: Vägar, broar och bussar\n"
        "  - name: Skola\n  - name: Översvämning\n"))
    vag, skola, flod = (book.find((n,)).id for n in ("Vägar", "Skola", "Översvämning"))
    engine = Engine(book).fit([Example("Vårfloden tog bron vid älven", {flod})])
    assert engine._wording(vag) == "ordval som i kodens beskrivning och exempel"
    assert engine._wording(skola) == "ordval som i kodens namn"
    assert engine._wording(flod) == "ordval som i kodade inlägg"
