"""Sentences never cut a pseudonym or a redaction mark in two."""

from __future__ import annotations

import pytest

from corpus.pseudonymise import EMAIL_TOKEN, NAME_TOKEN, PHONE_TOKEN, PNR_TOKEN
from corpus.segment import sentence_spans

MARKS = ["[Deltagare 2]", "[Deltagare 14]", "[Moderator]", "[Samtalsledare]", NAME_TOKEN,
         f"{NAME_TOKEN}s", EMAIL_TOKEN, PHONE_TOKEN, PNR_TOKEN]
ENDS = [".", "!", "?", ".\"", "?!"]     # "…" trails off: the sentencizer does not end there


@pytest.mark.parametrize("mark", MARKS)
@pytest.mark.parametrize("end", ENDS)
def test_a_mark_after_a_sentence_end_starts_the_next_sentence(mark, end):
    text = f"Vi tar det i ordning{end} {mark}, vill du börja? Ja{end} Sedan {mark} igen."
    sentences = [text[a:b] for a, b in next(sentence_spans([text]))]
    for sentence in sentences:
        assert sentence.count("[") == sentence.count("]"), sentences
    assert any(s.startswith(mark) for s in sentences), sentences
    assert "".join(sentences).replace(" ", "") == text.replace(" ", "")


def test_a_mark_at_the_very_start_and_end_and_between_two_ends():
    text = f"{NAME_TOKEN} ringde. Sedan {PHONE_TOKEN}. {EMAIL_TOKEN}? Nej."
    sentences = [text[a:b] for a, b in next(sentence_spans([text]))]
    assert sentences == [f"{NAME_TOKEN} ringde.", f"Sedan {PHONE_TOKEN}.", f"{EMAIL_TOKEN}?",
                         "Nej."]


def _spacy_sentences(text: str) -> list[tuple[int, int]]:
    """spaCy's own doc.sents with the sentencizer, trimmed as ours are."""
    from corpus.segment import sentence_pipeline

    out = []
    for sent in sentence_pipeline()(text).sents:
        start, end = sent.start_char, sent.end_char
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            out.append((start, end))
    return out


def test_sentences_are_spacys_sentencizer_without_its_token_objects():
    """Tokenizing only the punctuated chunks gives spaCy's sentences (where no pseudonym
    mark is involved), on written cases and 20,000 random strings of prose punctuation,
    abbreviations and odd whitespace."""
    import random

    rnd = random.Random(7)
    alphabet = [*"abc ÅÄÖ XYZ .!?;:,()\"'…-–\n0123\t_%§", "\xa0", "  ", " \n ", "t.ex.",
                "bl.a.", "dvs.", "kl.", "St.", "o.s.v.", "3.5", "e-post", "...", "?!", "。"]
    texts = ["Hej. Då!", "Vi tar det i ordning… och sedan? Ja!! Nej.) (Okej.) Slut", "",
             "   ", "a.b.c. d", "Vad?! \"Ja.\" Sen.", "1. 2. 3.", "Hm... ja. nej?",
             " Inledande. Mellanrum.", "Slut.  Två blanksteg.\tTabb.\nRad. ", "Ord_. _. x",
             "Vi ses kl. 9. Sedan t.ex. lunch.", "50 %. Resten", "Ja.\xa0Nej.",
             *("".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 60)))
               for _ in range(20000))]
    ours = list(sentence_spans(texts))
    differ = [t for t, got in zip(texts, ours, strict=True) if got != _spacy_sentences(t)]
    assert differ == []


def test_every_sentence_end_counts_as_punctuated():
    """The shortcut holds only if no sentence-ending character is a word character."""
    from corpus.segment import PUNCTUATED, sentence_pipeline

    ends = sentence_pipeline().get_pipe("sentencizer").punct_chars
    assert len(ends) > 50
    assert [c for c in ends if not PUNCTUATED.fullmatch(f"ord{c}")] == []
