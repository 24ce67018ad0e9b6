package dev.sockit.linux;

import java.io.IOException;
import java.util.Optional;

/**
 * A libc call failed. The message names the call and what it worked on, then says what errno says,
 * e.g. {@code bind unix:/run/echo.sock: Address already in use}; {@link #errno()} lets callers act on
 * the exact cause instead of matching text.
 */
public final class ErrnoException extends IOException {
    private final int errno;

    public ErrnoException(String what, int errno) {
        super(what + ": " + Errno.describe(errno));
        this.errno = errno;
    }

    /** The raw errno value. */
    public int code() {
        return errno;
    }

    /** The errno by name, when it is one sockit names. */
    public Optional<Errno> errno() {
        return Errno.of(errno);
    }

    public boolean is(Errno e) {
        return errno == e.code();
    }
}
