# Compiled readers for cw2v.formats (included by _core.pyx).
