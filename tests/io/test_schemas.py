"""Every shipped process and every scenario validates against the JSON Schemas editors use,
and the loaders accept exactly the keys the schemas list (one list of each)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from procsim.core.errors import SchemaError
from procsim.io.process_reader import processes_dir
from procsim.io.safe_yaml import load_file
from procsim.io.scenario_reader import load_scenario
from procsim.io.schema import allowed_keys, json_schema

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
PROCESSES = sorted(processes_dir().glob("*.yaml"))


def _plain(data):
    return json.loads(json.dumps(data, default=str))


@pytest.mark.parametrize("kind", ["scenario", "process"])
def test_the_schemas_are_valid_draft_2020_12(kind):
    Draft202012Validator.check_schema(json_schema(kind))
    assert json_schema(kind)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("path", SCENARIOS + PROCESSES, ids=lambda p: p.stem)
def test_every_shipped_file_validates(path):
    kind = "process" if path in PROCESSES else "scenario"
    errors = [
        f"{list(e.absolute_path)}: {e.message}"
        for e in Draft202012Validator(json_schema(kind)).iter_errors(_plain(load_file(path)))
    ]
    assert errors == []


def test_a_key_the_schema_does_not_list_is_refused_by_schema_and_loader(tmp_path):
    text = (ROOT / "scenarios" / "oconnor-ca-dismisses.yaml").read_text()
    (tmp_path / "oconnor.yaml").write_text((ROOT / "scenarios" / "oconnor.yaml").read_text())
    bad = tmp_path / "bad.yaml"
    bad.write_text("author: someone\n" + text)
    assert list(Draft202012Validator(json_schema("scenario")).iter_errors(_plain(load_file(bad))))
    with pytest.raises(SchemaError, match=r"unknown key 'author'"):
        load_scenario(bad)


def test_allowed_keys_come_from_the_schema():
    required, optional = allowed_keys("scenario", "event")
    assert required == ["id", "date", "actor", "summary", "sources"]
    assert "discrepancies" in optional and "trigger" in optional
