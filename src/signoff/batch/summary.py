"""The batch summary: pass@k by the base inputs alone and under signoff's criteria.

pass@k is the unbiased estimator of Chen et al. (2021), as HumanEval and
EvalPlus compute it: for a task with ``n`` samples of which ``c`` pass,
``1 - C(n - c, k) / C(n, k)``, averaged over the tasks; k is reported for
1, 10 and 100 where every task has at least k samples. A sample passes the
base inputs when its base check passes, and passes signoff when every check
passes (an error or an inconclusive is not a pass); base pass@k is over the
tasks that have base inputs. The samples that pass the base inputs but fail
signoff are the "plausible but wrong" ones. For tasks with a workload,
``speed`` lists each timed (correct) sample's time ratio to the reference,
with its 95% interval, by task.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from signoff.batch.judge import SampleResult
from signoff.batch.samples import Problem
from signoff.criteria.speed import Speed

KS = (1, 10, 100)
MAX_PLAUSIBLE_LISTED = 10_000  # every one in practice; a bound for a pathological batch


def pass_at_k(n: int, c: int, k: int) -> float:
    """The probability that at least one of k samples drawn from n (c of them correct) is correct."""
    if not 0 <= c <= n or not 1 <= k <= n:
        raise ValueError(f"pass@k needs 0 <= c <= n and 1 <= k <= n, not n={n}, c={c}, k={k}")
    if n - c < k:
        return 1.0
    # 1 - C(n-c, k)/C(n, k) as a product, which stays exact enough for large n.
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))


def mean_pass_at_k(counts: Sequence[tuple[int, int]], ks: Iterable[int] = KS) -> dict[str, float]:
    """``{"pass@k": mean over tasks}`` for each k that every task's sample count allows."""
    if not counts:
        return {}
    fewest = min(n for n, _ in counts)
    return {f"pass@{k}": sum(pass_at_k(n, c, k) for n, c in counts) / len(counts)
            for k in ks if k <= fewest}


def summarize(results: Sequence[SampleResult], problems: Sequence[Problem], *,
              duration_s: float, judged_now: int) -> dict[str, Any]:
    """The ``summary`` object of the ``signoff.batch/1`` report."""
    by_task: dict[str, list[SampleResult]] = {}
    for result in results:
        by_task.setdefault(result.task_id, []).append(result)
    # Only tasks with base inputs have a base verdict (a task may have generated inputs alone).
    base = [(len(rs), sum(r.base_verdict == "pass" for r in rs)) for rs in by_task.values()
            if any(r.base_verdict is not None for r in rs)]
    full = [(len(rs), sum(r.verdict == "pass" for r in rs)) for rs in by_task.values()]
    plausible = [r for r in results if r.plausible_but_wrong]
    verdicts = Counter(r.verdict for r in results)
    return {
        "tasks": len(by_task),
        "samples": len(results),
        "verdicts": {v: verdicts.get(v, 0) for v in ("pass", "fail", "error", "inconclusive")},
        "base": {"passed": sum(c for _, c in base), **mean_pass_at_k(base)},
        "signoff": {"passed": sum(c for _, c in full), **mean_pass_at_k(full)},
        "plausible_but_wrong": {
            "count": len(plausible),
            "samples": [{"task_id": r.task_id, "index": r.index, "summary": _failing(r)}
                        for r in plausible[:MAX_PLAUSIBLE_LISTED]],
        },
        "speed": speed_ratios(results),
        "problems": [problem.to_json() for problem in problems],
        "duration_s": round(duration_s, 3),
        "judged_now": judged_now,  # the rest were recorded by an earlier, interrupted run (--resume)
        "samples_per_s": round(judged_now / duration_s, 3) if duration_s > 0 else None,
    }


def speed_ratios(results: Iterable[SampleResult]) -> dict[str, list[dict[str, Any]]]:
    """``{task_id: [{index, verdict, ratio, ci95, at_most}, ...]}`` for the samples with a speed check;
    ``ratio`` is None where none was measured (answers differed on the workload, a timeout, ...)."""
    ratios: dict[str, list[dict[str, Any]]] = {}
    for result in results:
        for check in result.checks:
            if check.criterion == Speed.name:
                evidence = check.evidence
                ratios.setdefault(result.task_id, []).append({
                    "index": result.index, "verdict": check.verdict, "ratio": evidence.get("ratio"),
                    "ci95": evidence.get("ci95"), "at_most": evidence.get("at_most")})
    return ratios


def _failing(result: SampleResult) -> str:
    return next((check.summary for check in result.checks if check.verdict == "fail"), "")
