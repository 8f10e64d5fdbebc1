"""The trusted reference: turn a title into a URL slug."""

import re
import unicodedata


def slugify(text: str, sep: str = "-") -> str:
    """Lower-case ASCII words joined by ``sep``; everything else dropped."""
    if not isinstance(text, str):
        raise TypeError(f"slugify() needs a str, not {type(text).__name__}")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return sep.join(words)
