# shellcheck shell=bash
# Shared set-up for scripts/test and scripts/develop: interpreters, uv, virtual
# environments. Everything heavy is cached outside the checkout so that a second
# run only checks that it is still there.

# HOME may be unset in a bare CI environment: fall back to the user's home directory.
HOME="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
export HOME
CACHE_DIR="${LATAM_MESSAGING_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/latam_messaging}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

PY313_VERSION="3.13.15"
PY313_SHA256="1e66a7945a48390ee4c2a4268a0e4185884059a13c4aab6d148aa208deea4a76"
UV_VERSION="0.13.9"
CHROOT_DIR="$CACHE_DIR/forky"

step() { printf '\033[1m==> %s\033[0m\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

debian_mirror() {
  # The mirror apt already uses on this machine; deb.debian.org otherwise.
  local uri
  uri=$(grep -hoE '^URIs: *https?://[^ ]+/debian/?$' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1 | sed 's/^URIs: *//')
  [ -n "$uri" ] || uri=$(grep -hoE '^deb +https?://[^ ]+/debian/? ' /etc/apt/sources.list 2>/dev/null | head -n 1 | awk '{print $2}')
  echo "${uri:-http://deb.debian.org/debian}" | sed 's:/*$::'
}

python_is_at_least() {
  # python_is_at_least <python> <major> <minor> <micro>
  "$1" -c "import sys, ssl, sqlite3; sys.exit(0 if sys.version_info >= ($2, $3, $4) else 1)" >/dev/null 2>&1
}

find_python313() {
  # Prints the path of a Python >= 3.13.2 (and < 3.14), building one if needed.
  local candidate
  for candidate in "$CACHE_DIR/python3.13/bin/python3.13" \
    "$(command -v python3.13 2>/dev/null || true)" \
    "$HOME"/.pyenv/versions/3.13.*/bin/python3.13; do
    [ -x "$candidate" ] || continue
    if python_is_at_least "$candidate" 3 13 2 && ! python_is_at_least "$candidate" 3 14 0; then
      echo "$candidate"
      return 0
    fi
  done
  build_python313 >&2
  echo "$CACHE_DIR/python3.13/bin/python3.13"
}

build_python313() {
  step "Building CPython $PY313_VERSION from Debian's source (about 3 minutes, once)"
  local work tarball url
  work=$(mktemp -d)
  tarball="$work/python.tar.xz"
  url="$(debian_mirror)/pool/main/p/python3.13/python3.13_${PY313_VERSION}.orig.tar.xz"
  note "downloading $url"
  curl -fsSL --retry 3 -o "$tarball" "$url" || die "could not download $url"
  echo "$PY313_SHA256  $tarball" | sha256sum -c --quiet - || die "checksum mismatch for $url"
  tar -xJf "$tarball" -C "$work"
  (
    cd "$work"/Python-"$PY313_VERSION" &&
      ./configure --prefix="$CACHE_DIR/python3.13" --with-ensurepip=install >"$work/configure.log" 2>&1 &&
      make -j"$(nproc)" >"$work/make.log" 2>&1 &&
      make install >"$work/install.log" 2>&1
  ) || { tail -n 40 "$work"/*.log >&2; die "building Python $PY313_VERSION failed (logs above)"; }
  python_is_at_least "$CACHE_DIR/python3.13/bin/python3.13" 3 13 2 ||
    die "the Python just built lacks ssl or sqlite3"
  rm -rf "$work"
  note "installed in $CACHE_DIR/python3.13"
}

ensure_uv() {
  # Prints the path of a pinned uv, installed once into the cache.
  local tools="$CACHE_DIR/uv-$UV_VERSION"
  if [ ! -x "$tools/bin/uv" ]; then
    step "Installing uv $UV_VERSION" >&2
    rm -rf "$tools"
    python3 -m venv "$tools" >&2 && "$tools/bin/pip" install --quiet "uv==$UV_VERSION" >&2 ||
      die "could not install uv"
  fi
  echo "$tools/bin/uv"
}

ensure_venv() {
  # ensure_venv <venv dir> <python> <requirements file>
  # Creates the venv and installs the requirements; skipped when both are unchanged.
  local venv="$1" python="$2" requirements="$3" uv stamp wanted
  uv=$(ensure_uv)
  wanted="$("$python" -c 'import sys; print(sys.version)' | head -n 1)|$(sha256sum "$requirements" | cut -d' ' -f1)"
  stamp="$venv/.latam-messaging-requirements"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] && [ -x "$venv/bin/python" ]; then
    return 0
  fi
  step "Creating $venv with $(basename "$requirements") (about a minute, once)"
  rm -rf "$venv"
  "$uv" venv --quiet --python "$python" "$venv" || die "uv venv failed"
  UV_SYSTEM_CERTS=1 UV_HTTP_TIMEOUT=180 VIRTUAL_ENV="$venv" "$uv" pip install --quiet -r "$requirements" ||
    die "installing $requirements failed"
  echo "$wanted" >"$stamp"
}

find_python314() {
  # Prints a native Python >= 3.14.2 when this machine has one.
  local candidate
  for candidate in "$(command -v python3.14 2>/dev/null || true)" "$HOME"/.pyenv/versions/3.14.*/bin/python3.14; do
    [ -x "$candidate" ] && python_is_at_least "$candidate" 3 14 2 && { echo "$candidate"; return 0; }
  done
  return 1
}

ensure_chroot314() {
  # A Debian "forky" chroot with python3.14 (needs root), created once in the cache.
  [ -x "$CHROOT_DIR/usr/bin/python3.14" ] && return 0
  step "Creating a Debian forky chroot with Python 3.14 in $CHROOT_DIR (about a minute, once)"
  if ! command -v debootstrap >/dev/null 2>&1; then
    note "installing debootstrap with apt"
    { apt-get install -y -qq debootstrap || { apt-get update -qq && apt-get install -y -qq debootstrap; }; } >/dev/null ||
      die "could not install debootstrap"
  fi
  rm -rf "$CHROOT_DIR.partial"
  debootstrap --variant=minbase --include=python3.14,python3.14-venv,ca-certificates \
    forky "$CHROOT_DIR.partial" "$(debian_mirror)" /usr/share/debootstrap/scripts/sid \
    >"$CACHE_DIR/debootstrap.log" 2>&1 || { tail -n 20 "$CACHE_DIR/debootstrap.log" >&2; die "debootstrap failed"; }
  mv "$CHROOT_DIR.partial" "$CHROOT_DIR"
}

chroot_command() {
  # chroot_command <command...>: sets COMMAND to the command line that runs <command> in the
  # chroot, in the checkout, with the host's CA bundle (chroot_run runs it; scripts/develop
  # starts it in the background). The checkout is mounted at its own path, so paths and
  # symlinks mean the same inside and out, and so is each directory in CHROOT_BINDS. The
  # mounts live in a private mount namespace: no other process sees them, they end with the
  # command however it ends (no clean-up to forget), and two runs at once (two checkouts,
  # scripts/test beside scripts/develop) never unmount each other's.
  local dir binds=("$REPO_ROOT" ${CHROOT_BINDS[@]+"${CHROOT_BINDS[@]}"})
  for dir in resolv.conf ssl/certs/ca-certificates.crt; do
    cp "/etc/$dir" "$CHROOT_DIR/etc/$dir.$$" && mv -f "$CHROOT_DIR/etc/$dir.$$" "$CHROOT_DIR/etc/$dir"
  done
  for dir in "${binds[@]}"; do mkdir -p "$CHROOT_DIR$dir"; done
  # shellcheck disable=SC2016 # expanded by the inner shell
  COMMAND=(unshare --mount --propagation private /bin/sh -ec '
    root=$1 work=$2; shift 2
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    while [ "$1" != -- ]; do mount --bind "$1" "$root$1"; shift; done
    shift
    exec chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin \
      LANG=C.UTF-8 SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt UV_SYSTEM_CERTS=1 \
      UV_HTTP_TIMEOUT=180 /bin/sh -c "cd \"\$0\" && exec \"\$@\"" "$work" "$@"
  ' sh "$CHROOT_DIR" "$REPO_ROOT" "${binds[@]}" -- "$@")
}

chroot_run() {
  # chroot_run <command...>: runs <command> in the chroot (see chroot_command).
  chroot_command "$@"
  "${COMMAND[@]}"
}

chroot_uv() {
  # Puts the pinned uv into the chroot (not over a copy in use: only when it differs).
  local uv
  uv=$(ensure_uv)
  cmp -s "$uv" "$CHROOT_DIR/usr/local/bin/uv" || install -m 755 "$uv" "$CHROOT_DIR/usr/local/bin/uv"
}

ensure_chroot_venv() {
  # ensure_chroot_venv <requirements file relative to the checkout>: /opt/venv inside the chroot.
  local requirements="$1" wanted stamp="$CHROOT_DIR/opt/venv/.latam-messaging-requirements"
  wanted=$(sha256sum "$REPO_ROOT/$requirements" | cut -d' ' -f1)
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] && return 0
  step "Creating the Python 3.14 venv in the chroot with $requirements (about a minute, once)"
  chroot_uv
  rm -rf "$CHROOT_DIR/opt/venv"
  chroot_run uv venv --quiet --python /usr/bin/python3.14 /opt/venv || die "uv venv failed in the chroot"
  chroot_run env VIRTUAL_ENV=/opt/venv uv pip install --quiet -r "$requirements" ||
    die "installing $requirements in the chroot failed"
  echo "$wanted" >"$stamp"
}

ensure_chroot_extras() {
  # ensure_chroot_extras <requirements file relative to the checkout>: installs more
  # packages into the chroot's /opt/venv, once; its own stamp, so the venv is not rebuilt.
  local requirements="$1" wanted stamp
  stamp="$CHROOT_DIR/opt/venv/.latam-messaging-extras-$(basename "$requirements")"
  wanted=$(sha256sum "$REPO_ROOT/$requirements" | cut -d' ' -f1)
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] && return 0
  step "Installing $(basename "$requirements") into the chroot's /opt/venv (once)"
  chroot_uv
  chroot_run env VIRTUAL_ENV=/opt/venv uv pip install --quiet -r "$requirements" ||
    die "installing $requirements in the chroot failed"
  echo "$wanted" >"$stamp"
}

ensure_chroot_compiler() {
  # Two packages Home Assistant's UI needs (pymicro-vad, pyspeex-noise: assist_pipeline)
  # publish no wheels for Python 3.14, so uv builds them: a C++ compiler and Python's
  # headers go into the chroot, once.
  [ -x "$CHROOT_DIR/usr/bin/g++" ] && [ -f "$CHROOT_DIR/usr/include/python3.14/Python.h" ] && return 0
  note "installing g++ and python3.14-dev into the chroot (once)"
  chroot_run /bin/sh -c 'export DEBIAN_FRONTEND=noninteractive; { apt-get install -y -qq --no-install-recommends g++ python3.14-dev ||
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends g++ python3.14-dev; }; } >/dev/null' ||
    die "could not install g++ in the chroot"
}

