"""A plausible rewrite: right on every title in its own tests, wrong on accents."""

import re


def slugify(text: str, sep: str = "-") -> str:
    if not isinstance(text, str):
        raise TypeError(f"slugify() needs a str, not {type(text).__name__}")
    # Looks equivalent, but drops accented letters instead of their base letter.
    words = re.findall(r"[a-z0-9]+", text.lower())
    return sep.join(words)
