"""``python -m signoff ARGS``: the same as the ``signoff`` command."""

import sys

from signoff.cli.main import main

sys.exit(main())