here_command() {
  # here_command <command...>: the native counterpart of chroot_command.
  COMMAND=(env UV_SYSTEM_CERTS=1 UV_HTTP_TIMEOUT=180 "$@")
}

run_here() {
  # run_here <command...>: the native counterpart of chroot_run.
  here_command "$@"
  "${COMMAND[@]}"
}

install_home_assistant_first() {
  # install_home_assistant_first <run> <uv> <python> <venv> <requirements>
  # For a Home Assistant newer than every test package: creates <venv> and installs the
  # requirements file's homeassistant== line alone, records every version that brought in
  # <venv>/home-assistant-pins.txt, then installs the whole file with those versions as
  # uv overrides. So the test package's pin of an older Home Assistant, and any of its pins
  # that Home Assistant pins differently, give way to Home Assistant's; the rest of its test
  # dependencies install as it pins them. <run> is run_here or chroot_run; paths are as
  # <run> sees them.
  local run=$1 uv=$2 python=$3 venv=$4 requirements=$5 home_assistant
  home_assistant=$(grep -m 1 '^homeassistant==' "$REPO_ROOT/$requirements") ||
    die "$requirements has no homeassistant== line"
  "$run" "$uv" venv --quiet --python "$python" "$venv" &&
    "$run" env VIRTUAL_ENV="$venv" "$uv" pip install --quiet "$home_assistant" &&
    "$run" /bin/sh -c '"$1" pip freeze --quiet --python "$2/bin/python" >"$2/home-assistant-pins.txt"' \
      sh "$uv" "$venv" &&
    "$run" env VIRTUAL_ENV="$venv" "$uv" pip install --quiet -r "$requirements" \
      --overrides "$venv/home-assistant-pins.txt"
}

