package dev.sockit.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * A block of IP addresses in CIDR notation: {@code 192.0.2.0/24}, {@code 2001:db8::/32}; an address
 * alone is a block of one ({@code /32}, {@code /128}). IPv4-mapped IPv6 addresses ({@code ::ffff:192.0.2.7},
 * as an IPv4 client appears on a dual-stack socket) are their IPv4 address, both in a block and in
 * {@link #contains}, so one IPv4 block covers a client however it connected.
 *
 * <p>Parsing is strict because a block guards access: an address with bits set past its prefix
 * ({@code 192.0.2.7/24}) is refused rather than quietly widened, and IPv4 must be four dotted
 * decimals without leading zeros (the JDK would take {@code 10.1} for {@code 10.0.0.1}, and
 * {@code 010.0.0.1} for {@code 10.0.0.1} where the C tools read {@code 8.0.0.1}).
 *
 * <p>A NAT64 address ({@code 64:ff9b::c000:207}) is IPv6 here: an IPv4 block does not cover the
 * IPv4 host behind it, since anyone routed to that prefix could claim to be any IPv4 host.
 */
public record AddressBlock(InetAddress network, int prefix) {
    private static final Pattern DOTTED_QUAD = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    /** A part with a leading zero: octal to inet_aton and the C tools, decimal to the JDK. */
    private static final Pattern LEADING_ZERO = Pattern.compile("(^|\\.)0\\d");

    public AddressBlock {
        byte[] mapped = network.getAddress();
        if (isIpv4Mapped(mapped) && prefix >= 96) {
            network = ipv4(mapped);
            prefix -= 96;
        }
        int bits = network.getAddress().length * 8;
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("a prefix of " + (bits == 32 ? "an IPv4" : "an IPv6") + " block is from 0 to " + bits + ", not " + prefix);
        }
        if (!network.equals(masked(network, prefix))) {
            throw new IllegalArgumentException(Addresses.format(network) + "/" + prefix + " has address bits set past its /" + prefix
                    + " (did you mean " + Addresses.format(masked(network, prefix)) + "/" + prefix + "?)");
        }
    }

    /**
     * {@code ADDRESS} or {@code ADDRESS/PREFIX}, IPv4 or IPv6 (brackets allowed: {@code [2001:db8::]/32}).
     *
     * @throws IllegalArgumentException saying what is wrong, in words fit for the command line
     */
    public static AddressBlock parse(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("an empty address block (two commas in a row?)");
        }
        int slash = s.indexOf('/');
        String address = slash < 0 ? s : s.substring(0, slash);
        if (address.startsWith("[") && address.endsWith("]")) {
            address = address.substring(1, address.length() - 1);
        }
        boolean v6 = address.contains(":");
        if (address.contains("%")) {
            throw new IllegalArgumentException("'" + text + "': an address block has no zone (%...)");
        }
        if (!v6 && !DOTTED_QUAD.matcher(address).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not an address block: write an IP address, or ADDRESS/PREFIX such as 192.0.2.0/24 or 2001:db8::/32");
        }
        if (!v6 && LEADING_ZERO.matcher(address).find()) {
            throw new IllegalArgumentException("'" + text + "': a leading zero makes a number octal to some tools and decimal to others; write it without");
        }
        InetAddress a;
        try {
            a = InetAddress.ofLiteral(address);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not an address block: '" + address + "' is not an IP address");
        }
        int max = a instanceof Inet4Address ? 32 : 128;
        int prefix = max;
        if (slash >= 0) {
            String p = s.substring(slash + 1);
            if (!p.matches("\\d{1,3}")) {
                throw new IllegalArgumentException("'" + text + "': the prefix after / is a number of bits, 0 to " + (v6 ? 128 : 32));
            }
            prefix = Integer.parseInt(p);
            int written = v6 ? 128 : 32;
            if (prefix > written) {
                throw new IllegalArgumentException("'" + text + "': the prefix after / is from 0 to " + written);
            }
            if (v6 && a instanceof Inet4Address) {
                // ::ffff:a.b.c.d/N, the IPv4-mapped range: the JDK has already made it the IPv4 address.
                if (prefix < 96) {
                    throw new IllegalArgumentException("'" + text + "': an IPv4-mapped block needs a prefix of at least 96");
                }
                try {
                    return new AddressBlock(a, prefix - 96);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("'" + text + "' has address bits set past its /" + prefix + " (did you mean ::ffff:"
                            + Addresses.format(masked(a, prefix - 96)) + "/" + prefix + "?)");
                }
            }
        }
        return new AddressBlock(a, prefix);
    }

    /** Whether {@code a} is in the block. An IPv6 address with a zone is in it as its address without the zone. */
    public boolean contains(InetAddress a) {
        byte[] mine = network.getAddress();
        byte[] theirs = a.getAddress();
        if (isIpv4Mapped(theirs)) {
            theirs = Arrays.copyOfRange(theirs, 12, 16);
        }
        if (mine.length != theirs.length) {
            return false;
        }
        int whole = prefix / 8;
        for (int i = 0; i < whole; i++) {
            if (mine[i] != theirs[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (mine[whole] & mask) == (theirs[whole] & mask);
    }

    /** {@code ::ffff:a.b.c.d} in sixteen bytes (the JDK turns it into an Inet4Address, but an Inet6Address can still hold it). */
    private static boolean isIpv4Mapped(byte[] b) {
        if (b.length != 16 || b[10] != (byte) 0xff || b[11] != (byte) 0xff) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static InetAddress ipv4(byte[] mapped) {
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(mapped, 12, 16));
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e); // 4 bytes are always an address
        }
    }

    private static InetAddress masked(InetAddress a, int prefix) {
        byte[] b = a.getAddress();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - 8 * i));
            b[i] &= (byte) (0xff << (8 - keep));
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e); // 4 or 16 bytes are always an address
        }
    }

    /** {@code 192.0.2.0/24}, {@code 2001:db8::/32}; an address alone for a block of one. */
    @Override
    public String toString() {
        int max = network.getAddress().length * 8;
        return Addresses.format(network) + (prefix == max ? "" : "/" + prefix);
    }
}
