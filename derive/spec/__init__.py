"""Stage 1, reading specs: a TOML file or the Python API → a validated :class:`Network`
(plain dataclasses, no SymPy); the expression parser, typed reading of TOML values, the
notation presets and the example specs."""
