"""``python -m clipsite_cli``: the same as the ``clipsite`` command."""

import sys

from clipsite_cli.main import main

sys.exit(main())
