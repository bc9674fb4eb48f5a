#!/bin/sh
# Print the path of a working interpreter for Python version $1 (e.g. 3.13): python$1 on PATH if
# it runs (pyenv's shim for a version not selected does not), else pyenv's installation of it.
version="$1"
if command -v "python$version" >/dev/null 2>&1 && "python$version" -c pass >/dev/null 2>&1; then
    command -v "python$version"
    exit 0
fi
for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$version"*/bin/"python$version"; do
    if [ -x "$candidate" ] && "$candidate" -c pass >/dev/null 2>&1; then
        echo "$candidate"
        exit 0
    fi
done
echo "find_python.sh: no working Python $version (install it, e.g. with pyenv install $version)" >&2
exit 1
