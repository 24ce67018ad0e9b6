package dev.sockit.cli;

import picocli.CommandLine;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a byte count: {@code 64}, {@code 16K} or {@code 16KiB} (1024), {@code 1M} or {@code 1MiB}. */
final class SizeConverter implements CommandLine.ITypeConverter<Integer> {
    private static final Pattern FORM = Pattern.compile("(\\d+)\\s*(k|kib|m|mib|b)?", Pattern.CASE_INSENSITIVE);

    @Override
    public Integer convert(String value) {
        Matcher m = FORM.matcher(value.strip());
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a size; write e.g. 64, 16K, 1M");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        long bytes = switch (unit) {
            case "k", "kib" -> n * 1024;
            case "m", "mib" -> n * 1024 * 1024;
            default -> n;
        };
        if (bytes > Integer.MAX_VALUE) {
            throw new CommandLine.TypeConversionException("'" + value + "' is too large");
        }
        return (int) bytes;
    }
}
