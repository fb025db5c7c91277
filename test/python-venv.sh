# Sourced by the Python-based gates (test/security/scan.sh, test/verification/authorization.sh,
# test/verification/simulation.sh): one way to create and reuse their pinned venvs.
#
# ensure_venv VENV PYTHON REQUIREMENTS CONSTRAINTS [EXECUTABLE ...]
#   Creates VENV with PYTHON and installs REQUIREMENTS under CONSTRAINTS, unless VENV exists,
#   has every EXECUTABLE in its bin/ and was built from the same pins and Python version (its
#   .stamp). pip reaches PyPI only when the venv is (re)built.
ensure_venv() {
  local venv="$1" python="$2" requirements="$3" constraints="$4"
  shift 4
  local pins stamp ready=1 exe
  # The stamp names what the venv was built from: a changed pin or Python rebuilds it.
  pins="$(cat "$requirements" "$constraints" | sha256sum | cut -c1-16)"
  stamp="$pins $("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
  for exe in python "$@"; do
    [ -x "$venv/bin/$exe" ] || ready=0
  done
  if [ "$ready" = 1 ] && [ "$(cat "$venv/.stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "reusing $venv ($stamp)"
    return
  fi
  echo "creating $venv ($stamp)"
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
    -r "$requirements" -c "$constraints"
  echo "$stamp" > "$venv/.stamp"
}
