# Sourced by ./mvnw and ./sockit: points JAVA_HOME at a JDK 25 or newer.
# Order: JAVA_HOME if it is 25+, then `java` on PATH if 25+, then the usual install folders.
# Prints one line naming what to install and returns 1 when there is none.

SOCKIT_MIN_JAVA=25

# Prints the feature version (17, 21, 25 ...) of the java binary $1, or nothing. A JDK's `release`
# file says it without starting a JVM (which costs ~100 ms, paid on every ./sockit run); the JVM is
# asked only when there is no such file.
sockit_java_version() {
  [ -x "$1" ] || return 0
  release="${1%/bin/java}/release"
  if [ -f "$release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$release" | head -n 1)
    if [ -n "$v" ]; then echo "$v"; return 0; fi
  fi
  "$1" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

sockit_is_jdk() { # $1 = a JAVA_HOME candidate: needs java and javac, at the minimum version
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  v=$(sockit_java_version "$1/bin/java")
  [ -n "$v" ] && [ "$v" -ge "$SOCKIT_MIN_JAVA" ]
}

sockit_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && sockit_is_jdk "$JAVA_HOME"; then return 0; fi
  if command -v java >/dev/null 2>&1; then
    j=$(command -v java)
    j=$(readlink -f "$j" 2>/dev/null || echo "$j")
    candidate=${j%/bin/java}
    if sockit_is_jdk "$candidate"; then JAVA_HOME=$candidate; export JAVA_HOME; return 0; fi
  fi
  # Newest first: sort -V -r over the usual places JDKs are unpacked or installed.
  for candidate in $(ls -d /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /opt/*jdk* \
      /usr/local/lib/jvm/* /usr/local/*jdk* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* \
      /Library/Java/JavaVirtualMachines/*/Contents/Home 2>/dev/null | sort -V -r); do
    if sockit_is_jdk "$candidate"; then JAVA_HOME=$candidate; export JAVA_HOME; return 0; fi
  done
  echo "sockit: no JDK $SOCKIT_MIN_JAVA or newer found (looked at JAVA_HOME, java on PATH, /usr/lib/jvm, /opt, ~/.sdkman, ~/.jdks); install one, e.g. 'apt-get install openjdk-25-jdk' or Temurin 25 from adoptium.net, or set JAVA_HOME to it" >&2
  return 1
}
