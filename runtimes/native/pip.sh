#!/bin/sh
# pip and pip3 in a shell prebuild: the environment's venv has no pip of its own (it is built with
# --without-pip), so the sandbox interpreter's pip installs into it by running under the venv's python
# (pip >= 22.3), which applies the venv's install scheme. ISOLA_PIP_PYTHON and VIRTUAL_ENV come from
# runtimes/python/isola_shell.py.
if [ -z "${VIRTUAL_ENV:-}" ]; then
  echo "pip cannot run here: this environment has no Python venv (its language is JavaScript)" >&2
  exit 1
fi
exec "$ISOLA_PIP_PYTHON" -m pip --python "$VIRTUAL_ENV/bin/python" "$@"
