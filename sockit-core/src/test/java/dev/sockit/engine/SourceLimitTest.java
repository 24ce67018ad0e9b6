package dev.sockit.engine;

import dev.sockit.server.ServerEvents;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-source connection limit as a counter: what it admits, what it refuses, what it forgets. */
class SourceLimitTest {
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final ServerEvents events = new ServerEvents() {
        @Override
        public void warning(String message) {
            warnings.add(message);
        }
    };

    @Test
    void aSourceIsAnIpv4AddressOrAnIpv6Slash64() {
        assertThat(SourceLimit.sourceOf("192.0.2.7:51234")).isEqualTo("192.0.2.7");
        assertThat(SourceLimit.sourceOf("[2001:db8::7]:51234")).isEqualTo("2001:db8::/64");
        assertThat(SourceLimit.sourceOf("[2001:db8:1:2:3:4:5:6]:1")).isEqualTo("2001:db8:1:2::/64");
        assertThat(SourceLimit.sourceOf("[::1]:1")).as("loopback").isEqualTo("::1");
        assertThat(SourceLimit.sourceOf("[fe80::1%2]:1")).as("link-local: every link is fe80::/64").isEqualTo("fe80::1%2");
        assertThat(SourceLimit.sourceOf("[fe80::1%3]:1")).as("the same address on another link").isEqualTo("fe80::1%3");
        assertThat(SourceLimit.sourceOf("[::ffff:192.0.2.7]:1")).as("IPv4-mapped").isEqualTo("192.0.2.7");
        assertThat(SourceLimit.sourceOf("[64:ff9b::c000:207]:1")).as("NAT64").isEqualTo("192.0.2.7");
        assertThat(SourceLimit.sourceOf("[not-an-address]:1")).isEqualTo("[not-an-address]");
        assertThat(SourceLimit.sourceOf("unix:(pid 12 uid 0)")).isNull();
        assertThat(SourceLimit.sourceOf("unix:/run/x.sock (pid 12 uid 0)")).isNull();
    }

    @Test
    void admitsUpToTheLimitPerAddressAndAgainOnceOneLeaves() {
        SourceLimit limit = new SourceLimit(2, events);
        assertThat(limit.enter("192.0.2.7:1")).isTrue();
        assertThat(limit.enter("192.0.2.7:2")).isTrue();
        assertThat(limit.enter("192.0.2.7:3")).as("a third from the same address").isFalse();
        assertThat(limit.enter("192.0.2.8:1")).as("another address").isTrue();
        assertThat(limit.enter("[::1]:4")).isTrue();
        limit.leave("192.0.2.7:1");
        assertThat(limit.enter("192.0.2.7:5")).isTrue();
        assertThat(limit.enter("192.0.2.7:6")).isFalse();
        assertThat(warnings).containsExactly("refused 1 connection(s) from sources that already had 2 open (the per-source limit), the last from 192.0.2.7");
    }

    /** At stop, what is unsaid is said; a refusal after that (an accept already under way) is said at once. */
    @Test
    void atStopTheUnsaidRefusalsAreSaidAndLaterOnesAtOnce() {
        SourceLimit limit = new SourceLimit(1, events);
        assertThat(limit.enter("192.0.2.7:1")).isTrue();
        assertThat(limit.enter("192.0.2.7:2")).isFalse();
        assertThat(limit.enter("192.0.2.7:3")).isFalse();
        assertThat(limit.enter("192.0.2.7:4")).isFalse();
        assertThat(warnings).hasSize(1); // the first at once; the next two wait for the interval's end
        limit.reportRefusals();
        assertThat(limit.enter("192.0.2.7:5")).isFalse();
        assertThat(warnings).containsExactly(
                "refused 1 connection(s) from sources that already had 1 open (the per-source limit), the last from 192.0.2.7",
                "refused 2 connection(s) from sources that already had 1 open (the per-source limit), the last from 192.0.2.7",
                "refused 1 connection(s) from sources that already had 1 open (the per-source limit), the last from 192.0.2.7");
    }

    /** The refusals after a warning are said at the end of its interval, even when no more come to say them. */
    @Test
    void refusalsAfterAWarningAreSaidWhenItsIntervalEnds() throws Exception {
        java.util.concurrent.LinkedBlockingQueue<String> said = new java.util.concurrent.LinkedBlockingQueue<>();
        SourceLimit limit = new SourceLimit(1, new ServerEvents() {
            @Override
            public void warning(String message) {
                said.add(message);
            }
        }, java.time.Duration.ofSeconds(2).toNanos());
        assertThat(limit.enter("192.0.2.7:1")).isTrue();
        assertThat(limit.enter("192.0.2.7:2")).isFalse();
        assertThat(said.poll(5, java.util.concurrent.TimeUnit.SECONDS)).startsWith("refused 1 connection(s)");
        assertThat(limit.enter("192.0.2.7:3")).isFalse();
        assertThat(limit.enter("192.0.2.8:1")).isTrue();
        assertThat(limit.enter("192.0.2.8:2")).isFalse();
        assertThat(said.poll(5, java.util.concurrent.TimeUnit.SECONDS))
                .isEqualTo("refused 2 connection(s) from sources that already had 1 open (the per-source limit), the last from 192.0.2.8");
        assertThat(said).isEmpty();
    }

    @Test
    void oneIpv6HostCannotGetPastTheLimitByChangingItsAddressWithinItsSlash64() {
        SourceLimit limit = new SourceLimit(2, events);
        assertThat(limit.enter("[2001:db8::1]:1")).isTrue();
        assertThat(limit.enter("[2001:db8::2]:1")).isTrue();
        assertThat(limit.enter("[2001:db8::ffff:3]:1")).as("a third address in the same /64").isFalse();
        assertThat(limit.enter("[2001:db8:0:1::1]:1")).as("the next /64").isTrue();
        limit.leave("[2001:db8::2]:1");
        assertThat(limit.enter("[2001:db8::9]:1")).isTrue();
        assertThat(warnings).containsExactly(
                "refused 1 connection(s) from sources that already had 2 open (the per-source limit), the last from 2001:db8::/64");
        limit.leave("[2001:db8::1]:1");
        limit.leave("[2001:db8::9]:1");
        limit.leave("[2001:db8:0:1::1]:1");
        assertThat(limit.sources()).as("each leave found its /64").isZero();
    }

    @Test
    void forgetsAnAddressWhoseConnectionsHaveAllEnded() {
        SourceLimit limit = new SourceLimit(3, events);
        for (int i = 0; i < 3; i++) {
            assertThat(limit.enter("192.0.2.7:" + i)).isTrue();
        }
        for (int i = 0; i < 3; i++) {
            limit.leave("192.0.2.7:" + i);
        }
        assertThat(limit.sources()).isZero();
    }

    @Test
    void noLimitAndUnixPeersAdmitEverything() {
        SourceLimit none = new SourceLimit(0, events);
        SourceLimit one = new SourceLimit(1, events);
        for (int i = 0; i < 100; i++) {
            assertThat(none.enter("192.0.2.7:" + i)).isTrue();
            assertThat(one.enter("unix:(pid " + i + " uid 0)")).isTrue();
        }
        assertThat(none.sources()).isZero();
        assertThat(one.sources()).isZero();
        assertThat(warnings).isEmpty();
    }
}
