from pathlib import Path

import pytest

from corpus.errors import InputError
from corpus.readers.textfile import decode_text

TEXT = "Talare 1  00:00:05\nVi pratar om vårdtyngd och äldreomsorg – även på Öckerö.\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"])
def test_the_encodings_swedish_files_arrive_in(encoding):
    data = TEXT.replace("–", "-").encode(encoding)
    assert decode_text(data, Path("t.txt")) == TEXT.replace("–", "-")


@pytest.mark.parametrize("data,reason", [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (b"PK\x03\x04" + b"\x00" * 100, "zip or Office file"),
    (b"%PDF-1.7\n...", "PDF"),
    (bytes(range(256)) * 20, "binary"),
    (b"\x01\x02\x03\x04\x05abc" * 200, "binary"),
])
def test_what_is_not_text_is_refused_with_a_reason(data, reason):
    with pytest.raises(InputError, match=reason) as info:
        decode_text(data, Path("notes.txt"))
    assert info.value.line().startswith("notes.txt: ")
    assert "\n" not in info.value.line()
