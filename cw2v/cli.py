"""The ``cw2v`` command: train, query, evaluate, convert and plot word vectors.

Run ``cw2v --help`` (or ``python -m cw2v --help``) for the commands and ``cw2v COMMAND
--help`` for their options::

    cw2v train corpus.txt -o vectors.bin --dim 100 --epochs 5   # train, save vectors
    cw2v train sample -o sample.bin                             # the bundled sample corpus
    cw2v similar vectors.bin gold -n 10                         # nearest neighbours
    cw2v analogy vectors.bin man king woman                     # king - man + woman
    cw2v evaluate vectors.bin                                   # analogies, word pairs
    cw2v convert vectors.bin vectors.txt                        # between file formats
    cw2v plot vectors.bin gold night -o map.png                 # a 2-D map of neighbours

``VECTORS`` is a word2vec file (text or binary, detected; ``.gz``, ``.bz2``, ``.xz``
read compressed), a native cw2v vectors file (``KeyedVectors.save``) or a native model
(``train --save-model``, ``Word2Vec.save``).

Output: results (neighbours, tables, the training summary) go to stdout; log lines
and progress bars go to stderr. Progress bars are drawn only when stderr is a
terminal (elsewhere the log reports progress every few seconds). ``--quiet`` keeps
everything but query results and errors off the screen.

Errors print one line, ``cw2v: error: ...``, to stderr and exit with status 2 for a
usage error (a bad option or value) and 1 for any other (a missing file, an unknown
word, a failure while training); ``--debug`` or ``CW2V_DEBUG=1`` shows the traceback
instead. ``Ctrl-C`` during training saves the vectors learnt so far to the requested
files, says so, and exits with status 130.

word2vec.c's spelling
---------------------
``cw2v -train FILE -output FILE [options]`` (also after ``train``) takes word2vec.c's
options with word2vec.c's meanings and defaults, so existing scripts keep working:

==================  ===================  ================================================
word2vec.c          cw2v                 notes
==================  ===================  ================================================
-train FILE         CORPUS               one sentence per line
-output FILE        -o FILE
-size N             --dim N              default 100
-window N           --window N           default 5
-sample X           --sample X           default 1e-3
-hs 0|1             --hs                 default 0; with -hs 1 give -negative 0 (cw2v
                                         trains one loss; word2vec.c would train both)
-negative N         --negative N         default 5
-threads N          --workers N          default: all available cores (word2vec.c: 12)
-iter N             --epochs N           default 5
-min-count N        --min-count N        default 5
-alpha X            --alpha X            default 0.05 with CBOW, 0.025 with skip-gram;
                                         the rate falls to alpha * 1e-4, as word2vec.c
-binary 0|1         --binary / --text    default 0: text
-cbow 0|1           --cbow / --sg        default 1: CBOW (cw2v's own default is skip-gram)
-debug N            --quiet if N is 0    default 2
-save-vocab FILE                         "word count" lines, most frequent first
-read-vocab FILE                         counts from such a file instead of a scan
-classes N                               not supported (N must be 0)
==================  ===================  ================================================

``--save-model``, ``--plot-loss``, ``--seed``, ``--quiet`` and ``--debug`` may be added.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from cw2v._version import __version__

if TYPE_CHECKING:
    from cw2v.model import Word2Vec
    from cw2v.vectors import KeyedVectors

__all__ = ["CommandError", "build_parser", "build_word2vec_c_parser", "load_vectors", "main"]

logger = logging.getLogger("cw2v")

EXIT_RUNTIME = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

_TEXT_SUFFIXES = (".txt", ".vec")
_BINARY_SUFFIXES = (".bin",)
_NATIVE_SUFFIXES = (".cw2v", ".kv")
_COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz")
_ZIP_MAGIC = b"PK\x03\x04"
_SHOWCASE_RANKS = (100, 300, 1000)  # frequency ranks of the words whose neighbours train shows


class CommandError(Exception):
    """An error to report in one line; ``code`` is the exit status."""

    def __init__(self, message: str, code: int = EXIT_RUNTIME) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (raised, not printed and exited)."""

    def error(self, message: str) -> NoReturn:
        raise CommandError(f"{message} (see '{self.prog} --help')", EXIT_USAGE)


# --------------------------------------------------------------------------- arguments


def _number(kind: Callable[[str], Any], minimum: float, *, strict: bool = False) -> Callable:
    """An argparse type: a number of `kind` that is >= (or >) `minimum`."""

    def convert(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not {'an integer' if kind is int else 'a number'}"
            ) from None
        if value != value or value < minimum or (strict and value == minimum):
            raise argparse.ArgumentTypeError(
                f"{text} is out of range: it must be {'>' if strict else '>='} {minimum:g}"
            )
        return value

    convert.__name__ = kind.__name__  # argparse names the type in some messages
    return convert


_count = _number(int, 0)
_positive = _number(int, 1)
_rate = _number(float, 0.0, strict=True)
_fraction = _number(float, 0.0)


