"""The limits a spec is held to before any work is done on it, in one place: the reader,
the notation and the layered builder each check some of them.

The checks read them as ``limits.MAX_…`` when they run (so a test may lower one). The size
of a spec file and the nesting of its TOML are :data:`~derive.spec.typed.MAX_SPEC_BYTES` and
:data:`~derive.spec.typed.MAX_TOML_DEPTH`, checked where the text is read; the limits of an
expression are in :mod:`derive.spec.expr` and :mod:`derive.spec.expr_numbers`.
"""

#: The scalar level unrolls every connection into a node and a parameter of its own and
#: derives each; past this many names (inputs, targets, parameters and nodes) its derivation
#: takes minutes. Free-form specs are held to it when read, layered ones when derived.
MAX_SCALAR_NAMES = 25_000

#: A layered network with more parameters than this is not unrolled where it need not be:
#: its write-up goes per layer (derive/writeups/big.py) and its module is printed in matrix
#: form (codegen/matrix_module.py); a chain per parameter would fill pages, and loops over
#: named scalars lose to matrix products.
UNROLL_ABOVE = 200

#: A layered spec is unrolled into scalar equations as it is read (784-128-10's 101,770
#: parameters take 2 s and 160 MB); above this many parameters it is refused first.
MAX_LAYERED_PARAMETERS = 250_000

#: Layers after the input layer in a layered spec.
MAX_LAYERS = 100

#: Characters of a name (of an input, a parameter, a node …): names are repeated in every
#: write-up, message and generated line that uses them.
MAX_NAME_LENGTH = 64

#: Characters of a spec's name and of its title (both head every write-up and module).
MAX_TITLE_LENGTH = 1_000

#: Letters a notation may give a symbol (every name of the network repeats them).
MAX_LETTERS = 16

#: ``first_layer``: textbooks number the input layer 0 or 1; any one digit is allowed.
MAX_FIRST_LAYER = 9

#: ``init_seed``: a whole number from 0 that fits 64 bits (random.Random would take a
#: negative seed as its absolute value, so -1 and 1 would give the same network).
MAX_INIT_SEED = 2 ** 63 - 1

#: ``training.epochs`` (and `chainrule train --epochs`): the most epochs of one run; it also
#: keeps ``seed + epoch`` within the range in which a generated module's ``shuffled`` computes
#: the same order in Numba and in Python.
MAX_EPOCHS = 1_000_000

#: ``training.batch_size`` (and `chainrule train --batch-size`; a batch larger than the data
#: is all of it): a generated trainer counts rows in 32-bit-safe integers.
MAX_BATCH_SIZE = 2 ** 31 - 1
