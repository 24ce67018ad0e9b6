package dev.sockit.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/** Records a server's events and lets a test wait, with a timeout, until they say what it expects. */
final class DatagramTestEvents implements ServerEvents {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<DatagramRecord> records = new ArrayList<>();
    private final List<ConnectionRecord> connections = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    @Override
    public void datagrams(DatagramRecord record) {
        add(records, record);
    }

    @Override
    public void connectionEnded(ConnectionRecord record) {
        add(connections, record);
    }

    @Override
    public void warning(String message) {
        add(warnings, message);
    }

    private <T> void add(List<T> list, T item) {
        lock.lock();
        try {
            list.add(item);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Datagrams received by matching listeners, as the periodic reports have told so far. */
    long received(Predicate<Listener> which) {
        lock.lock();
        try {
            return records.stream().filter(r -> !r.totals() && which.test(r.listener())).mapToLong(DatagramRecord::received).sum();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the reports show {@code n} datagrams received by matching listeners: each of them fully handled. */
    void awaitReceived(Predicate<Listener> which, long n) throws InterruptedException {
        await(() -> received(which) >= n, "reports of " + n + " datagram(s) received");
    }

    void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        lock.lock();
        try {
            while (!condition.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("timed out waiting for " + what + "; records " + records + ", warnings " + warnings);
                }
                changed.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    List<DatagramRecord> totals() {
        lock.lock();
        try {
            return records.stream().filter(DatagramRecord::totals).toList();
        } finally {
            lock.unlock();
        }
    }

    List<ConnectionRecord> connections() {
        lock.lock();
        try {
            return List.copyOf(connections);
        } finally {
            lock.unlock();
        }
    }

    List<String> warnings() {
        lock.lock();
        try {
            return List.copyOf(warnings);
        } finally {
            lock.unlock();
        }
    }
}
