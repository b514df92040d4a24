#!/bin/sh
# apt-get, apt, dpkg, sudo (and friends) in a shell prebuild. The sandbox has no root, a read-only /usr
# and no network but the egress proxy, so the real commands could only fail slowly or wait on a prompt.
# This answers at once, naming the packages it was asked for, and records the refusal so the build fails
# even if the script goes on (runtimes/python/isola_shell.py reads ISOLA_REFUSED_LOG).
command=${0##*/}
if [ "$command" = sudo ] || [ "$command" = su ]; then
  # `sudo apt-get install x`: answer for the command sudo was asked to run.
  while [ $# -gt 0 ]; do
    case $1 in
      -u | -g | -c) shift 2 ;;
      -*) shift ;;
      *) break ;;
    esac
  done
  case ${1##*/} in
    apt-get | apt | apt-cache | aptitude | dpkg | yum | dnf | apk)
      command=${1##*/}
      shift
      ;;
    *)
      message="$command cannot run in the Isola sandbox: there is no root; run the command without $command (files go under the working directory, pip installs into the environment's venv)"
      echo "$message" >&2
      [ -n "${ISOLA_REFUSED_LOG:-}" ] && echo "$message" >>"$ISOLA_REFUSED_LOG"
      exit 1
      ;;
  esac
fi
packages=""
count=0
skip_next=0
for arg in "$@"; do
  if [ "$skip_next" = 1 ]; then
    skip_next=0
    continue
  fi
  case $arg in
    -o | -c | -t | --option | --config-file | --target-release) skip_next=1 ;;
    -*) ;;
    install | reinstall | remove | purge | update | upgrade | dist-upgrade | full-upgrade | autoremove | clean | build-dep | add | del | search | show | policy) ;;
    *)
      packages="$packages${packages:+, }\"$arg\""
      count=$((count + 1))
      ;;
  esac
done
case $count in
  0) what="system packages are not installable" ;;
  1) what="system package $packages is not installable" ;;
  *) what="system packages $packages are not installable" ;;
esac
message="$command cannot run in the Isola sandbox: $what; there is no root and no system package manager there. Use a pip or npm package that bundles the library (in \"packages\" or with pip install), or ask the operator to install it on the host."
echo "$message" >&2
[ -n "${ISOLA_REFUSED_LOG:-}" ] && echo "$message" >>"$ISOLA_REFUSED_LOG"
exit 100
