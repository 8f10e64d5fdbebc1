from pathlib import Path

import pytest
from hypothesis import strategies as st

import signoff
from signoff.errors import SpecError, TargetError
from signoff.specfile import load_corpus
from signoff.targets import parse_target


def write(tmp_path: Path, text: str, name: str = "spec.py") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_spec_defaults_to_same_results():
    spec = signoff.Spec(reference="math:fsum", inputs=st.lists(st.floats()))
    assert [c.name for c in spec.criteria] == ["same_results"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"inputs": [1, 2]}, "Spec(inputs=...) must be a Hypothesis strategy"),
    ({"criteria": ["same_results"]}, "not a criterion"),
    ({"timeout": 0}, "Spec(timeout=...) must be a finite number > 0"),
    ({"timeout": 1e308}, "Spec(timeout=...) must be at most 604800 seconds"),
    ({"memory_limit": 1000}, "memory_limit"),
])
def test_bad_spec_arguments_say_what_and_where(kwargs, message):
    with pytest.raises(SpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        signoff.Spec(reference="math:fsum", **kwargs)


@pytest.mark.parametrize(("target", "message"), [
    ("math", "is not of the form"),
    ("nope/missing.py:f", "file not found"),
    ("not a module:f", "is not a module name"),
    (42, "must be 'pkg.mod:func'"),
])
def test_bad_targets(target, message):
    with pytest.raises(TargetError, match=message):
        parse_target(target)


def test_same_results_validates_its_arguments():
    with pytest.raises(SpecError, match="examples"):
        signoff.same_results(examples=-1)
    with pytest.raises(SpecError, match="exceptions"):
        signoff.same_results(exceptions="loose")


def test_load_spec_errors_name_the_file_and_line(tmp_path):
    with pytest.raises(SpecError, match="spec file not found"):
        signoff.load_spec(tmp_path / "absent.py")
    with pytest.raises(SpecError, match=r"spec.txt: a spec is a Python file"):
        signoff.load_spec(write(tmp_path, "x", "spec.txt"))
    with pytest.raises(SpecError, match=r"spec.py:2: not valid Python"):
        signoff.load_spec(write(tmp_path, "import signoff\nspec = (\n"))
    with pytest.raises(SpecError, match=r"spec.py: defines no `spec`"):
        signoff.load_spec(write(tmp_path, "x = 1\n"))
    with pytest.raises(SpecError, match=r"spec.py: `spec` is a int"):
        signoff.load_spec(write(tmp_path, "spec = 1\n"))
    with pytest.raises(SpecError, match=r"spec.py:3: the spec raised ZeroDivisionError"):
        signoff.load_spec(write(tmp_path, "import signoff\n\nx = 1 / 0\n"))
    with pytest.raises(SpecError, match=r"spec.py:2: .*file not found"):
        signoff.load_spec(write(tmp_path, "import signoff\nspec = signoff.Spec(reference='ref.py:f')\n"))


def test_paths_in_a_spec_are_relative_to_the_spec_file(tmp_path):
    (tmp_path / "ref.py").write_text("def f(x): return x\n")
    loaded = signoff.load_spec(write(tmp_path, "import signoff\nspec = signoff.Spec(reference='ref.py:f')\n"))
    assert loaded.spec.reference_target.path == str((tmp_path / "ref.py").resolve())


def test_corpus_errors_name_the_line(tmp_path):
    path = write(tmp_path, '{"args": [1]}\n\n{"args": 2}\n', "in.jsonl")
    with pytest.raises(SpecError, match=r"in.jsonl:3: \"args\" must be a list"):
        load_corpus(path)
    path = write(tmp_path, '{"args": [1]}\nnot json\n', "bad.jsonl")
    with pytest.raises(SpecError, match=r"bad.jsonl:2: not JSON"):
        load_corpus(path)
    path = write(tmp_path, '{"args": [[1, 2]], "kwargs": {"key": "x"}}\n', "ok.jsonl")
    assert load_corpus(path) == [signoff.Call(([1, 2],), {"key": "x"})]
