"""How many examples a property test draws. Each test names its count for the "ci" profile
(the default: what .ci/run and the README's test command run); another profile scales every
count at once (profiles registered in tests/conftest.py):

    pytest --hypothesis-profile=quick ...   a tenth of them, for a quick loop while working
    pytest --hypothesis-profile=deep ...    ten times as many, for a deeper hunt
"""

from __future__ import annotations

from hypothesis import settings

CI_EXAMPLES = 100  # max_examples of the "ci" profile: the unit the others are measured in


def examples(count: int) -> int:
    """`count` examples under the "ci" profile, scaled by the profile in use (at least 1)."""
    return max(1, round(count * settings.default.max_examples / CI_EXAMPLES))
