package dev.sockit.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** When a connection's thread steps aside, on times given by hand. */
class CarrierSliceTest {
    private static final long MS = 1_000_000L;
    private static final long US = 1_000L;

    @Test
    void aConnectionWhoseReadsWaitNeverStepsAside() {
        // Pingpong at many connections: each read waits ~10 ms for the next message.
        long t = 0;
        CarrierSlice slice = new CarrierSlice(t);
        for (int message = 0; message < 1000; message++) {
            long asked = t;
            t += 10 * MS;
            slice.waited(asked, t);
            t += 5 * US; // answering
            assertThat(slice.due(t)).as("message %d", message).isFalse();
        }
    }

    @Test
    void aConnectionWhoseReadsAlwaysFindDataStepsAsideOnceASlice() {
        // A chatty client: every read returns at once, 2 µs each, 5 µs of work per message.
        long t = 0;
        CarrierSlice slice = new CarrierSlice(t);
        int steps = 0;
        for (int message = 0; message < 10_000; message++) { // 70 ms
            long asked = t;
            t += 2 * US;
            slice.waited(asked, t);
            t += 5 * US;
            if (slice.due(t)) {
                steps++;
                slice.steppedAside(t);
            }
        }
        assertThat(steps).isEqualTo(34); // every 2 ms, a whole 7 µs message past it
    }

    @Test
    void onlyAWaitLongerThanAnyDataReadStartsASliceAfresh() {
        CarrierSlice slice = new CarrierSlice(0);
        slice.waited(1 * MS, 1 * MS + CarrierSlice.WAITED_NANOS); // quick: found data
        assertThat(slice.due(2 * MS + 1)).isTrue();
        slice.waited(2 * MS, 2 * MS + CarrierSlice.WAITED_NANOS + 1); // waited
        assertThat(slice.due(4 * MS)).isFalse();
        assertThat(slice.due(4 * MS + CarrierSlice.WAITED_NANOS + 2)).isTrue();
    }
}
