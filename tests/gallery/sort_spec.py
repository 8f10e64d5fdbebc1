from hypothesis import strategies as st

import signoff

spec = signoff.Spec(
    reference="sorting.py:sort",
    inputs=st.lists(st.integers()),
    criteria=[signoff.same_results(examples=100, budget=30)],
    timeout=1.0,
    memory_limit=192 << 20,  # small, so a runaway allocation hits it fast
)
