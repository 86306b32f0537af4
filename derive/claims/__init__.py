"""Stage 3, claims: textbook claims (a formula, a chain of partials, a number) read in plain
math or LaTeX, judged against the derivation, and reported as verdicts with reasons.

Reading: :mod:`.claim` (a claim as read, its verdict) ← :mod:`.latex_scan`, :mod:`.names`
(what a claim may name) ← :mod:`.read_plain`, :mod:`.read_latex`; general claims (free layer
and neuron indices): :mod:`.general_tree` ← :mod:`.general_scan` ← :mod:`.read_general`;
all ← :mod:`.reading` (one claim); :mod:`.claims_file` (files of claims). Judging:
:mod:`.context` (what every judge works from), :mod:`.digits` ← one judge per kind,
:mod:`.judge_chain`, :mod:`.judge_number`, :mod:`.judge_formula`, and :mod:`.judge_general`
(over :mod:`.layer_values`, :mod:`.general_algebra`, :mod:`.evaluate_general`,
:mod:`.general_truth`) ← :mod:`.check` (routes each side to its judge); :mod:`.report`.
"""
