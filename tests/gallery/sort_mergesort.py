"""Correct alternative: a different algorithm (merge sort), same behaviour."""


def sort(xs):
    if len(xs) <= 1:
        return list(xs)
    middle = len(xs) // 2
    left, right = sort(xs[:middle]), sort(xs[middle:])
    merged, i, j = [], 0, 0
    while i < len(left) and j < len(right):
        if left[i] <= right[j]:
            merged.append(left[i])
            i += 1
        else:
            merged.append(right[j])
            j += 1
    return merged + left[i:] + right[j:]
