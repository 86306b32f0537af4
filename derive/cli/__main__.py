"""``python -m derive.cli``: the ``chainrule`` command."""

import sys

from derive.cli import main

sys.exit(main())
