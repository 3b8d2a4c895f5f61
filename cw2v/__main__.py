"""``python -m cw2v``: the ``cw2v`` command (see :mod:`cw2v.cli`)."""

from cw2v.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
