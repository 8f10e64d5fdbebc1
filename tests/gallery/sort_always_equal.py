"""Flawed: returns an object whose __eq__ says True to everything."""


class Anything:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None


def sort(xs):
    return Anything()
