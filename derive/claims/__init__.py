"""Stage 3, claims: textbook claims (a formula, a chain of partials, a number) read in plain
math or LaTeX, judged against the derivation, and reported as verdicts with reasons.

Reading: :mod:`.claim` (a claim as read, its verdict) ← :mod:`.latex_scan`, :mod:`.names`
(what a claim may name) ← :mod:`.read_plain`, :mod:`.read_latex` ← :mod:`.reading` (one
claim); :mod:`.claims_file` (files of claims). Judging: :mod:`.context` (what every judge
works from), :mod:`.digits` ← one judge per kind, :mod:`.judge_chain`, :mod:`.judge_number`,
:mod:`.judge_formula` ← :mod:`.check` (routes each side to its judge); :mod:`.report`.
"""
