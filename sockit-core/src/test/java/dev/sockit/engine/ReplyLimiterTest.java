package dev.sockit.engine;

import dev.sockit.server.DropReason;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The reply limiter's arithmetic, exact, on a clock the test moves. */
class ReplyLimiterTest {
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(42 * SECOND);

    private ReplyLimiter limiter(ReplyLimits limits) {
        return new ReplyLimiter(limits, now::get);
    }

    private static long admitted(ReplyLimiter limiter, Object source, int tries) {
        return IntStream.range(0, tries).filter(i -> limiter.admit(source).isEmpty()).count();
    }

    @Test
    void aSourceGetsItsBurstAtOnceThenTheRateAndNeverMoreThanTheBurst() {
        ReplyLimiter limiter = limiter(ReplyLimits.none().withPerSource(2, 3));
        assertThat(admitted(limiter, "a", 100)).isEqualTo(3);
        assertThat(limiter.admit("a")).contains(DropReason.SOURCE_RATE);
        now.addAndGet(SECOND);
        assertThat(admitted(limiter, "a", 100)).isEqualTo(2);
        now.addAndGet(SECOND / 2);
        assertThat(admitted(limiter, "a", 100)).isEqualTo(1);
        now.addAndGet(60 * SECOND);
        assertThat(admitted(limiter, "a", 100)).as("refill is capped at the burst").isEqualTo(3);
    }

    @Test
    void sourcesHaveBucketsOfTheirOwn() {
        ReplyLimiter limiter = limiter(ReplyLimits.none().withPerSource(1, 2));
        assertThat(admitted(limiter, "a", 10)).isEqualTo(2);
        assertThat(admitted(limiter, "b", 10)).isEqualTo(2);
    }

    @Test
    void theGlobalCapHoldsOverAllSources() {
        ReplyLimiter limiter = limiter(ReplyLimits.none().withGlobal(4, 4));
        long admitted = IntStream.range(0, 10).filter(i -> limiter.admit("source " + i).isEmpty()).count();
        assertThat(admitted).isEqualTo(4);
        assertThat(limiter.admit("source 11")).contains(DropReason.GLOBAL_RATE);
        now.addAndGet(SECOND / 2);
        assertThat(IntStream.range(0, 10).filter(i -> limiter.admit("other " + i).isEmpty()).count()).isEqualTo(2);
    }

    @Test
    void aSourceOverItsRateDoesNotSpendTheGlobalBudget() {
        ReplyLimiter limiter = limiter(ReplyLimits.none().withPerSource(1, 1).withGlobal(2, 2));
        assertThat(admitted(limiter, "flooder", 1000)).isEqualTo(1);
        assertThat(limiter.admit("quiet")).isEmpty();
        assertThat(limiter.admit("another")).contains(DropReason.GLOBAL_RATE);
    }

    @Test
    void theSourceTableNeverGrowsPastItsBoundAndNewcomersShareOneBucketWhenItIsFullOfBusySources() {
        ReplyLimiter limiter = limiter(ReplyLimits.none().withPerSource(1, 3).withMaxSources(3));
        long admitted = IntStream.range(0, 1000).filter(i -> limiter.admit("spoofed " + i).isEmpty()).count();
        assertThat(limiter.tracked()).isEqualTo(3);
        // The first three each took a token from a bucket of their own; the other 997 shared the overflow bucket's 3.
        assertThat(admitted).isEqualTo(3 + 3);
    }

    @Test
    void aSourceWhoseBucketHasRefilledMakesRoomForANewOne() {
        ReplyLimiter limiter = limiter(ReplyLimits.none().withPerSource(1, 1).withMaxSources(2));
        assertThat(limiter.admit("a")).isEmpty();
        assertThat(limiter.admit("b")).isEmpty();
        assertThat(limiter.admit("c")).as("no room, and the overflow bucket is fresh").isEmpty();
        assertThat(limiter.admit("d")).as("the overflow bucket is spent").contains(DropReason.SOURCE_RATE);
        now.addAndGet(SECOND);
        assertThat(limiter.admit("e")).isEmpty();
        assertThat(limiter.tracked()).isEqualTo(2);
        assertThat(limiter.admit("e")).as("e has a bucket of its own now").contains(DropReason.SOURCE_RATE);
    }

    @Test
    void noLimitsAdmitsEverything() {
        ReplyLimiter limiter = limiter(ReplyLimits.none());
        assertThat(admitted(limiter, "a", 10_000)).isEqualTo(10_000);
        assertThat(limiter.tracked()).isZero();
    }

    @Test
    void limitsRejectNonsense() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> ReplyLimits.defaults().withPerSource(-1, 1));
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> ReplyLimits.defaults().withPerSource(1, 0));
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> ReplyLimits.defaults().withMaxSources(0));
        assertThat(Optional.of(ReplyLimits.defaults())).get().satisfies(d -> {
            assertThat(d.checkSources()).isTrue();
            assertThat(d.perSourceLimited()).isTrue();
            assertThat(d.globallyLimited()).isTrue();
        });
    }
}
