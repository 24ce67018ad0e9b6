# Sourced by ./mvnw (sh) and ./sockit (bash): points JAVA_HOME at a JDK 25 or newer.
# Order: JAVA_HOME if it is 25+, then `java` on PATH if 25+, then the newest in the usual install folders.
# Prints one line naming what to install and returns 1 when there is none.
#
# Shell builtins only on the usual paths: ./sockit runs this before every command, and each process it
# would start (a subshell, sed, sort) costs 1-30 ms on a small VM. A JDK's `release` file gives its
# version without starting a JVM (~100 ms); the JVM is asked only when there is no such file.

SOCKIT_MIN_JAVA=25

# Sets sockit_version to the version of the java binary $1 as one number (25.0.3 -> 25000003), or 0.
sockit_java_version() {
  sockit_version=0
  [ -x "$1" ] || return 0
  sockit_v=
  if [ -f "${1%/bin/java}/release" ]; then
    while IFS= read -r sockit_line; do
      case $sockit_line in JAVA_VERSION=\"[0-9]*) sockit_v=${sockit_line#JAVA_VERSION=\"} && break ;; esac
    done <"${1%/bin/java}/release"
  fi
  if [ -z "$sockit_v" ]; then
    sockit_v=$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.version = \([0-9][0-9.]*\).*/\1/p' | head -n 1)
  fi
  # 25.0.3" -> 25 0 3; 25" or 25-ea" -> 25 0 0
  sockit_v=${sockit_v%%[!0-9.]*}.0.0
  set -- "${sockit_v%%.*}" && sockit_v=${sockit_v#*.}
  set -- "$1" "${sockit_v%%.*}" && sockit_v=${sockit_v#*.}
  set -- "$1" "$2" "${sockit_v%%.*}"
  sockit_version=$(( ${1:-0} * 1000000 + ${2:-0} * 1000 + ${3:-0} ))
}

sockit_is_jdk() { # $1 = a JAVA_HOME candidate: needs java and javac, at the minimum version
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  sockit_java_version "$1/bin/java"
  [ "$sockit_version" -ge $((SOCKIT_MIN_JAVA * 1000000)) ]
}

sockit_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && sockit_is_jdk "$JAVA_HOME"; then return 0; fi
  # The usual places JDKs are unpacked or installed, as this function's arguments (a glob that matches
  # nothing stays as written, and is no JDK).
  set -- /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /opt/*jdk* /usr/local/lib/jvm/* /usr/local/*jdk* \
    "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* /Library/Java/JavaVirtualMachines/*/Contents/Home
  # `java` on PATH: its JDK is the install folder whose java it is (through links), else found with readlink.
  sockit_java= sockit_found= sockit_ifs=$IFS
  IFS=:
  for sockit_dir in $PATH; do
    if [ -x "${sockit_dir:-.}/java" ] && [ ! -d "${sockit_dir:-.}/java" ]; then sockit_java=${sockit_dir:-.}/java && break; fi
  done
  IFS=$sockit_ifs
  if [ -n "$sockit_java" ]; then
    for sockit_home in "$@"; do
      if [ "$sockit_java" -ef "$sockit_home/bin/java" ]; then sockit_found=$sockit_home && break; fi
    done
    if [ -z "$sockit_found" ]; then
      [ -L "$sockit_java" ] && sockit_java=$(readlink -f "$sockit_java" 2>/dev/null || echo "$sockit_java")
      sockit_found=${sockit_java%/bin/java}
    fi
    if sockit_is_jdk "$sockit_found"; then JAVA_HOME=$sockit_found; export JAVA_HOME; return 0; fi
  fi
  # Else the newest of the install folders.
  sockit_found= sockit_best=0
  for sockit_home in "$@"; do
    if sockit_is_jdk "$sockit_home" && [ "$sockit_version" -gt "$sockit_best" ]; then
      sockit_best=$sockit_version sockit_found=$sockit_home
    fi
  done
  if [ -n "$sockit_found" ]; then JAVA_HOME=$sockit_found; export JAVA_HOME; return 0; fi
  echo "sockit: no JDK $SOCKIT_MIN_JAVA or newer found (looked at JAVA_HOME, java on PATH, /usr/lib/jvm, /opt, ~/.sdkman, ~/.jdks); install one, e.g. 'apt-get install openjdk-25-jdk' or Temurin 25 from adoptium.net, or set JAVA_HOME to it" >&2
  return 1
}
