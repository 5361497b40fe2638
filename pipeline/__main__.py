"""``python -m pipeline``: the engine's command line (see :mod:`pipeline.cli`)."""

import os
import sys

from pipeline.cli import main

# This entry point, like clipsite.settings, is where the environment is read; the
# pipeline itself only ever sees the PipelineConfig built from it.
sys.exit(main(sys.argv[1:], os.environ))
