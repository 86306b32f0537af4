"""Stage 2, the scalar level: a Network unrolled into scalar nodes (graph), every ∂C/∂θ by
reverse δ accumulation (chain), and the numbers of one forward pass and update (values)."""
