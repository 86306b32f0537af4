"""Training with a generated module: data sources, the training loop, run folders and the
scikit-learn estimator."""
