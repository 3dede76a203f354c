# Sourced by the install scripts: apt_ensure WHO PACKAGE... installs the Debian packages of the
# list that are missing (apt-get only then, so it is idempotent), as root; as another user it says
# which are missing and how to install them, and fails. WHO names what needs them, for that message.
apt_ensure() {
  local who=$1
  shift
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "$who needs these Debian packages: ${missing[*]}" >&2
    echo "run as root: apt-get install --no-install-recommends ${missing[*]}" >&2
    return 1
  fi
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
