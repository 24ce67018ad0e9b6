package dev.sockit.cli;

import picocli.CommandLine;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a byte count: {@code 64}, {@code 16K} or {@code 16KiB} (1024), {@code 1M} or {@code 1MiB}, {@code 1G}. */
final class SizeConverter implements CommandLine.ITypeConverter<Integer> {
    private static final Pattern FORM = Pattern.compile("(\\d+)\\s*(k|kib|m|mib|g|gib|b)?", Pattern.CASE_INSENSITIVE);

    @Override
    public Integer convert(String value) {
        long bytes = bytes(value);
        if (bytes > Integer.MAX_VALUE) {
            throw new CommandLine.TypeConversionException("'" + value + "' is too large");
        }
        return (int) bytes;
    }

    /** The same forms, for counts that may pass 2 GiB (how much a client sends or reads). */
    static final class Large implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return bytes(value);
        }
    }

    private static long bytes(String value) {
        Matcher m = FORM.matcher(value.strip());
        if (!m.matches() || m.group(1).length() > 15) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a size; write e.g. 64, 16K, 1M, 2G");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        int shift = switch (unit) {
            case "k", "kib" -> 10;
            case "m", "mib" -> 20;
            case "g", "gib" -> 30;
            default -> 0;
        };
        if (n > Long.MAX_VALUE >> shift) {
            throw new CommandLine.TypeConversionException("'" + value + "' is too large");
        }
        return n << shift;
    }
}
