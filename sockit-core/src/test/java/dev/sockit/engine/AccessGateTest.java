package dev.sockit.engine;

import dev.sockit.net.AccessList;
import dev.sockit.net.AddressBlock;
import dev.sockit.server.ServerEvents;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** The access list applied to peers as the engines name them. */
class AccessGateTest {
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final ServerEvents events = new ServerEvents() {
        @Override
        public void warning(String message) {
            warnings.add(message);
        }
    };

    private AccessGate gate(String allow) {
        return new AccessGate(new AccessList(List.of(AddressBlock.parse(allow)), List.of()), events);
    }

    @Test
    void judgesPeersByTheirAddressWhateverTheirForm() {
        AccessGate gate = gate("2001:db8::/32");
        assertThat(gate.admits("[2001:db8::7]:51234")).isTrue();
        assertThat(gate.admits("[2001:db9::7]:51234")).isFalse();
        assertThat(gate.admits("192.0.2.7:51234")).isFalse();
        assertThat(gate("fe80::/10").admits("[fe80::7%2]:51234")).as("a zone does not matter").isTrue();
        assertThat(gate("192.0.2.7").admits("[::ffff:192.0.2.7]:1")).as("IPv4-mapped").isTrue();
        assertThat(warnings).containsExactly("refused 1 connection(s) from addresses the access list does not allow, the last from 2001:db9::7");
    }

    @Test
    void unixPeersPassAndANameThatIsNoAddressDoesNot() {
        AccessGate gate = gate("192.0.2.0/24");
        assertThat(gate.admits("unix:/run/x.sock (pid 12 uid 0)")).isTrue();
        assertThat(gate.admits("unix:(pid 12 uid 0)")).isTrue();
        assertThat(gate.admits("[not-an-address]:1")).as("a gate fails closed").isFalse();
        assertThat(gate.admits("nonsense")).isFalse();
    }

    @Test
    void anOpenListLooksAtNothing() {
        AccessGate gate = new AccessGate(AccessList.OPEN, events);
        assertThat(gate.admits("nonsense")).isTrue();
        assertThat(warnings).isEmpty();
    }
}