def _model_defaults() -> dict[str, Any]:
    from cw2v.model import Word2Vec

    return {
        name: p.default
        for name, p in inspect.signature(Word2Vec).parameters.items()
        if p.default is not inspect.Parameter.empty
    }


def _common(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else False
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default,
        help="no progress bars, log lines or summaries; only results and errors",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=default,
        help="show the traceback of an error (also CW2V_DEBUG=1)",
    )


def _vectors_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "vectors",
        metavar="VECTORS",
        help="word2vec text or binary file, or a native cw2v vectors or model file",
    )
    parser.add_argument(
        "--limit",
        type=_positive,
        metavar="N",
        help="read only the first N vectors (the N most frequent words)",
    )


def _add_train(sub: Any) -> None:
    d = _model_defaults()
    p = sub.add_parser(
        "train",
        help="train word vectors on a corpus",
        description=(
            "Train word2vec on CORPUS (a text file, one sentence per line; .gz/.bz2/.xz "
            "read compressed; a directory of such files; or the word 'sample' for the "
            "bundled sample corpus: write ./sample for a file of that name) and save the "
            "vectors in word2vec format."
        ),
        epilog=(
            "word2vec.c's options are accepted too, with word2vec.c's defaults: "
            "cw2v -train FILE -output FILE -size N -window N -sample X -hs 0|1 -negative N "
            "-threads N -iter N -min-count N -alpha X -binary 0|1 -cbow 0|1. Note "
            "word2vec.c's defaults: -cbow 1 (CBOW), -binary 0 (text), -alpha 0.05 for CBOW "
            "and 0.025 for skip-gram; -hs 1 needs -negative 0. See 'python -m pydoc "
            "cw2v.cli' for the whole mapping."
        ),
    )
    _common(p, suppress=True)
    p.add_argument("corpus", metavar="CORPUS", help="corpus file or directory, or 'sample'")
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="word2vec vectors file to write (binary unless it ends in .txt or .vec)",
    )
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument(
        "--binary", dest="binary", action="store_const", const=True, help="write binary"
    )
    fmt.add_argument("--text", dest="binary", action="store_const", const=False, help="write text")
    p.add_argument("--save-model", metavar="FILE", help="also save the whole model (native)")
    p.add_argument("--plot-loss", metavar="FILE", help="draw the loss per epoch (needs matplotlib)")
    p.add_argument(
        "--show",
        nargs="+",
        metavar="WORD",
        help="after training, print the nearest neighbours of these words "
        "(default: three words of middling frequency)",
    )

    g = p.add_argument_group("model")
    arch = g.add_mutually_exclusive_group()
    arch.add_argument("--sg", dest="sg", action="store_const", const=1, help="skip-gram (default)")
    arch.add_argument("--cbow", dest="sg", action="store_const", const=0, help="CBOW")
    g.add_argument("--dim", type=_positive, metavar="N", help=f"vector size ({d['vector_size']})")
    g.add_argument("--window", type=_positive, metavar="N", help=f"window ({d['window']})")
    g.add_argument(
        "--negative",
        type=_count,
        metavar="N",
        help=f"noise words per update ({d['negative']}; 0 with --hs or --softmax)",
    )
    g.add_argument("--hs", action="store_true", help="hierarchical softmax (sets --negative 0)")
    g.add_argument("--softmax", action="store_true", help="full softmax, small vocabularies only")
    g.add_argument(
        "--ns-exponent",
        type=float,
        metavar="X",
        help=f"noise distribution exponent ({d['ns_exponent']})",
    )
    g.add_argument(
        "--cbow-update",
        choices=("word2vec", "exact"),
        help=f"CBOW context update ({d['cbow_update']})",
    )
    g.add_argument("--cbow-sum", action="store_true", help="CBOW sums the context vectors")
    g.add_argument(
        "--fixed-window",
        action="store_true",
        help="always use the whole window (no random shrinking)",
    )

    g = p.add_argument_group("vocabulary")
    g.add_argument(
        "--min-count", type=_count, metavar="N", help=f"drop rarer words ({d['min_count']})"
    )
    g.add_argument(
        "--max-vocab-size", type=_positive, metavar="N", help="bound the words held while counting"
    )
    g.add_argument("--max-final-vocab", type=_positive, metavar="N", help="keep at most N words")
    g.add_argument(
        "--sample",
        type=_fraction,
        metavar="X",
        help=f"subsampling threshold ({d['sample']:g}; 0 disables)",
    )

    g = p.add_argument_group("training")
    g.add_argument("--epochs", type=_positive, metavar="N", help=f"passes ({d['epochs']})")
    g.add_argument("--alpha", type=_rate, metavar="X", help=f"learning rate ({d['alpha']})")
    g.add_argument(
        "--min-alpha", type=_fraction, metavar="X", help=f"final learning rate ({d['min_alpha']})"
    )
    g.add_argument("--workers", type=_positive, metavar="N", help="threads (all cores)")
    g.add_argument("--seed", type=_count, metavar="N", help=f"random seed ({d['seed']})")
    g.add_argument(
        "--job-words", type=_positive, metavar="N", help=f"words per job ({d['job_words']})"
    )
    p.set_defaults(func=_cmd_train)