ensure_ha_2026_11() {
  # ensure_ha_2026_11 [<extra requirements>...]: a venv with Home Assistant 2026.11.0 and the
  # test package (requirements/test-2026.11.txt), natively when this machine has Python
  # >= 3.14.2, else in the Debian forky chroot (as root; a second venv there, /opt/venv-2026.11,
  # so the 2026.10.4 one stays as it is). Extra requirement files (scripts/develop's) are
  # added with Home Assistant's versions kept. Sets HA_2026_11_RUN (run_here or chroot_run),
  # HA_2026_11_COMMAND (here_command or chroot_command) and HA_2026_11_VENV (the venv's path
  # as they see it). Fails when neither is possible.
  local requirements=requirements/test-2026.11.txt python uv host extra wanted stamp
  if python=$(find_python314); then
    HA_2026_11_RUN=run_here HA_2026_11_COMMAND=here_command host="" uv=$(ensure_uv)
    HA_2026_11_VENV="$REPO_ROOT/.venv-2026.11"
  elif [ "$(id -u)" -eq 0 ]; then
    ensure_chroot314
    chroot_uv
    HA_2026_11_RUN=chroot_run HA_2026_11_COMMAND=chroot_command host="$CHROOT_DIR"
    HA_2026_11_VENV=/opt/venv-2026.11
    python=/usr/bin/python3.14 uv=/usr/local/bin/uv
  else
    return 1
  fi
  stamp="$host$HA_2026_11_VENV/.latam-messaging-requirements"
  wanted=$(sha256sum "$REPO_ROOT/$requirements" | cut -d' ' -f1)
  if ! [ -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    step "Creating $HA_2026_11_VENV with Home Assistant 2026.11.0 and $requirements (about a minute, once)"
    rm -rf "$host$HA_2026_11_VENV"
    install_home_assistant_first "$HA_2026_11_RUN" "$uv" "$python" "$HA_2026_11_VENV" "$requirements" ||
      die "installing $requirements failed"
    echo "$wanted" >"$stamp"
  fi
  for extra in "$@"; do
    stamp="$host$HA_2026_11_VENV/.latam-messaging-extras-$(basename "$extra")"
    wanted=$(sha256sum "$REPO_ROOT/$extra" | cut -d' ' -f1)
    [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] && continue
    step "Installing $(basename "$extra") into $HA_2026_11_VENV (once)"
    [ -z "$host" ] || ensure_chroot_compiler
    "$HA_2026_11_RUN" env VIRTUAL_ENV="$HA_2026_11_VENV" "$uv" pip install --quiet -r "$extra" \
      --overrides "$HA_2026_11_VENV/home-assistant-pins.txt" || die "installing $extra failed"
    echo "$wanted" >"$stamp"
  done
}

ensure_extras() {
  # ensure_extras <venv dir> <requirements file>: installs more packages into a venv made
  # by ensure_venv, once; its own stamp, so the test requirements' venv is not rebuilt.
  local venv="$1" requirements="$2" uv stamp wanted
  uv=$(ensure_uv)
  wanted=$(sha256sum "$requirements" | cut -d' ' -f1)
  stamp="$venv/.latam-messaging-extras-$(basename "$requirements")"
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] && return 0
  step "Installing $(basename "$requirements") into $venv (once)"
  UV_SYSTEM_CERTS=1 UV_HTTP_TIMEOUT=180 VIRTUAL_ENV="$venv" "$uv" pip install --quiet -r "$requirements" ||
    die "installing $requirements failed"
  echo "$wanted" >"$stamp"
}
