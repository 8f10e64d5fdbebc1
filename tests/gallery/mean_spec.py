from hypothesis import strategies as st

import signoff

spec = signoff.Spec(
    reference="averages.py:mean",
    inputs=st.lists(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12,
                              max_value=1e12)),
    criteria=[signoff.same_results(examples=200, equal=signoff.approx(rel=1e-9, abs=1e-12))],
    corpus="mean_corpus.jsonl",
)
