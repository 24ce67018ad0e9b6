package dev.sockit.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One run of {@code sockit bench --json} as a process, and the figures it printed. */
final class Load {
    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":(-?[0-9.]+(?:[eE][-+]?\\d+)?|true|false|null|\"(?:[^\"\\\\]|\\\\.)*\")");

    private Load() {
    }

    /** Runs the command (which must print one JSON object) and returns its fields; numbers as Double, others as String. */
    static Map<String, Object> run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
        InputStream out = p.getInputStream();
        StringBuilder err = new StringBuilder();
        Thread errReader = Thread.ofVirtual().start(() -> {
            try {
                err.append(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the process ended
            }
        });
        String json = new String(out.readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("load did not finish in " + timeoutSeconds + " s: " + command);
        }
        errReader.join();
        Map<String, Object> fields = parse(json);
        fields.put("json", json);
        if (!fields.containsKey("mode")) {
            throw new IOException("load printed no result (exit " + p.exitValue() + "): " + json + " " + err);
        }
        fields.put("exit", (double) p.exitValue());
        if (p.exitValue() != 0) {
            fields.put("stderr", err.toString().strip());
        }
        return fields;
    }

    /** The fields of one flat JSON object, as {@code sockit bench --json} prints it: numbers as Double, the rest as text. */
    static Map<String, Object> parse(String json) {
        Map<String, Object> fields = new HashMap<>();
        Matcher m = FIELD.matcher(json);
        while (m.find()) {
            String v = m.group(2);
            fields.put(m.group(1), v.startsWith("\"") ? v.substring(1, v.length() - 1)
                    : v.equals("true") || v.equals("false") || v.equals("null") ? v : Double.parseDouble(v));
        }
        return fields;
    }

    static double number(Map<String, Object> r, String key) {
        return r.get(key) instanceof Double d ? d : Double.NaN;
    }
}
