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
