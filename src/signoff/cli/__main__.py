"""``python -m signoff.cli ARGS``: the same as the ``signoff`` command."""

import sys

from signoff.cli.main import main

sys.exit(main())
