"""Correct alternative: heapq, on a copy."""

import heapq


def sort(xs):
    heap = list(xs)
    heapq.heapify(heap)
    return [heapq.heappop(heap) for _ in range(len(heap))]
