#!/bin/sh
# Install the runtime dependencies listed in pyproject.toml, without the project itself.
# The Dockerfile runs this in its own layer (cached until pyproject.toml changes), and CI runs
# it in a fresh virtual environment to prove the image's install steps work.
set -eu
python - <<'PY' > /tmp/requirements.txt
import tomllib
with open("pyproject.toml", "rb") as f:
    print("\n".join(tomllib.load(f)["project"]["dependencies"]))
PY
python -m pip install --no-cache-dir -r /tmp/requirements.txt
