"""cw2v: fast, dependable word2vec training on the CPU.

The public names are loaded on first use, so ``import cw2v.reference`` or
``import cw2v.vocab`` stays light and does not load the compiled core.

Examples
--------
>>> import cw2v
>>> sentences = [["the", "cat", "sat"], ["the", "dog", "sat"]] * 50
>>> model = cw2v.Word2Vec(sentences, vector_size=16, min_count=1, workers=1).train()
>>> model.wv["cat"].shape
(16,)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from cw2v._version import __version__

if TYPE_CHECKING:
    from cw2v.model import Word2Vec
    from cw2v.vectors import KeyedVectors
    from cw2v.vocab import Vocabulary

_LAZY = {
    "Word2Vec": "cw2v.model",
    "KeyedVectors": "cw2v.vectors",
    "Vocabulary": "cw2v.vocab",
}

__all__ = ["KeyedVectors", "Vocabulary", "Word2Vec", "__version__"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cw2v' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
