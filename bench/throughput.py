"""Cases per second of isolated differential checking, beside in-process Hypothesis.

    .venv/bin/python bench/throughput.py [--examples 2000] [--supplied 10000] [--rounds 3]

Three measurements in the same run, each the best of --rounds:
1. in-process: a plain Hypothesis test comparing sorted() with a correct
   merge sort on st.lists(st.integers()) (no isolation, no repeat);
2. signoff, generated: the same strategy and example count through
   signoff.check (two worker processes, outcomes compared in the parent,
   each candidate call repeated for determinism);
3. signoff, supplied: a corpus of --supplied inputs through the batched path.
Targets (issue 2): generated >= 0.7x the in-process rate; supplied >= 10,000/s.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.table import Table

import signoff

HERE = Path(__file__).resolve().parent
STRATEGY = st.lists(st.integers())
CANDIDATE = "def merge_sort(xs):\n" + (HERE.parent / "tests/gallery/sort_mergesort.py").read_text().split(
    "def sort(xs):\n", 1)[1].replace("sort(xs[", "merge_sort(xs[")


def in_process(examples: int) -> float:
    namespace: dict[str, object] = {}
    exec(CANDIDATE, namespace)
    merge_sort = namespace["merge_sort"]

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck),
              phases=[Phase.explicit, Phase.reuse, Phase.generate])
    @given(STRATEGY)
    def test(xs: list[int]) -> None:
        assert sorted(xs) == merge_sort(xs)  # type: ignore[operator]

    started = time.perf_counter()
    test()
    return examples / (time.perf_counter() - started)


def isolated(folder: Path, examples: int, corpus: Path | None) -> tuple[float, int]:
    spec = signoff.Spec(reference="builtins:sorted", inputs=STRATEGY if corpus is None else None,
                        criteria=[signoff.same_results(examples=examples if corpus is None else 0)])
    options = signoff.RunOptions(seed=1, inputs=(corpus,) if corpus else ())
    started = time.perf_counter()
    result = signoff.check(spec, [f"{folder / 'candidate.py'}:sort"], options)
    elapsed = time.perf_counter() - started
    [check] = result.candidates[0].checks
    assert check.verdict == "pass", check.summary
    cases = check.evidence["generated"] + check.evidence["supplied"]
    return cases / elapsed, cases


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--supplied", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "candidate.py").write_text((HERE.parent / "tests/gallery/sort_mergesort.py").read_text())
        rng = random.Random(0)
        corpus = folder / "corpus.jsonl"
        with corpus.open("w") as out:
            for _ in range(options.supplied):
                xs = [rng.randint(-1000, 1000) for _ in range(rng.randint(0, 20))]
                out.write(json.dumps({"args": [xs]}) + "\n")
        base = max(in_process(options.examples) for _ in range(options.rounds))
        generated = max(isolated(folder, options.examples, None)[0] for _ in range(options.rounds))
        supplied = max(isolated(folder, 0, corpus)[0] for _ in range(options.rounds))
    table = Table(title=f"signoff throughput (best of {options.rounds} rounds)")
    for column in ("what", "cases", "cases/s", "vs in-process", "target"):
        table.add_column(column, justify="right" if column != "what" else "left")
    table.add_row("in-process Hypothesis", str(options.examples), f"{base:,.0f}", "1.00x", "")
    table.add_row("signoff, generated", str(options.examples), f"{generated:,.0f}",
                  f"{generated / base:.2f}x", ">= 0.70x")
    table.add_row("signoff, supplied", str(options.supplied), f"{supplied:,.0f}", "",
                  ">= 10,000/s")
    Console().print(table)


if __name__ == "__main__":
    main()
