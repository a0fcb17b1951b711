"""Token cost of what models see, counted with Mistral's own Tekken tokenizer.

`mistral-common` (a dev dependency) ships the tokenizer file and loads offline. Without it the
count falls back to a rough estimate (4 characters a token) and says so.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Protocol

TOKENIZER_FILE = "tekken_240911.json"


class _Encoder(Protocol):
    def encode(self, s: str, bos: bool, eos: bool) -> list[int]: ...


@cache
def _tekken() -> _Encoder | None:
    try:
        import mistral_common
        from mistral_common.tokens.tokenizers.tekken import Tekkenizer
    except ImportError:
        return None
    path = Path(mistral_common.__file__).parent / "data" / TOKENIZER_FILE
    tokenizer: _Encoder = Tekkenizer.from_file(str(path))
    return tokenizer


def exact_counts_available() -> bool:
    return _tekken() is not None


def count_tokens(value: Any) -> int:
    """Tokens of `value` as compact JSON (a string is counted as is)."""
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    tokenizer = _tekken()
    if tokenizer is None:
        return max(1, len(text) // 4)
    return len(tokenizer.encode(text, bos=False, eos=False))
