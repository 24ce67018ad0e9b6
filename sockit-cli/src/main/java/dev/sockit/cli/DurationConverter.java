package dev.sockit.cli;

import picocli.CommandLine;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads {@code 5s}, {@code 250ms}, {@code 50us}, {@code 1.5s}, {@code 2m}, {@code 1h}, or a plain number of seconds. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)(us|ms|s|m|h)?");

    @Override
    public Duration convert(String value) {
        Matcher m = FORM.matcher(value.strip());
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a duration; write e.g. 5s, 250ms, 1.5s, 2m");
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double micros = switch (unit) {
            case "us" -> n;
            case "ms" -> n * 1000;
            case "s" -> n * 1_000_000;
            case "m" -> n * 60_000_000;
            default -> n * 3_600_000_000.0;
        };
        return Duration.ofNanos(Math.round(micros * 1000));
    }
}