def _add_queries(sub: Any) -> None:
    p = sub.add_parser(
        "similar",
        help="nearest neighbours of words",
        description="Print the words closest (by cosine) to each WORD.",
    )
    _common(p, suppress=True)
    _vectors_args(p)
    p.add_argument("words", nargs="+", metavar="WORD")
    p.add_argument("-n", "--topn", type=_positive, default=10, help="neighbours (10)")
    p.add_argument("--restrict", type=_positive, metavar="N", help="search the N first words")
    p.set_defaults(func=_cmd_similar)

    p = sub.add_parser(
        "analogy",
        help="solve 'A is to B as C is to ?' (B - A + C)",
        description="Print the words closest to B - A + C (3CosAdd on unit vectors).",
    )
    _common(p, suppress=True)
    _vectors_args(p)
    p.add_argument("a", metavar="A")
    p.add_argument("b", metavar="B")
    p.add_argument("c", metavar="C")
    p.add_argument("-n", "--topn", type=_positive, default=10, help="answers (10)")
    p.add_argument("--restrict", type=_positive, metavar="N", help="search the N first words")
    p.set_defaults(func=_cmd_analogy)


def _add_evaluate(sub: Any) -> None:
    p = sub.add_parser(
        "evaluate",
        help="analogy accuracy and word-pair correlations",
        description=(
            "Evaluate word vectors. With neither --analogies nor --pairs, runs the bundled "
            "questions-words analogies and the wordsim353 and simlex999 pairs; otherwise "
            "only the sets named. A set is a bundled name (questions-words, wordsim353, "
            "simlex999, men) or a file."
        ),
    )
    _common(p, suppress=True)
    _vectors_args(p)
    p.add_argument("--analogies", metavar="FILE|NAME", help="analogy questions")
    p.add_argument("--pairs", nargs="+", metavar="FILE|NAME", help="word pairs with scores")
    p.add_argument(
        "--restrict",
        type=_positive,
        metavar="N",
        help="use only the N most frequent words (default: 30000 for analogies, 300000 for pairs)",
    )
    p.add_argument(
        "--method", choices=("3cosadd", "3cosmul"), default="3cosadd", help="analogy method"
    )
    p.set_defaults(func=_cmd_evaluate)


def _add_convert(sub: Any) -> None:
    p = sub.add_parser(
        "convert",
        help="convert vectors between text, binary and native files",
        description=(
            "Convert word vectors. The input format is detected (a native model file "
            "gives its vectors); the output format comes from --to or the extension: "
            ".txt/.vec text, .bin binary, .cw2v/.kv native (after stripping .gz/.bz2/.xz, "
            "which compress word2vec files)."
        ),
    )
    _common(p, suppress=True)
    p.add_argument("input", metavar="IN", help="vectors or model file")
    p.add_argument("output", metavar="OUT", help="file to write")
    p.add_argument("--to", choices=("text", "binary", "native"), help="output format")
    p.add_argument("--limit", type=_positive, metavar="N", help="convert only the first N vectors")
    p.set_defaults(func=_cmd_convert)


def _add_plot(sub: Any) -> None:
    p = sub.add_parser(
        "plot",
        help="2-D map of words and their neighbours (needs matplotlib)",
        description=(
            "Draw the given words and their nearest neighbours in 2-D, each word's group "
            "in its own colour. PCA (numpy, deterministic) by default; --method tsne uses "
            "scikit-learn's t-SNE."
        ),
    )
    _common(p, suppress=True)
    _vectors_args(p)
    p.add_argument("words", nargs="+", metavar="WORD")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="picture (.png, .svg)")
    p.add_argument("--neighbours", type=_count, default=8, metavar="N", help="per word (8)")
    p.add_argument("--method", choices=("pca", "tsne"), default="pca", help="projection (pca)")
    p.add_argument("--restrict", type=_positive, metavar="N", help="neighbours among N first")
    p.set_defaults(func=_cmd_plot)


