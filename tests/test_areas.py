import pytest

from corpus.areas import area_in_name, area_key, fold, require_area


@pytest.mark.parametrize("text,key", [
    ("Borås", "boras"), ("BORÅS ", "boras"), ("Boråsregionen", "boras"), ("Sjuhärad", "boras"),
    ("Fyrbodal", "fyrbodal"), ("Fyrbodals kommunalförbund", "fyrbodal"),
    ("GR", "gr"), ("Göteborgsregionen", "gr"), ("Skaraborg", "skaraborg"),
    ("VGR", "vgr"), ("Västra Götalandsregionen", "vgr"),
])
def test_area_names_as_people_write_them(text, key):
    assert area_key(text) == key


@pytest.mark.parametrize("text", [None, "", "Kungälv", "Inlägg", "Fråga 1"])
def test_non_areas_are_none(text):
    assert area_key(text) is None


def test_require_area_names_the_known_areas():
    with pytest.raises(ValueError, match="Borås, Fyrbodal, GR, Skaraborg, VGR"):
        require_area("Halland")


def test_area_from_file_name_uses_whole_tokens_only():
    assert area_in_name("gr_grupprum2") == "gr"
    assert area_in_name("Skaraborg digital 2025") == "skaraborg"
    assert area_in_name("grupprum2") is None  # 'gr' inside a word is not an area


def test_fold_strips_accents_and_punctuation():
    assert fold("  Fråga 2: Vad saknas? ") == "fraga 2 vad saknas"
