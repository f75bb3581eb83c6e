"""The key is taken out of every answer body, wherever it sits, while a body without it
is decoded without walking its values (api/redact.redact_json)."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rootfi_excel.api.redact_answers import MASK, may_hold, redact, redact_json

KEY = "rk_live_Ab3-x9_QpLm/7+Z=="  # holds characters that URL-encoding and JSON may escape
PLAIN_KEY = "rk_sandbox_Z8dkq3LmN0pQ-r_7w"


def escaped(text: str) -> str:
    """Every character as a JSON \\uXXXX escape: decodes to `text`, never spells it."""
    return "".join(f"\\u{ord(c):04x}" for c in text)


@pytest.mark.parametrize("key", [KEY, PLAIN_KEY])
@pytest.mark.parametrize("body", [
    '{"error": {"message": "bad key %s", "field": "api_key", "code": "x"}}',
    '{"data": [{"variables": {"note": ["deep", {"deeper": "%s"}]}}]}',
    '{"%s": 1}',
    '{"next": "https://x/y?api_key=%s"}',
])
def test_the_key_is_removed_wherever_it_sits_as_is_or_url_encoded(key, body):
    for form in (key, quote(key, safe="")):
        raw = (body % form.replace("\\", "\\\\").replace('"', '\\"')).encode()
        clean = json.dumps(redact_json(raw, key))
        assert key not in clean and quote(key, safe="") not in clean and MASK in clean


@pytest.mark.parametrize("key", [KEY, PLAIN_KEY])
def test_a_key_spelled_with_json_escapes_or_in_utf16_is_still_found(key):
    bodies = [
        ('{"message": "%s"}' % escaped(key)).encode(),
        ('{"message": "%s"}' % key.replace("/", "\\/")).encode(),
        json.dumps({"message": f"echo {key}"}).encode("utf-16"),
        json.dumps({"message": f"echo {key}"}).encode("utf-32"),
    ]
    for raw in bodies:
        assert key in json.dumps(json.loads(raw)) or key in json.loads(raw)["message"]
        assert key not in json.dumps(redact_json(raw, key)), raw


def test_a_body_without_the_key_is_not_walked_and_comes_back_as_decoded():
    raw = json.dumps({"data": [{"document_number": f"R-{n}", "amount": n} for n in range(200)]}).encode()
    assert not may_hold(raw, PLAIN_KEY)
    assert redact_json(raw, PLAIN_KEY) == json.loads(raw)
    assert may_hold(raw.replace(b"R-7", PLAIN_KEY.encode()), PLAIN_KEY)


texts = st.one_of(st.text(max_size=12), st.sampled_from([KEY, PLAIN_KEY, quote(KEY, safe=""), f"a{KEY}b"]))
values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), texts),
                      lambda inner: st.one_of(st.lists(inner, max_size=4),
                                              st.dictionaries(texts, inner, max_size=4)), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(value=values, ascii_only=st.booleans(), key=st.sampled_from([KEY, PLAIN_KEY]))
def test_the_quick_path_gives_exactly_what_walking_every_value_gives(value, ascii_only, key):
    raw = json.dumps(value, ensure_ascii=ascii_only).encode()
    assert redact_json(raw, key) == redact(json.loads(raw), key)
    assert redact_json(raw.decode(), key) == redact(json.loads(raw), key)
