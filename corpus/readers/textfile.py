"""Bytes to text: the encodings Swedish files arrive in, and a clear no for binaries."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError

_MAGIC = {
    b"PK\x03\x04": "a zip or Office file (e.g. .docx/.xlsx)",
    b"\xd0\xcf\x11\xe0": "an old Office or encrypted file",
    b"%PDF": "a PDF",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
}


def decode_text(data: bytes, path: Path) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 (BOM or clearly UTF-16) or cp1252."""
    if not data.strip():
        raise InputError("the file is empty", path, "E101")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError("broken UTF-16 text", path, "E102") from exc
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise InputError(f"this is {what}, not a text file", path, "E103")
    if b"\x00" in data[:4096]:
        sample = data[:4096]
        even_nuls = sample[0::2].count(0)
        odd_nuls = sample[1::2].count(0)
        half = len(sample) / 2
        if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
            return _decode_or_fail(data, "utf-16-le", path)
        if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
            return _decode_or_fail(data, "utf-16-be", path)
        raise InputError("this is a binary file, not text", path, "E103")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise InputError(
                "unknown text encoding (tried UTF-8, UTF-16 and Windows-1252); "
                "save the file as UTF-8", path, "E102") from exc
    _reject_control_soup(text, path)
    return text


def _decode_or_fail(data: bytes, encoding: str, path: Path) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError("broken UTF-16 text", path, "E102") from exc
    _reject_control_soup(text, path)
    return text


# control characters other than whitespace (\t \n \v \f \r are 9-13)
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f]")


def _reject_control_soup(text: str, path: Path) -> None:
    sample = text[:8192]
    controls = len(_CONTROLS.findall(sample))
    if sample and controls / len(sample) > 0.02:
        raise InputError("this looks like a binary file, not text", path, "E103")
