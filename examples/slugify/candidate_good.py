"""A rewrite with a different algorithm and the same behaviour: passes."""

import unicodedata


def slugify(text: str, sep: str = "-") -> str:
    if not isinstance(text, str):
        raise TypeError(f"slugify() needs a str, not {type(text).__name__}")
    decomposed = unicodedata.normalize("NFKD", text)
    words, current = [], []
    for char in decomposed:
        if char.isascii() and char.isalnum():
            current.append(char.lower())
        elif not char.isascii():
            continue  # dropped, like the reference's encode("ascii", "ignore")
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return sep.join(words)
