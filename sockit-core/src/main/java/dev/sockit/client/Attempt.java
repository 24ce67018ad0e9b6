package dev.sockit.client;

import dev.sockit.net.Addresses;

import java.net.InetSocketAddress;

/**
 * What became of one address a client tried.
 *
 * @param address the address tried
 * @param outcome how it ended
 * @param reason  for a failure, why, in a few words ("refused", "timed out after 10s"); else empty
 */
public record Attempt(InetSocketAddress address, Outcome outcome, String reason) {

    public enum Outcome {
        /** This attempt's connection is the one the client uses. */
        CONNECTED,
        /** It failed; {@link #reason} says why. */
        FAILED,
        /** Still pending when another address connected first; it was closed. */
        ABANDONED
    }

    public static Attempt failed(InetSocketAddress address, String reason) {
        return new Attempt(address, Outcome.FAILED, reason);
    }

    /** e.g. {@code [::1]:7 refused}. */
    @Override
    public String toString() {
        String where = Addresses.format(address);
        return switch (outcome) {
            case CONNECTED -> where + " connected";
            case FAILED -> where + " " + reason;
            case ABANDONED -> where + " abandoned (another address connected first)";
        };
    }
}
