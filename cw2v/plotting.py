"""Pictures of a model: the training loss per epoch and 2-D maps of word neighbourhoods.

matplotlib is an optional dependency (``pip install "cw2v[plot]"``). It is imported
only inside the functions that draw, and they draw on a bare
:class:`matplotlib.figure.Figure` rendered by the Agg backend, so they work without a
display and never change the pyplot backend or state of a session that uses one.

The 2-D map is a projection of the words' unit vectors (cosine geometry):

* ``"pca"`` (the default): the first two principal components, from one SVD of the
  centred matrix in numpy. Deterministic, instant, and distances along the axes mean
  something: the picture shows the directions in which the chosen words differ most.
* ``"tsne"``: scikit-learn's t-SNE (``pip install scikit-learn``), which separates
  clusters better but distorts distances between them and depends on its random seed.

PCA is the default because it needs nothing beyond numpy, gives the same picture on
every run, and for the few dozen points of a neighbourhood map separates the groups
about as well as t-SNE does.

Examples
--------
>>> import numpy as np
>>> from cw2v.plotting import pca_2d
>>> points = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
>>> pca_2d(points).shape
(3, 2)
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from cw2v.vectors import KeyedVectors

__all__ = ["METHODS", "pca_2d", "plot_loss", "plot_words", "require_matplotlib"]

METHODS = ("pca", "tsne")
"""The projections `plot_words` offers."""

_INSTALL_PLOT = 'pip install "cw2v[plot]"'


def require_matplotlib() -> Any:
    """Import and return matplotlib, or say how to install it.

    Returns
    -------
    module
        The ``matplotlib`` module.

    Raises
    ------
    ImportError
        If matplotlib is not installed; the message gives the ``pip`` command.
    """
    try:
        import matplotlib
    except ImportError:
        raise ImportError(
            f"plotting needs matplotlib, which is not installed: {_INSTALL_PLOT}"
        ) from None
    return matplotlib


def require_method(method: str) -> None:
    """Check that a projection `method` is known and its dependency installed.

    Raises
    ------
    ValueError
        If `method` is not one of `METHODS`.
    ImportError
        If ``"tsne"`` is asked for and scikit-learn is not installed.
    """
    if method not in METHODS:
        raise ValueError(f"unknown projection {method!r}; choose one of {', '.join(METHODS)}")
    if method == "tsne":
        try:
            import sklearn.manifold  # noqa: F401
        except ImportError:
            raise ImportError(
                "the t-SNE map needs scikit-learn, which is not installed: "
                "pip install scikit-learn (or use the PCA map, method 'pca')"
            ) from None


def _new_figure(width: float, height: float) -> Any:
    require_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=120, layout="constrained")
    FigureCanvasAgg(figure)  # attaches itself: savefig renders with Agg, no display needed
    return figure


def _save(figure: Any, path: str | os.PathLike[str]) -> Path:
    # Render into a temporary file and rename, as every cw2v save does: an interrupted
    # save never leaves a truncated picture where a good one was.
    target = Path(path)
    suffix = target.suffix.lstrip(".") or "png"
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        figure.savefig(partial, format=suffix)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def plot_loss(
    training_loss: Sequence[Any],
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
) -> Path:
    """Draw the training loss per word, one point per epoch, and save the picture.

    Parameters
    ----------
    training_loss : sequence of EpochStats or of float
        ``model.training_loss`` (an epoch that was interrupted is drawn as a hollow
        point), or plain numbers, the loss per word of each epoch.
    path : str or os.PathLike
        Where to save; the format follows the extension (``.png``, ``.svg``,
        ``.pdf``; PNG when there is none).
    title : str, optional
        Title of the plot.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ValueError
        If there is no epoch to draw.
    ImportError
        If matplotlib is not installed.

    Examples
    --------
    >>> from cw2v.plotting import plot_loss
    >>> plot_loss([2.9, 2.6, 2.5], "loss.png")  # doctest: +SKIP
    PosixPath('loss.png')
    """
    losses, complete = [], []
    for item in training_loss:
        if isinstance(item, (int, float, np.number)):
            losses.append(float(item))
            complete.append(True)
        else:
            losses.append(float(item.loss_per_word))
            complete.append(bool(getattr(item, "completed", True)))
    if not losses:
        raise ValueError("no epoch to plot: train the model first")
    epochs = np.arange(1, len(losses) + 1)
    values = np.asarray(losses)
    done = np.asarray(complete)

    figure = _new_figure(6.4, 4.0)
    ax = figure.add_subplot()
    ax.plot(epochs, values, color="tab:blue", linewidth=1.5)
    ax.plot(epochs[done], values[done], "o", color="tab:blue", label="epoch")
    if not done.all():
        ax.plot(
            epochs[~done],
            values[~done],
            "o",
            markerfacecolor="white",
            color="tab:blue",
            label="interrupted epoch",
        )
        ax.legend()
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss per word")
    ax.set_title(title or "cw2v training loss")
    ax.set_xticks(epochs if len(epochs) <= 20 else np.linspace(1, len(epochs), 10).round())
    ax.grid(True, alpha=0.3)
    return _save(figure, path)


def pca_2d(points: np.ndarray) -> np.ndarray:
    """Project rows onto their first two principal components.

    Parameters
    ----------
    points : numpy.ndarray
        Shape (n, d).

    Returns
    -------
    numpy.ndarray
        Shape (n, 2), float64; a component that does not exist (fewer than 3
        points or ``d < 2``) is zero. Each component's sign is fixed so that its
        largest coordinate is positive, so the picture does not flip between runs.

    Examples
    --------
    >>> import numpy as np
    >>> xy = pca_2d(np.array([[0.0, 0.0], [2.0, 0.0], [4.0, 0.1]]))
    >>> xy.shape, round(float(xy[2, 0] - xy[0, 0]), 2)
    ((3, 2), 4.0)
    """
    data = np.asarray(points, dtype=np.float64)
    if data.ndim != 2:
        raise ValueError(f"points must be a 2-D array, got shape {data.shape}")
    centred = data - data.mean(axis=0)
    out = np.zeros((len(data), 2))
    if len(data) < 2:
        return out
    u, s, _ = np.linalg.svd(centred, full_matrices=False)
    k = min(2, len(s))
    coords = u[:, :k] * s[:k]
    for j in range(k):
        if coords[np.argmax(np.abs(coords[:, j])), j] < 0:
            coords[:, j] = -coords[:, j]
    out[:, :k] = coords
    return out


def _tsne_2d(points: np.ndarray, seed: int) -> np.ndarray:
    from sklearn.manifold import TSNE

    n = len(points)
    if n < 4:  # t-SNE needs perplexity < n; with so few points PCA says the same
        return pca_2d(points)
    tsne = TSNE(
        n_components=2,
        perplexity=min(30.0, (n - 1) / 3),
        init="pca",
        metric="cosine",
        random_state=seed,
    )
    return tsne.fit_transform(np.asarray(points, dtype=np.float64))


def _groups(
    wv: KeyedVectors, words: Sequence[str], neighbours: int, restrict_vocab: int | None
) -> list[list[str]]:
    """Each query word followed by its neighbours; a word is drawn in the first group it is in."""
    for word in words:
        wv.get_index(word)  # KeyError naming the word before any work
    queries = list(dict.fromkeys(words))
    taken = set(queries)
    groups = []
    for word in queries:
        group = [word]
        if neighbours > 0:
            for other, _ in wv.most_similar(word, topn=neighbours, restrict_vocab=restrict_vocab):
                if other not in taken:
                    taken.add(other)
                    group.append(other)
        groups.append(group)
    return groups


def plot_words(
    wv: KeyedVectors,
    words: Sequence[str],
    path: str | os.PathLike[str],
    *,
    neighbours: int = 8,
    method: str = "pca",
    restrict_vocab: int | None = None,
    seed: int = 0,
    title: str | None = None,
) -> Path:
    """Draw a labelled 2-D map of words and their nearest neighbours, and save it.

    Every query word and its `neighbours` nearest words form a group drawn in its own
    colour, the query word larger and in bold. The positions are a 2-D projection of
    the unit vectors of all the words drawn (see the module docstring for the methods).

    Parameters
    ----------
    wv : KeyedVectors
        The vectors.
    words : sequence of str
        The query words.
    path : str or os.PathLike
        Where to save; the format follows the extension (PNG when there is none).
    neighbours : int, default 8
        Nearest neighbours drawn with each query word (0 draws the words alone). A
        word that is near several query words is drawn once, in the first group.
    method : {"pca", "tsne"}, default "pca"
        The projection; ``"tsne"`` needs scikit-learn.
    restrict_vocab : int, optional
        Look for neighbours among the first (most frequent) `restrict_vocab` words only.
    seed : int, default 0
        Random seed of t-SNE.
    title : str, optional
        Title of the map.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    KeyError
        If a query word is not in the vocabulary (the message names it).
    ValueError
        If `words` is empty, `neighbours` is negative or `method` is unknown.
    ImportError
        If matplotlib (or, for t-SNE, scikit-learn) is not installed.

    Examples
    --------
    >>> from cw2v.plotting import plot_words
    >>> plot_words(model.wv, ["gold", "night"], "map.png")  # doctest: +SKIP
    PosixPath('map.png')
    """
    if isinstance(words, str):
        raise TypeError("words must be a sequence of words, not a single string")
    if not words:
        raise ValueError("give at least one word to plot")
    if neighbours < 0:
        raise ValueError(f"neighbours must be >= 0, got {neighbours}")
    require_method(method)
    require_matplotlib()
    groups = _groups(wv, words, neighbours, restrict_vocab)
    drawn = [word for group in groups for word in group]
    unit = np.stack([wv.get_vector(word, norm=True) for word in drawn]).astype(np.float64)
    xy = pca_2d(unit) if method == "pca" else _tsne_2d(unit, seed)

    import matplotlib as mpl

    palette = mpl.colormaps["tab10" if len(groups) <= 10 else "tab20"]
    size = max(6.0, min(12.0, 4.0 + 1.2 * math.sqrt(len(drawn))))
    figure = _new_figure(size, size * 0.75)
    ax = figure.add_subplot()
    start = 0
    for g, group in enumerate(groups):
        colour = palette(g % palette.N)
        pts = xy[start : start + len(group)]
        ax.scatter(pts[1:, 0], pts[1:, 1], s=24, color=colour, alpha=0.8)
        ax.scatter(pts[:1, 0], pts[:1, 1], s=90, color=colour, marker="*", label=group[0])
        for i, (word, (x, y)) in enumerate(zip(group, pts, strict=True)):
            ax.annotate(
                word,
                (x, y),
                xytext=(4, 3),
                textcoords="offset points",
                fontsize=11 if i == 0 else 9,
                fontweight="bold" if i == 0 else "normal",
                color=colour,
            )
        start += len(group)
    name = "PCA" if method == "pca" else "t-SNE"
    ax.set_title(title or f"{name} map of {len(drawn)} words (cosine geometry)")
    ax.set_xlabel(f"{name} 1")
    ax.set_ylabel(f"{name} 2")
    ax.margins(0.12)
    ax.grid(True, alpha=0.25)
    if len(groups) > 1:
        ax.legend(loc="best", fontsize=9, title="query words")
    return _save(figure, path)
