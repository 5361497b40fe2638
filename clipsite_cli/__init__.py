"""``clipsite``: a command-line client for a Clipsite server, over its REST API only.

It talks HTTP to a server named by URL and API key (see :mod:`clipsite_cli.config`) and
never imports Django or the server's apps, so it runs anywhere ``requests``, ``click``
and ``rich`` do. Exit codes are in :class:`clipsite_cli.errors.ExitCode`.
"""

__version__ = "0.1.0"
