"""Stage 3, write-ups: a derivation (and its numbers) → a document model → LaTeX, Markdown or
JSON, with the network's diagram and line breaking for long formulas.

(The folder is ``writeups``, not ``writeup``: ``from derive import writeup`` is the function.)
"""
