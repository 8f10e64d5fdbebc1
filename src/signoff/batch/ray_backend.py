"""``--backend ray``: the same units of work on a Ray cluster, with the same verdicts.

Each unit (one task, some of its samples) is one Ray task that needs one CPU
and runs ``judge_task`` there, exactly as the local backend does in a thread:
the reference worker and every sample's worker are processes on that node,
so all the calls of one sample run on one machine (each result names its
node, ``"node"`` in the JSON report). The task is a streaming
generator: each sample's result comes back as soon as it is judged, and the
driver records it at once. Without ``--address`` a local Ray instance is
started with ``jobs`` CPUs and stopped afterwards; with one, the cluster must
have signoff installed (the same version) on every node.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Generator, Sequence
from typing import Any

from signoff.batch.judge import JudgeOptions, SampleResult
from signoff.batch.units import Unit, guarded
from signoff.criteria.same_results import SameResults
from signoff.errors import SignoffError, SpecError
from signoff.verdict import CheckResult


def _judge_unit(unit: Unit, options: JudgeOptions) -> Generator[SampleResult, None, None]:
    """Runs inside a Ray worker process; each result names the node it was judged on."""
    import ray

    node = ray.get_runtime_context().get_node_id()
    options.folder.mkdir(parents=True, exist_ok=True)
    for result in guarded(unit, options, lambda: False):
        yield dataclasses.replace(result, node=node)


def run_on_ray(units: Sequence[Unit], options: JudgeOptions, jobs: int,
               address: str | None) -> Generator[SampleResult, None, None]:
    """Results as they finish on the cluster (at most ``jobs`` units at once on a local one)."""
    try:
        import ray
    except ImportError:
        raise SpecError("--backend ray needs Ray: pip install 'signoff[ray]' (or pip install ray)") from None
    started_here = not ray.is_initialized()
    if started_here:
        settings: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                    "configure_logging": False}
        try:
            if address is None:
                ray.init(num_cpus=jobs, **settings)
            else:
                ray.init(address=address, **settings)
        except (ConnectionError, RuntimeError, ValueError) as error:
            raise SpecError(f"--backend ray: cannot reach a Ray cluster at {address or 'local'}: {error}") \
                from None
    remote = ray.remote(num_cpus=1, max_retries=0)(_judge_unit)
    streams: dict[Any, tuple[Unit, set[int]]] = {}  # each unit's stream, and its samples judged so far
    for unit in units:
        streams[remote.remote(unit, options)] = (unit, set())
    try:
        while streams:
            ready: list[Any] = ray.wait(list(streams), num_returns=1)[0]
            for stream in ready:
                unit, done = streams[stream]
                try:
                    result: SampleResult = ray.get(next(stream))
                except StopIteration:
                    del streams[stream]
                    continue
                except SignoffError as error:  # bad input found on a node: stop, as the local backend does
                    raise SpecError(str(getattr(error, "cause", error))) from None
                except Exception as error:  # the Ray task or its node died: the samples left cannot be judged
                    del streams[stream]
                    yield from _lost(unit, done, error)
                    continue
                done.add(result.index)
                yield result
    finally:
        for stream in streams:
            ray.cancel(stream, force=True)
        if started_here:
            ray.shutdown()


def _lost(unit: Unit, done: set[int], error: Exception) -> Generator[SampleResult, None, None]:
    text = f"signoff could not judge this sample: the Ray task failed: {type(error).__name__}: {error}"
    check = CheckResult(SameResults.name, "error", text[:2000])
    for sample in unit.samples:
        if sample.index not in done:
            yield SampleResult(sample.task_id, sample.index, None, (check,), 0.0, sample.digest)
