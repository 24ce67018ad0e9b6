package dev.sockit.client;

import java.io.IOException;

/** A server sent bytes other than those its protocol promises; the message names the first differing offset. */
public final class MismatchException extends IOException {
    private final long offset;

    public MismatchException(String message, long offset) {
        super(message);
        this.offset = offset;
    }

    /** The offset (from 0) of the first byte that differs. */
    public long offset() {
        return offset;
    }
}
