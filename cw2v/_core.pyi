"""Type stub of the compiled core, :mod:`cw2v._core` (built from ``src/_core.pyx``).

The kernels take typed memoryviews: any C-contiguous buffer of the right item
type is accepted at run time; the stub names the numpy arrays the package
passes. Checked against the built module by ``python -m mypy.stubtest cw2v._core``.
"""

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
from typing_extensions import Buffer, Self, disjoint_base

SIGMOID_TABLE_SIZE: Final[int]
MAX_SIGMOID: Final[float]
MAX_WINDOW: Final[int]
MAX_NEGATIVE: Final[int]

@disjoint_base
class Kernel:
    """The training kernel bound to one model's arrays (used in place)."""

    @property
    def arrays(self) -> tuple[object, ...]:
        """Every array the kernel points into, kept alive with it."""

    def __init__(
        self,
        input_vectors: npt.NDArray[np.float32],
        output_vectors: npt.NDArray[np.float32],
        *,
        model: str = "skipgram",
        loss: str = "ns",
        window: int = 5,
        negative: int = 5,
        cbow_mean: bool = True,
        cbow_exact: bool = False,
        shrink_windows: bool = True,
        shared_negatives: bool = True,
        hot_rows: int = 0,
        keep_thresholds: npt.NDArray[np.uint32] | None = None,
        noise_prob: npt.NDArray[np.uint32] | None = None,
        noise_alias: npt.NDArray[np.int32] | None = None,
        codes: npt.NDArray[np.uint8] | None = None,
        points: npt.NDArray[np.int32] | None = None,
        code_offsets: npt.NDArray[np.int64] | None = None,
    ) -> None: ...
    @property
    def vector_size(self) -> int: ...
    @property
    def vocab_size(self) -> int: ...
    def train_job(
        self,
        ids: npt.NDArray[np.int32],
        offsets: npt.NDArray[np.int64],
        alpha_start: float,
        alpha_end: float,
        seed: int,
    ) -> tuple[int, int, int, float]:
        """Train on one job with the GIL released.

        Returns (raw_words, effective_words, updates, loss).
        """
    def train_example(
        self, inputs: npt.NDArray[np.int32], target: int, alpha: float, seed: int
    ) -> float: ...
    def draw_noise(self, seed: int, count: int) -> list[int]: ...

@disjoint_base
class TokenTable:
    """A hash table from byte strings to int64 values, used from C."""

    @property
    def size(self) -> int: ...
    def __new__(cls, expected: int = 1024) -> Self: ...
    @classmethod
    def from_words(
        cls, words: Sequence[str], encoding: str = "utf-8", errors: str = "strict"
    ) -> Self: ...
    def count(self, text: Buffer) -> int: ...
    def encode(self, text: Buffer) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]]:
        """Word ids of the tokens of ``text`` (-1 if unknown), and line offsets."""
    def prune(self, min_reduce: int) -> None: ...
    def min_value(self) -> int: ...
    def items(self, min_value: int = 0) -> list[tuple[bytes, int]]: ...
    def __len__(self) -> int: ...

def count_tokens(text: Buffer) -> int: ...
def split_text(text: Buffer, piece_words: int) -> list[tuple[int, int, int]]: ...
def sigmoid(x: float) -> float: ...
def log_sigmoid(x: float) -> float: ...
def random_uint64(seed: int, count: int) -> list[int]: ...
