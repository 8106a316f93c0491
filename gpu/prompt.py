"""Prompt text -> keyword list, with errors a member can act on."""

from __future__ import annotations

import re


class PromptError(ValueError):
    """A prompt or descriptor target the model cannot honour; the message says what to use."""


_SEPARATORS = re.compile(r"[\s,;+/_\-.]+")


def parse_prompt(prompt: str, vocabulary: list[str]) -> list[str]:
    """Split on spaces, commas and the file-name separators, lowercase, de-duplicate (order
    kept). Empty or unknown words raise PromptError listing the vocabulary."""
    words = [w for w in _SEPARATORS.split(prompt.lower()) if w]
    if not words:
        raise PromptError(
            f"The prompt is empty. Use one or more of these keywords: {', '.join(vocabulary)}."
        )
    unknown = [w for w in words if w not in vocabulary]
    if unknown:
        raise PromptError(
            f"Unknown keyword{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}. "
            f"Use one or more of these keywords: {', '.join(vocabulary)}."
        )
    return list(dict.fromkeys(words))
