"""Accent-insensitive text matching: "dang ky khai sinh" must find "Đăng ký khai sinh"."""

import unicodedata

# đ/Đ are letters of their own, not a d with a combining mark, so NFD leaves them alone.
_EXTRA = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lower-case, strip Vietnamese tone and vowel marks, collapse white space."""
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(bare.lower().split())


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
