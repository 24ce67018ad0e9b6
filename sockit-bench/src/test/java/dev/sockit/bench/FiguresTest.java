package dev.sockit.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The arithmetic and parsing docs/benchmarks.md rests on. */
class FiguresTest {

    @Test
    void medianOfAnOddCountIsTheMiddleValue() {
        Figures f = Figures.of(List.of(5.0, 1.0, 3.0, 9.0, 7.0));
        assertThat(f.median()).isEqualTo(5.0);
        assertThat(f.min()).isEqualTo(1.0);
        assertThat(f.max()).isEqualTo(9.0);
        assertThat(f.show("%.0f")).isEqualTo("5 (1–9)");
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(Figures.of(List.of(4.0, 1.0, 2.0, 3.0)).median()).isEqualTo(2.5);
    }

    @Test
    void missingFiguresAreLeftOutAndNoneShowsADash() {
        assertThat(Figures.of(List.of(Double.NaN, 2.0)).show("%.1f")).isEqualTo("2.0");
        assertThat(Figures.of(List.of(Double.NaN)).show("%.1f")).isEqualTo("–");
    }

    @Test
    void theBenchsJsonLineIsReadIntoNumbersAndStrings() {
        Map<String, Object> r = Load.parse("{\"mode\":\"pingpong\",\"ops_per_s\":1234.5,\"first_error\":null,"
                + "\"first_mismatch\":\"byte 3 is \\\"x\\\"\",\"ok\":true,\"p99_us\":1.5E2}");
        assertThat(r.get("mode")).isEqualTo("pingpong");
        assertThat(Load.number(r, "ops_per_s")).isEqualTo(1234.5);
        assertThat(Load.number(r, "p99_us")).isEqualTo(150.0);
        assertThat(Load.number(r, "first_error")).isNaN();
        assertThat(r.get("ok")).isEqualTo("true");
        assertThat(Load.number(r, "absent")).isNaN();
    }

    @Test
    void serverCpuPerOperationIsCpuTimeOverTheWorkDone() {
        Map<String, Object> run = Map.of("server_cpu_share", 0.5, "ops_per_s", 40_000.0, "mb_per_s_received", 250.0);
        assertThat(Report.value(run, Report.SERVER_CPU_PER_OP)).isEqualTo(12.5);   // 0.5 s of CPU a second / 40,000 a second
        assertThat(Report.value(run, Report.SERVER_CPU_PER_MB)).isEqualTo(2.0);    // 500 ms a second / 250 MB a second
        assertThat(Report.value(Map.of("ops_per_s", 1.0), Report.SERVER_CPU_PER_OP)).isNaN();
    }
}
