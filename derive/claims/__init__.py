"""Stage 3, claims: textbook claims (a formula, a chain of partials, a number) read in plain
math or LaTeX, judged against the derivation, and reported as verdicts with reasons."""
