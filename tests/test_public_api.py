"""The public API (procsim.__all__) and the README's Python example, run as a doctest."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import procsim

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_public_name_resolves():
    for name in procsim.__all__:
        assert getattr(procsim, name) is not None, name


def test_an_unknown_name_is_an_attribute_error():
    try:
        procsim.no_such_thing  # noqa: B018
    except AttributeError as error:
        assert "no_such_thing" in str(error)
    else:  # pragma: no cover
        raise AssertionError("no AttributeError")


def _readme_examples() -> str:
    blocks = re.findall(r"```pycon\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    assert blocks, "the README has no Python example"
    return "\n".join(blocks)


def test_the_readme_example_runs(monkeypatch):
    monkeypatch.chdir(README.parent)
    parser = doctest.DocTestParser()
    test = parser.get_doctest(_readme_examples(), {}, "README.md", str(README), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0 and runner.tries >= 5


def test_the_package_docstring_example_runs(monkeypatch):
    monkeypatch.chdir(README.parent)
    result = doctest.testmod(procsim, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted >= 2
