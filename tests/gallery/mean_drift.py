"""Flawed: naive summation drifts far beyond the tolerance on cancelling inputs."""


def mean(xs):
    if not xs:
        raise ValueError("mean of an empty list")
    return sum(xs) / len(xs)
