"""Stage 3, write-ups: a derivation (and its numbers) → a document model → LaTeX, Markdown or
JSON, with the network's diagram and line breaking for long formulas.

From the bottom up: ``parts`` (sections, displays, tables, the figure), ``printing`` (LaTeX of
names, numbers and expressions), ``breaks`` (long displays over lines), ``math_text`` and
``diagram`` (the picture, drawn as TikZ, SVG or Mermaid), ``layout`` (a graph placed on it);
one renderer per format (``latex``, ``markdown``, ``json``), the ``document`` that calls them,
``build`` (the sections from a scalar derivation), and ``pdf`` (pdflatex in a sandbox). The
layer level: ``layer_printing`` (LaTeX of indexed entries, matrices, ⊙), ``general`` (the
general equations with their reasons), ``layer_values`` (the layer rules evaluated with
NumPy), ``big`` (the per-layer write-up of a network too big to unroll), ``limits`` (the
levels and that size) and ``levels`` (:func:`~derive.writeups.levels.writeup`, the write-up
at the level asked for).

(The folder is ``writeups``, not ``writeup``: ``from derive import writeup`` is the function.)
"""
