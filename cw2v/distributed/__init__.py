"""Training across machines on an existing cluster engine: Ray, or Spark.

``train_on_ray`` (``pip install cw2v[ray]``) and ``train_on_spark``
(``pip install cw2v[spark]``) run the same synchronous algorithm (written
once, engine-free, in ``cw2v.distributed._sync``): the vocabulary is counted
shard by shard and merged, every worker holds an identical replica of the
model and trains its shard with cw2v's own dispatcher and kernels, and every
``sync_every_words`` words per worker the changes of the replicas are
combined row by row (rows nobody changed stay as they are); on Ray, the rows
of the most frequent words are combined more often, every
``hot_sync_every_words`` words. The learning
rate follows the progress of all workers together. The result is an
ordinary :class:`~cw2v.model.Word2Vec`. The user guide's page "Training on
a cluster" says when to use it, how to choose the parameters, and what was
measured.

The engines are imported only when their function is first used, so this
package imports without Ray or Spark installed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from cw2v.distributed._sync import DistributedTrainingError, SyncInfo

if TYPE_CHECKING:
    from cw2v.distributed.ray import train_on_ray
    from cw2v.distributed.spark import train_on_spark

__all__ = ["DistributedTrainingError", "SyncInfo", "train_on_ray", "train_on_spark"]

_LAZY = {
    "train_on_ray": ("cw2v.distributed.ray", "ray", "ray"),
    "train_on_spark": ("cw2v.distributed.spark", "pyspark", "spark"),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'cw2v.distributed' has no attribute {name!r}")
    module, engine, extra = _LAZY[name]
    try:
        importlib.import_module(engine)
    except ImportError:
        raise ImportError(
            f"{name} needs {engine}, which is not installed: pip install 'cw2v[{extra}]'"
        ) from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