def build_parser() -> argparse.ArgumentParser:
    """Build the parser of the ``cw2v`` command (subcommands, cw2v's own spelling).

    Returns
    -------
    argparse.ArgumentParser
        Its ``error`` raises `CommandError` (exit status 2) instead of exiting.
    """
    parser = _Parser(
        prog="cw2v",
        description="Train, query, evaluate, convert and plot word2vec vectors.",
        epilog=(
            "word2vec.c's spelling also works: cw2v -train FILE -output FILE [-size N ...] "
            "(see 'cw2v -train -h'). Results go to stdout, logs to stderr."
        ),
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"cw2v {__version__}")
    _common(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_train(sub)
    _add_queries(sub)
    _add_evaluate(sub)
    _add_convert(sub)
    _add_plot(sub)
    return parser


# word2vec.c's options: (metavar, type, help); the dest is the name with '-' -> '_'
# (-debug: debug_level, as --debug is cw2v's traceback switch).
_W2VC_OPTIONS: dict[str, tuple[str, Callable[[str], Any], str]] = {
    "-train": ("FILE", str, "corpus, one sentence per line (or 'sample')"),
    "-output": ("FILE", str, "vectors file to write"),
    "-size": ("N", _positive, "vector size (100)"),
    "-window": ("N", _positive, "window (5)"),
    "-sample": ("X", _fraction, "subsampling threshold (1e-3)"),
    "-hs": ("0|1", int, "hierarchical softmax (0); 1 needs -negative 0"),
    "-negative": ("N", _count, "noise words per update (5)"),
    "-threads": ("N", _positive, "threads (all cores)"),
    "-iter": ("N", _positive, "epochs (5)"),
    "-min-count": ("N", _count, "drop rarer words (5)"),
    "-alpha": ("X", _rate, "learning rate (0.05 CBOW, 0.025 skip-gram)"),
    "-binary": ("0|1", int, "1: binary output, 0: text (0)"),
    "-cbow": ("0|1", int, "1: CBOW, 0: skip-gram (1)"),
    "-debug": ("N", int, "0: silent (2)"),
    "-save-vocab": ("FILE", str, "write 'word count' lines"),
    "-read-vocab": ("FILE", str, "take the counts from such a file"),
    "-classes": ("N", _count, "not supported (0)"),
}


def build_word2vec_c_parser() -> argparse.ArgumentParser:
    """Build the parser of word2vec.c's spelling: ``cw2v -train FILE -output FILE ...``."""
    parser = _Parser(
        prog="cw2v -train",
        description=(
            "Train with word2vec.c's options and defaults: CBOW (-cbow 1), text output "
            "(-binary 0), alpha 0.05 for CBOW and 0.025 for skip-gram falling to alpha * "
            "1e-4, -hs 0 -negative 5, threads: all cores. -hs 1 needs -negative 0: cw2v "
            "trains one loss."
        ),
        allow_abbrev=False,
    )
    for option, (metavar, kind, text) in _W2VC_OPTIONS.items():
        parser.add_argument(
            option,
            dest="debug_level" if option == "-debug" else option[1:].replace("-", "_"),
            metavar=metavar,
            type=kind,
            choices=(0, 1) if metavar == "0|1" else None,
            help=text,
        )
    parser.add_argument("--save-model", metavar="FILE", help="also save the whole model")
    parser.add_argument("--plot-loss", metavar="FILE", help="draw the loss per epoch")
    parser.add_argument("--seed", type=_count, metavar="N", help="random seed (1)")
    _common(parser, suppress=False)
    return parser


# --------------------------------------------------------------------------- helpers


def _show_progress(args: argparse.Namespace) -> bool:
    """Progress bars: on a terminal, unless --quiet."""
    return not getattr(args, "quiet", False) and _stderr_is_terminal()


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _strip_compression(path: str) -> str:
    lower = path.lower()
    for suffix in _COMPRESSED_SUFFIXES:
        if lower.endswith(suffix):
            return path[: -len(suffix)]
    return path


def _format_from_name(path: str) -> str | None:
    """'text', 'binary' or 'native' from a file name, or None when it does not say."""
    suffix = Path(_strip_compression(path)).suffix.lower()
    if suffix in _TEXT_SUFFIXES:
        return "text"
    if suffix in _BINARY_SUFFIXES:
        return "binary"
    if suffix in _NATIVE_SUFFIXES:
        return "native"
    return None


def _check_writable(path: str | None, what: str) -> None:
    """Fail before long work if `path` cannot be written (missing directory, a directory)."""
    if path is None:
        return
    target = Path(path)
    if target.is_dir():
        raise CommandError(f"cannot write the {what} to {path}: it is a directory")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise CommandError(f"cannot write the {what} to {path}: directory {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise CommandError(f"cannot write the {what} to {path}: directory {parent} is read-only")


def _check_readable(path: str, what: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise CommandError(f"{what} not found: {path}")
    if not p.is_file():
        raise CommandError(f"{what} is not a file: {path}")
    return p


def _native_kind(path: Path) -> str | None:
    """``"model"``, ``"vectors"`` or None (not a native file), from the file's metadata."""
    with open(path, "rb") as f:
        if f.read(4) != _ZIP_MAGIC:
            return None
    from cw2v.formats import load_arrays
    from cw2v.model import MODEL_FORMAT
    from cw2v.vectors import FORMAT_NAME

    meta, _ = load_arrays(path, mmap=True)  # maps, reads no vector data
    kind = {MODEL_FORMAT: "model", FORMAT_NAME: "vectors"}.get(str(meta.get("format")))
    if kind is None:
        raise CommandError(
            f"{path} is a cw2v container but neither a model nor vectors "
            f"(format {meta.get('format')!r})"
        )
    return kind


def load_vectors(path: str, *, limit: int | None = None, progress: bool = False) -> KeyedVectors:
    """Load word vectors from any file the commands accept.

    Parameters
    ----------
    path : str
        A word2vec text or binary file (compressed or not), a native vectors file or a
        native model file.
    limit : int, optional
        Keep only the first `limit` vectors.
    progress : bool, default False
        Show a progress bar (vectors read, rate, time left) while reading a word2vec
        file.

    Returns
    -------
    KeyedVectors

    Raises
    ------
    CommandError
        If the file does not exist.
    ValueError
        If the file is not in a format cw2v reads.
    """
    source = _check_readable(path, "vectors file")
    started = time.perf_counter()
    kind = _native_kind(source)
    from cw2v.vectors import KeyedVectors

    if kind is None:
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(desc="loading", unit="vector", unit_scale=True, dynamic_ncols=True)

        def report(done: int, expected: int | None) -> None:
            if bar is not None:
                bar.total = expected
                bar.update(done - bar.n)

        try:
            wv = KeyedVectors.load_word2vec_format(source, limit=limit, progress=report)
        finally:
            if bar is not None:
                bar.close()
    else:
        if kind == "model":
            from cw2v.model import Word2Vec

            wv = _vectors_of(Word2Vec.load(source, mmap=limit is not None))
        else:
            wv = KeyedVectors.load(source, mmap=limit is not None)
        if limit is not None and limit < len(wv):
            counts = wv.counts[:limit] if wv.counts is not None else None
            wv = KeyedVectors(wv.index_to_key[:limit], wv.vectors[:limit], counts)
    logger.info(
        "loaded %d vectors of dimension %d from %s in %.1f s",
        len(wv),
        wv.vector_size,
        path,
        time.perf_counter() - started,
    )
    return wv


def _print_neighbours(results: Any) -> None:
    width = max((len(word) for word, _ in results), default=4)
    for rank, (word, score) in enumerate(results, 1):
        print(f"{rank:4d}  {word:<{width}}  {score:7.4f}")


# --------------------------------------------------------------------------- train


def _corpus_source(corpus: str) -> str:
    if corpus == "sample":
        from cw2v.datasets import sample_corpus_path

        return str(sample_corpus_path())
    path = Path(corpus)
    if not path.exists():
        raise CommandError(f"corpus file not found: {corpus}")
    return corpus


def _model_params(args: argparse.Namespace) -> dict[str, Any]:
    """Word2Vec keyword arguments from cw2v's own options (only those given)."""
    if args.hs and args.softmax:
        raise CommandError("--hs and --softmax each choose a loss: give one", EXIT_USAGE)
    negative = args.negative
    if args.hs or args.softmax:
        if negative:
            flag = "--hs" if args.hs else "--softmax"
            raise CommandError(
                f"{flag} replaces negative sampling: drop --negative {negative} "
                f"(or give --negative 0)",
                EXIT_USAGE,
            )
        negative = 0
    elif negative == 0:
        raise CommandError(
            "--negative 0 leaves no loss to train: add --hs or --softmax", EXIT_USAGE
        )
    given = {
        "vector_size": args.dim,
        "window": args.window,
        "min_count": args.min_count,
        "negative": negative,
        "sg": args.sg,
        "hs": 1 if args.hs else None,
        "softmax": True if args.softmax else None,
        "epochs": args.epochs,
        "workers": args.workers,
        "sample": args.sample,
        "alpha": args.alpha,
        "min_alpha": args.min_alpha,
        "seed": args.seed,
        "max_vocab_size": args.max_vocab_size,
        "max_final_vocab": args.max_final_vocab,
        "ns_exponent": args.ns_exponent,
        "cbow_update": args.cbow_update,
        "cbow_mean": False if args.cbow_sum else None,
        "shrink_windows": False if args.fixed_window else None,
        "job_words": args.job_words,
    }
    return {name: value for name, value in given.items() if value is not None}


def _cmd_train(args: argparse.Namespace) -> int:
    if args.output is None and args.save_model is None:
        raise CommandError(
            "say where to save: -o FILE (vectors) and/or --save-model FILE", EXIT_USAGE
        )
    params = _model_params(args)  # usage errors before looking at files
    binary = args.binary
    if binary is None and args.output is not None:
        binary = _format_from_name(args.output) != "text"
    return _train(
        args,
        corpus=_corpus_source(args.corpus),
        params=params,
        output=args.output,
        binary=bool(binary),
    )


def _w2vc_params(ns: argparse.Namespace) -> dict[str, Any]:
    """Word2Vec keyword arguments with word2vec.c's meanings and defaults."""
    if ns.classes:
        raise CommandError(
            "-classes (k-means word classes) is not supported by cw2v; leave it out",
            EXIT_USAGE,
        )
    cbow = 1 if ns.cbow is None else ns.cbow
    hs = 0 if ns.hs is None else ns.hs
    negative = 5 if ns.negative is None else ns.negative
    if hs and negative > 0:
        raise CommandError(
            f"-hs 1 with -negative {negative} would train both losses, as word2vec.c does; "
            f"cw2v trains one: add -negative 0 for hierarchical softmax (or drop -hs 1)",
            EXIT_USAGE,
        )
    if not hs and negative == 0:
        raise CommandError("-hs 0 -negative 0 trains nothing: give -negative N or -hs 1", 2)
    alpha = ns.alpha if ns.alpha is not None else (0.05 if cbow else 0.025)
    given = {
        "vector_size": ns.size,
        "window": ns.window,
        "sample": ns.sample,
        "hs": hs,
        "negative": negative,
        "workers": ns.threads,
        "epochs": ns.iter,
        "min_count": ns.min_count,
        "sg": 0 if cbow else 1,
        "alpha": alpha,
        "min_alpha": alpha * 1e-4,  # word2vec.c's floor: starting_alpha * 0.0001
        "seed": ns.seed,
    }
    return {name: value for name, value in given.items() if value is not None}


def _cmd_train_w2vc(ns: argparse.Namespace) -> int:
    if ns.train is None or ns.output is None:
        raise CommandError("word2vec.c's spelling needs both -train FILE and -output FILE", 2)
    params = _w2vc_params(ns)
    return _train(
        ns,
        corpus=_corpus_source(ns.train),
        params=params,
        output=ns.output,
        binary=bool(ns.binary),
        save_vocab=ns.save_vocab,
        read_vocab=ns.read_vocab,
    )


def _read_vocab_file(path: str) -> dict[str, int]:
    """word2vec.c's -save-vocab file: ``word count`` per line."""
    counts: dict[str, int] = {}
    with open(_check_readable(path, "vocabulary file"), encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 2 or not fields[1].isdigit():
                raise CommandError(f"{path}, line {line_no}: expected 'word count', got {line!r}")
            if fields[0] != "</s>":  # word2vec.c's sentence marker; cw2v uses lines
                counts[fields[0]] = counts.get(fields[0], 0) + int(fields[1])
    return counts


def _train(
    args: argparse.Namespace,
    *,
    corpus: str,
    params: dict[str, Any],
    output: str | None,
    binary: bool,
    save_vocab: str | None = None,
    read_vocab: str | None = None,
) -> int:
    from cw2v.model import Word2Vec

    for path, what in (
        (output, "vectors"),
        (args.save_model, "model"),
        (args.plot_loss, "loss plot"),
        (save_vocab, "vocabulary"),
    ):
        _check_writable(path, what)
    if args.plot_loss is not None:  # fail now, not after hours of training
        from cw2v.plotting import require_matplotlib

        require_matplotlib()
    progress = _show_progress(args)
    model = Word2Vec(corpus, progress=progress, **params)
    started = time.perf_counter()
    with _bars_and_logs(progress):
        try:
            if read_vocab is not None:
                model.build_vocab_from_freq(_read_vocab_file(read_vocab))
            else:
                model.build_vocab()
            if save_vocab is not None:
                _write_vocab(model, save_vocab)
            model.train()
        except KeyboardInterrupt:
            _save_partial(model, args, output, binary)
            raise
    seconds = time.perf_counter() - started
    written = _save_results(model, args, output, binary)
    _summary(args, model, seconds, written)
    return 0


@contextlib.contextmanager
def _bars_and_logs(progress: bool) -> Iterator[None]:
    """Route log lines around the progress bars while they are drawn."""
    if not progress:
        yield
        return
    from tqdm.contrib.logging import logging_redirect_tqdm

    with logging_redirect_tqdm(loggers=[logger]):
        yield


def _vectors_of(model: Word2Vec) -> KeyedVectors:
    if model.wv is None:
        raise CommandError("the model has no vectors: the vocabulary was never built")
    return model.wv


def _write_vocab(model: Word2Vec, path: str) -> None:
    wv = _vectors_of(model)
    counts = wv.counts.tolist() if wv.counts is not None else [0] * len(wv)
    with open(path, "w", encoding="utf-8") as f:
        for word, count in zip(wv.index_to_key, counts, strict=True):
            f.write(f"{word} {count}\n")
    logger.info("wrote the vocabulary (%d words) to %s", len(counts), path)


def _save_results(
    model: Word2Vec, args: argparse.Namespace, output: str | None, binary: bool
) -> list[str]:
    written = []
    if output is not None:
        _vectors_of(model).save_word2vec_format(output, binary=binary)
        written.append(f"vectors: {output} ({'binary' if binary else 'text'} word2vec format)")
    if args.save_model is not None:
        model.save(args.save_model)
        written.append(f"model: {args.save_model} (native cw2v model)")
    if args.plot_loss is not None:
        from cw2v.plotting import plot_loss

        plot_loss(model.training_loss, args.plot_loss)
        written.append(f"loss plot: {args.plot_loss}")
    return written


def _save_partial(
    model: Word2Vec, args: argparse.Namespace, output: str | None, binary: bool
) -> None:
    """After Ctrl-C in training: keep what was learnt, and say that it is partial."""
    if model.wv is None or not model.training_loss:
        print("cw2v: interrupted before training began; nothing was saved", file=sys.stderr)
        return
    print("cw2v: saving the vectors learnt so far", file=sys.stderr, flush=True)
    for line in _save_results(model, args, output, binary):
        print(f"cw2v: saved {line}", file=sys.stderr, flush=True)


def _summary(args: argparse.Namespace, model: Word2Vec, seconds: float, written: list[str]) -> None:
    if args.quiet:
        return
    wv = _vectors_of(model)
    losses = model.training_loss
    words = sum(stats.raw_words for stats in losses)
    busy = sum(stats.seconds for stats in losses)
    scanned = f" from {model.vocab.total_words:,} words" if model.vocab is not None else ""
    print(f"vocabulary: {len(wv):,} words (min_count {model.min_count}){scanned}")
    print(
        f"trained: {model.model_kind}, loss {model.loss}, {model.vector_size} dimensions, "
        f"{len(losses)} epochs in {seconds:.1f} s, {words / max(busy, 1e-9):,.0f} words/s"
    )
    print(f"final loss: {losses[-1].loss_per_word:.4f} per word")
    for line in written:
        print(line)
    shown = getattr(args, "show", None) or [
        wv.index_to_key[rank] for rank in [r for r in _SHOWCASE_RANKS if r < len(wv)] or [0]
    ]
    for word in shown:
        if word not in wv:
            print(f"neighbours of {word!r}: not in the vocabulary")
            continue
        near = wv.most_similar(word, topn=6)
        print(f"neighbours of {word!r}: {', '.join(w for w, _ in near)}")
    sys.stdout.flush()


# --------------------------------------------------------------------------- queries


def _cmd_similar(args: argparse.Namespace) -> int:
    wv = load_vectors(args.vectors, limit=args.limit, progress=_show_progress(args))
    for word in args.words:
        wv.get_index(word)  # every word known before printing anything
    for i, word in enumerate(args.words):
        if i:
            print()
        print(f"nearest to {word!r} (cosine):")
        _print_neighbours(wv.most_similar(word, topn=args.topn, restrict_vocab=args.restrict))
    return 0


def _cmd_analogy(args: argparse.Namespace) -> int:
    wv = load_vectors(args.vectors, limit=args.limit, progress=_show_progress(args))
    results = wv.most_similar(
        positive=[args.b, args.c],
        negative=[args.a],
        topn=args.topn,
        restrict_vocab=args.restrict,
    )
    print(f"{args.a} is to {args.b} as {args.c} is to ...  ({args.b} - {args.a} + {args.c})")
    _print_neighbours(results)
    return 0


def _check_dataset(name: str) -> None:
    from cw2v.evaluate import dataset_path

    if Path(name).is_file():
        return
    if os.sep in name or Path(name).suffix:
        raise CommandError(f"evaluation file not found: {name}")
    dataset_path(name)  # FileNotFoundError naming the bundled sets (or where to get it)


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from cw2v.evaluate import evaluate_word_analogies, evaluate_word_pairs

    if args.analogies is None and args.pairs is None:
        analogies, pairs = "questions-words", ["wordsim353", "simlex999"]
    else:
        analogies, pairs = args.analogies, args.pairs or []
    for name in [analogies, *pairs]:  # fail before the (possibly slow) load of the vectors
        if name is not None:
            _check_dataset(name)
    wv = load_vectors(args.vectors, limit=args.limit, progress=_show_progress(args))
    print(f"{len(wv):,} vectors of dimension {wv.vector_size}: {args.vectors}")
    if analogies is not None:
        result = evaluate_word_analogies(
            wv,
            analogies,
            restrict_vocab=args.restrict if args.restrict is not None else 30000,
            method=args.method,
        )
        print()
        print(f"analogies: {analogies}")
        print(result.summary())
    if pairs:
        print()
        width = max(len("word pairs"), *(len(name) for name in pairs))
        print(f"{'word pairs':<{width}}  spearman  pearson   pairs  unknown")
        for name in pairs:
            try:
                r = evaluate_word_pairs(
                    wv, name, restrict_vocab=args.restrict if args.restrict is not None else 300000
                )
            except ValueError as err:  # too few known pairs to correlate
                print(f"{name:<{width}}  -- {err}")
                continue
            print(
                f"{name:<{width}}  {r.spearman:8.4f}  {r.pearson:7.4f}  {r.pairs_used:6d}  "
                f"{r.oov_ratio:6.1f}%"
            )
    return 0


def _cmd_convert(args: argparse.Namespace) -> int:
    target = args.to or _format_from_name(args.output)
    if target is None:
        raise CommandError(
            f"cannot tell the output format from the name {args.output!r}: add --to "
            "text|binary|native (or end it in .txt, .vec, .bin or .cw2v)",
            EXIT_USAGE,
        )
    if target == "native" and _strip_compression(args.output) != args.output:
        raise CommandError(
            "the native format is not compressed (it is memory-mapped): drop the "
            f"compression suffix from {args.output}",
            EXIT_USAGE,
        )
    _check_writable(args.output, "vectors")
    if Path(args.output).resolve() == Path(args.input).resolve():
        raise CommandError("the output would overwrite the input: choose another name", 2)
    wv = load_vectors(args.input, limit=args.limit, progress=_show_progress(args))
    if target == "native":
        wv.save(args.output)
    else:
        wv.save_word2vec_format(args.output, binary=target == "binary")
    logger.info(
        "wrote %d vectors of dimension %d to %s (%s)",
        len(wv),
        wv.vector_size,
        args.output,
        "native cw2v vectors" if target == "native" else f"{target} word2vec format",
    )
    return 0


def _cmd_plot(args: argparse.Namespace) -> int:
    from cw2v.plotting import plot_words, require_matplotlib, require_method

    require_matplotlib()
    require_method(args.method)
    _check_writable(args.output, "picture")
    wv = load_vectors(args.vectors, limit=args.limit, progress=_show_progress(args))
    plot_words(
        wv,
        args.words,
        args.output,
        neighbours=args.neighbours,
        method=args.method,
        restrict_vocab=args.restrict,
    )
    logger.info("wrote the map of %s to %s", ", ".join(args.words), args.output)
    return 0


# --------------------------------------------------------------------------- main


def _is_word2vec_c(argv: Sequence[str]) -> bool:
    rest = argv[1:] if argv and argv[0] == "train" else argv
    if not rest:
        return False
    if rest[0] in _W2VC_OPTIONS:
        return True
    if argv[0] == "train":
        if "-train" in rest:
            return True
        spelled = next((a for a in rest if a in _W2VC_OPTIONS), None)
        if spelled is not None:
            raise CommandError(
                f"{spelled} is word2vec.c's spelling: either use cw2v's options (see "
                f"'cw2v train --help') or word2vec.c's throughout, starting with -train FILE",
                EXIT_USAGE,
            )
    return False


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    if _is_word2vec_c(argv):
        rest = list(argv[1:] if argv[0] == "train" else argv)
        parser = build_word2vec_c_parser()
        if "-h" in rest or "--help" in rest:  # before -train complains of a missing FILE
            parser.print_help()
            raise SystemExit(0)
        ns = parser.parse_args(rest)
        ns.func = _cmd_train_w2vc
        if ns.debug_level == 0:  # word2vec.c's -debug 0: silent
            ns.quiet = True
        return ns
    return build_parser().parse_args(argv)


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        if record.levelno >= logging.WARNING:
            return f"cw2v: {record.levelname.lower()}: {text}"
        return f"cw2v: {text}"


@contextlib.contextmanager
def _logging(quiet: bool, debug: bool) -> Iterator[None]:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    level = logging.DEBUG if debug else logging.WARNING if quiet else logging.INFO
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


def _one_line(err: BaseException) -> str:
    if isinstance(err, KeyError) and len(err.args) == 1 and isinstance(err.args[0], str):
        text = err.args[0]  # str(KeyError) would add quotes around the message
    elif isinstance(err, OSError) and err.filename is not None and err.strerror:
        text = f"{err.strerror}: {err.filename}"
    elif isinstance(err, (CommandError, ValueError, KeyError, TypeError, OSError, ImportError)):
        text = str(err)
    else:
        text = f"{type(err).__name__}: {err} (run with --debug for the traceback)"
    return " ".join(text.split()) or type(err).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``cw2v`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments without the program name; defaults to ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status: 0 on success, 1 for a runtime error, 2 for a usage error,
        130 when interrupted.

    Examples
    --------
    >>> from cw2v.cli import main
    >>> main(["similar", "vectors.bin", "gold", "-n", "3"])  # doctest: +SKIP
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    env_debug = os.environ.get("CW2V_DEBUG", "").strip().lower() not in ("", "0", "false", "no")
    debug = env_debug or "--debug" in argv
    try:
        args = _parse(argv)
    except CommandError as err:
        print(f"cw2v: error: {_one_line(err)}", file=sys.stderr)
        return err.code
    except SystemExit as exit_:  # --help, --version
        return exit_.code if isinstance(exit_.code, int) else 0
    quiet = bool(getattr(args, "quiet", False))
    debug = debug or bool(getattr(args, "debug", False) is True)
    with _logging(quiet, debug):
        try:
            return args.func(args)
        except KeyboardInterrupt:
            if debug:
                raise
            print("cw2v: interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        except BrokenPipeError:  # e.g. `cw2v similar ... | head`: stop quietly
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_RUNTIME
        except Exception as err:
            if debug:
                raise
            code = err.code if isinstance(err, CommandError) else EXIT_RUNTIME
            print(f"cw2v: error: {_one_line(err)}", file=sys.stderr)
            return code
