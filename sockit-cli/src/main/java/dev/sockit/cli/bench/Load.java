package dev.sockit.cli.bench;

import java.util.List;

/** One mode's workers. Each stops by itself at the run's deadline; the run closes what is stuck after that. */
interface Load {

    /** Starts the workers and returns their threads. */
    List<Thread> start(Run run);

    static Load of(Plan plan) {
        return switch (plan.mode()) {
            case PINGPONG -> plan.udp() ? new UdpPingPong() : plan.selector() ? new SelectorPingPong() : new PingPong();
            case STREAM -> new Stream();
            case CONNRATE -> new ConnRate();
            case IDLE -> new Idle();
        };
    }
}
