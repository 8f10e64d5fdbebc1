"""Flawed: a hidden counter makes every second call answer differently."""

_calls = 0


def sort(xs):
    global _calls
    _calls += 1
    result = sorted(xs)
    if _calls % 2 == 0 and len(set(xs)) > 1:
        result.reverse()
    return result
