"""``signoff batch``: judge many generated samples per task, as a code-model evaluation does.

A task is a reference solution with its inputs (supplied base and plus inputs,
optionally a Hypothesis strategy) and optionally a workload; a sample is one
candidate program for one task. Every sample gets two verdicts: on the base
inputs alone (what the original benchmark's tests see) and under signoff's
criteria (base and plus inputs, and generated inputs where the task has a
strategy). The summary gives pass@k by both, the samples that pass the base
inputs but are wrong ("plausible but wrong"), and, for tasks with a workload,
each correct sample's speed ratio to the reference.

- ``task``: ``Task``, what a sample is judged against;
- ``tasks``: ``load_tasks`` and the importer for the EvalPlus format (HumanEval+, MBPP+);
- ``evalplus``: what that format needs beyond plain JSON (MBPP+ input types, special oracles);
- ``native``: signoff's own JSONL task format (inferred strategies, workloads, speed bounds);
- ``taskfile``: tasks from a Python file (``TASKS`` or ``tasks()``), for any strategy or workload;
- ``samples``: the JSONL samples file, with its problems collected, never fatal;
- ``judge``: one task's samples against one reference worker (backend-independent);
- ``speed``: a correct sample's ``speed`` check on the task's workload;
- ``units``: units of work (a task and some of its samples) and the local backend;
- ``ray_backend``: the same units on a Ray cluster;
- ``scheduler``: ``run_batch``, the whole batch, each result handed on as it arrives;
- ``ledger``: the batch table that makes ``--resume`` possible;
- ``summary``: pass@k, the plausible-but-wrong list and the speed ratios.

The command line is ``signoff.cli.batch``; its terminal view ``signoff.report.batch``.
"""

from __future__ import annotations

from signoff.batch.judge import SampleResult
from signoff.batch.samples import Sample, load_samples
from signoff.batch.scheduler import BatchOptions, BatchResult, run_batch
from signoff.batch.summary import pass_at_k
from signoff.batch.task import Task
from signoff.batch.tasks import load_tasks

__all__ = [
    "BatchOptions",
    "BatchResult",
    "Sample",
    "SampleResult",
    "Task",
    "load_samples",
    "load_tasks",
    "pass_at_k",
    "run_batch",
]
