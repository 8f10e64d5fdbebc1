import signoff


def test_all_is_sorted_and_complete():
    assert signoff.__all__ == sorted(signoff.__all__)
    for name in signoff.__all__:
        assert hasattr(signoff, name), name
