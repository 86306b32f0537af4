"""The ``chainrule`` commands of code generation: ``codegen`` and ``train`` (registered as
entry points; the top-level parser is :mod:`derive.cli`)."""
