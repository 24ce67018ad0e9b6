package dev.sockit.engine.epoll;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AcceptBatchTest {

    @Test
    void oneConnectionPerWakeUpIsAcceptedWithoutLookingForASecondButOnEveryEighth() {
        AcceptBatch batch = new AcceptBatch();
        List<Integer> limits = new ArrayList<>();
        for (int wakeUp = 1; wakeUp <= 16; wakeUp++) {
            int limit = batch.limit();
            limits.add(limit);
            if (limit == 1) {
                batch.taken(1);
            } else {
                batch.drained(1); // the probe found the backlog empty after one
            }
        }
        assertThat(limits).containsExactly(1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 2);
    }

    @Test
    void aBacklogFoundByTheProbeDoublesTheBatchUpToItsBound() {
        AcceptBatch batch = new AcceptBatch();
        for (int i = 1; i < 8; i++) {
            batch.taken(batch.limit());
        }
        List<Integer> limits = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int limit = batch.limit();
            limits.add(limit);
            batch.taken(limit);
        }
        assertThat(limits).containsExactly(2, 4, 8, 16, AcceptBatch.MAX);
    }

    @Test
    void aDrainedBacklogSetsTheBatchToWhatTheWakeUpFound() {
        AcceptBatch batch = new AcceptBatch();
        for (int i = 1; i < 8; i++) {
            batch.taken(batch.limit());
        }
        batch.taken(batch.limit()); // the probe: 2 taken, so 4 next
        batch.taken(batch.limit()); // 8 next
        assertThat(batch.limit()).isEqualTo(8);
        batch.drained(5);
        assertThat(batch.limit()).isEqualTo(5);
        batch.drained(0); // woken for a connection another loop took
        assertThat(batch.limit()).isEqualTo(1);
    }
}
