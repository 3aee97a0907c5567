"""Keyword matching: compounds, inflections, lemmas, phrases, and spans that point at text."""

from coding.codebook import Codebook, parse_codebook
from coding.suggest.lexical import LexicalMatcher

BOOK = Codebook.from_doc(parse_codebook("""
codes:
  - name: Resursfördelning
    children:
      - name: Vårdtyngd
        keywords: [vårdtyngd, kroniska sjukdomar]
      - name: Kostnader
        keywords: [kostnad]
  - name: Samverkan
    keywords: [SIP, fast vårdkontakt, barn]
"""))
MATCHER = LexicalMatcher(BOOK)


def hits(text):
    return {BOOK.codes[k].name: v for k, v in MATCHER.match_texts([text])[0].items()}


def test_keyword_inside_a_compound_counts_and_its_span_covers_the_word():
    text = "Vi saknar vårdtyngdsmätningen i kommunen"
    found = hits(text)
    assert set(found) == {"Vårdtyngd"}
    (start, end), = found["Vårdtyngd"].spans
    assert text[start:end] == "vårdtyngdsmätningen"


def test_keyword_at_the_end_of_a_compound_and_inflected():
    assert "Kostnader" in hits("Hjälpmedelskostnaderna ökar")
    assert "Kostnader" in hits("kostnaderna per brukare")


def test_lemma_match_and_short_keywords_as_compound_heads():
    # "barnen" is "barn" by the lookup lemmatizer; a short word may head a compound
    assert "Samverkan" in hits("Hur mår barnen i skolan?")
    assert "Samverkan" in hits("Barnhälsovården")
    assert "Samverkan" not in hits("Ombarna")


def test_short_keyword_only_matches_whole_or_inflected():
    assert "Samverkan" in hits("Antal SIP:ar per år")
    assert "Samverkan" in hits("sipar som upprättats")
    assert "Samverkan" not in hits("Sippa på vägen")


def test_phrase_matches_only_in_order_and_adjacent():
    assert hits("Andel med fast vårdkontakt")["Samverkan"].keywords == ["fast vårdkontakt"]
    assert "Samverkan" not in hits("vårdkontakt som är fast")
    assert hits("två eller fler kroniska sjukdomar")["Vårdtyngd"].keywords == [
        "kroniska sjukdomar"]


def test_code_name_is_a_keyword_and_scores_are_bounded():
    found = hits("Resursfördelning och vårdtyngd och kostnad")
    assert set(found) == {"Resursfördelning", "Vårdtyngd", "Kostnader"}
    assert all(0 < h.score < 1 for h in found.values())
    assert hits("Inget här alls") == {}


def test_a_function_word_is_no_evidence_for_the_content_word_it_looks_up_to():
    """The lookup table takes "ska" to "skola", "när" to "nära" and "vill" to "villa";
    a transcript says those words in almost every turn."""
    book = Codebook.from_doc(parse_codebook("""
codes:
  - name: Skola-BUP
    keywords: [skola, villa]
  - name: Nära vård
    keywords: [nära]
"""))
    matcher = LexicalMatcher(book)

    def found(text):
        return {book.codes[k].name for k in matcher.match_texts([text])[0]}

    assert found("Vi ska följa upp det när vi vill och kan.") == set()
    assert found("Eleverna i skolan och vården nära hemmet") == {"Skola-BUP", "Nära vård"}
    assert found("Skolorna får stöd") == {"Skola-BUP"}
