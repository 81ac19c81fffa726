"""Text from a mapping or a file header never becomes code in the generated functions."""

from __future__ import annotations

import ast
import builtins

import pytest
from leadloop.errors import BadRecord
from leadloop.mapping import compile_mapping

PAYLOAD = "__import__('builtins').__dict__.__setitem__('PWNED', True)"
HOSTILE = [
    f"x'); {PAYLOAD}; ('",
    f'x"); {PAYLOAD}; ("',
    f"x\n    {PAYLOAD}\n#",
    f"x'''\n{PAYLOAD}\n'''",
    f"x\\'); {PAYLOAD}; #",
    f"x}}; {PAYLOAD}; {{",
]


@pytest.fixture(autouse=True)
def never_pwned():
    yield
    assert not hasattr(builtins, "PWNED"), "a hostile string ran as code"


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_names_and_values_stay_data(hostile):
    mapping = compile_mapping(
        {
            "object": "lead",
            "source": hostile,
            "fields": [
                {"core": "email", "source": [hostile, "Email"], "required": True},
                {
                    "core": "notes",
                    "source": "Notes",
                    "value_map": {hostile: hostile + " mapped"},
                    "default": hostile,
                },
                {"core": "products_of_interest", "source": "P", "transforms": [{"split": hostile}]},
                {"core": "lead_source", "constant": hostile},
                {"core": f"custom.{hostile}", "source": hostile, "label": hostile, "direction": "in"},
            ],
        },
        file=hostile,
    )
    record = {hostile: "ada@example.com", "Notes": hostile, "P": f"A{hostile}B"}
    result = mapping.apply_in(record, label=hostile)
    assert result["email"] == "ada@example.com"
    assert result["notes"] == hostile.strip() + " mapped" or result["notes"] == hostile + " mapped"
    assert result["products_of_interest"] == ["A", "B"]
    assert result["lead_source"] == hostile.strip()
    assert result["custom"] == {hostile: "ada@example.com"}
    assert mapping.apply_out(result) == {hostile: "ada@example.com", "Notes": hostile, "P": f"A{hostile}B"}

    mapper = mapping.for_columns([hostile, "Notes", "P"], file=hostile)
    assert mapper(["ada@example.com", "", "A"])["notes"] == hostile.strip()
    with pytest.raises(BadRecord) as caught:
        mapper(["", "", ""], hostile)
    assert caught.value.problems[0].field == hostile.strip()

    for source in (mapping.python_source, mapper.python_source):
        tree = ast.parse(source)
        assert [type(node) for node in tree.body] == [ast.FunctionDef]
        names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        assert "__import__" not in names  # the payload is only ever inside string constants and comments


def test_only_text_can_be_spelt_into_code():
    from leadloop.mapping.codegen import _literal

    class Sneaky(str):
        def __repr__(self) -> str:
            return PAYLOAD

    assert _literal("plain") == "'plain'"
    with pytest.raises(TypeError):
        _literal(3)  # type: ignore[arg-type]
    assert _literal(Sneaky("x")) == "'x'"
