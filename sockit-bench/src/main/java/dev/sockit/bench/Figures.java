package dev.sockit.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Median and range of one figure over the repetitions of a run. */
record Figures(double median, double min, double max, int n) {

    static Figures of(List<Double> values) {
        double[] v = values.stream().filter(d -> !d.isNaN()).mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) {
            return new Figures(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        return new Figures(median, v[0], v[v.length - 1], v.length);
    }

    boolean empty() {
        return n == 0;
    }

    /** e.g. {@code 41,234 (40,100–42,010)}. */
    String show(String format) {
        if (empty()) {
            return "–";
        }
        String m = String.format(Locale.ROOT, format, median);
        return n == 1 ? m : m + " (" + String.format(Locale.ROOT, format, min) + "–" + String.format(Locale.ROOT, format, max) + ")";
    }

    @Override
    public String toString() {
        return Arrays.toString(new double[] {median, min, max});
    }
}
