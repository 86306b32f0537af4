"""The words a spec may use: functions, activations, losses, bias modes (no SymPy here)."""

#: Functions callable in equations; each has a SymPy class in :mod:`derive.functions`.
FUNCTIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "softplus", "exp", "log", "sqrt", "abs")

#: How many arguments a function takes, where that is not exactly one (leaky_relu's second
#: is its slope; Heaviside's, in claims, its value at 0).
ARGUMENTS = {"leaky_relu": (1, 2), "Heaviside": (1, 2)}

#: Activations of a layered spec; all but softmax are also functions of one argument.
ACTIVATIONS = ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "softplus", "softmax")

#: Losses of a layered spec, with their usual aliases and Keras's spellings
#: (``categorical_crossentropy`` …). Keras's ``sparse_categorical_crossentropy`` is categorical
#: cross-entropy taking class labels: chainrule's classifiers take labels or one-hot rows alike.
LOSSES = {
    "squared_error": "squared_error", "sse": "squared_error",
    "mean_squared_error": "mean_squared_error", "mse": "mean_squared_error",
    "binary_cross_entropy": "binary_cross_entropy", "bce": "binary_cross_entropy",
    "binary_crossentropy": "binary_cross_entropy",
    "categorical_cross_entropy": "categorical_cross_entropy", "cce": "categorical_cross_entropy",
    "cross_entropy": "categorical_cross_entropy",
    "categorical_crossentropy": "categorical_cross_entropy",
    "sparse_categorical_crossentropy": "categorical_cross_entropy",
    "sparse_categorical_cross_entropy": "categorical_cross_entropy",
}

#: The update rules `chainrule train` has (a spec's ``training.optimizer`` names one).
OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam")

#: How a layer's bias is laid out.
BIAS_MODES = ("per-neuron", "shared", "none")
