"""Acceptance criteria for any replacement of reference.slugify, written first."""

from hypothesis import strategies as st

import signoff

spec = signoff.Spec(
    reference="reference.py:slugify",
    inputs=st.text(),
    criteria=[signoff.same_results(examples=300)],
    corpus="titles.jsonl",
)
