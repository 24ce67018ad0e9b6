package dev.sockit.bench;

import dev.sockit.linux.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * What a downcall costs, and what each linker option saves: the measurement behind the choices in
 * {@code dev.sockit.linux.Libc} (critical for short calls, heap access for I/O, errno captured into a
 * caller-owned area). A plain measured loop, each variant warmed up and then timed over many calls,
 * best of several rounds, on this CPU:
 *
 * <ul>
 *   <li>{@code abs(3)}: a libc function that makes no system call, so the figure is the downcall
 *       itself, with and without {@code critical} and {@code captureCallState};</li>
 *   <li>{@code recv(2)} on an empty non-blocking socket (EAGAIN at once): the cheapest real system
 *       call of the event loop's hot path, through {@link Libc#recv} as the engine makes it, through a
 *       handle linked without {@code critical}, and from a heap array instead of native memory.</li>
 * </ul>
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp sockit-bench.jar dev.sockit.bench.DowncallCost</pre>
 */
public final class DowncallCost {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final FunctionDescriptor ABS = FunctionDescriptor.of(JAVA_INT, JAVA_INT);
    private static final MethodHandle ABS_PLAIN = link("abs", ABS);
    private static final MethodHandle ABS_CRITICAL = link("abs", ABS, Linker.Option.critical(false));
    private static final MethodHandle ABS_CAPTURE = link("abs", ABS, Linker.Option.captureCallState("errno"));
    private static final MethodHandle ABS_CAPTURE_CRITICAL = link("abs", ABS, Linker.Option.captureCallState("errno"), Linker.Option.critical(false));
    private static final MethodHandle RECV_NOT_CRITICAL = link("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT),
            Linker.Option.captureCallState("errno"));

    private static volatile long sink;

    private DowncallCost() {
    }

    private static MethodHandle link(String name, FunctionDescriptor fd, Linker.Option... options) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd, options);
    }

    @FunctionalInterface
    private interface Loop {
        long run(int n) throws Throwable;
    }

    /** Nanoseconds per call: the best of {@code rounds} timed runs of {@code n} calls, after a warm-up. */
    private static double measure(Loop loop, int n, int rounds) throws Throwable {
        sink += loop.run(n); // warm-up: let the JIT compile the loop and the downcall stub
        double best = Double.MAX_VALUE;
        for (int r = 0; r < rounds; r++) {
            long t = System.nanoTime();
            sink += loop.run(n);
            best = Math.min(best, (System.nanoTime() - t) / (double) n);
        }
        return best;
    }

    public static void main(String[] args) throws Throwable {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.newCallState(arena);
            MemorySegment nativeBuf = arena.allocate(64);
            byte[] heapBuf = new byte[64];
            int fd = Libc.socket(Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0);
            try {
                int n = 20_000_000;
                row("abs(3), plain downcall", measure(k -> {
                    long s = 0;
                    for (int i = 0; i < k; i++) {
                        s += (int) ABS_PLAIN.invokeExact(i);
                    }
                    return s;
                }, n, rounds));
                row("abs(3), critical", measure(k -> {
                    long s = 0;
                    for (int i = 0; i < k; i++) {
                        s += (int) ABS_CRITICAL.invokeExact(i);
                    }
                    return s;
                }, n, rounds));
                row("abs(3), errno captured", measure(k -> {
                    long s = 0;
                    for (int i = 0; i < k; i++) {
                        s += (int) ABS_CAPTURE.invokeExact(state, i);
                    }
                    return s;
                }, n, rounds));
                row("abs(3), errno captured, critical", measure(k -> {
                    long s = 0;
                    for (int i = 0; i < k; i++) {
                        s += (int) ABS_CAPTURE_CRITICAL.invokeExact(state, i);
                    }
                    return s;
                }, n, rounds));
                int m = 2_000_000;
                row("recv(2) EAGAIN, not critical, native buffer", measure(k -> {
                    long s = 0;
                    for (int i = 0; i < k; i++) {
                        s += (long) RECV_NOT_CRITICAL.invokeExact(state, fd, nativeBuf, 64L, 0);
                    }
                    return s;
                }, m, rounds));
                row("recv(2) EAGAIN, Libc.recv (critical), native buffer", measure(k -> {
                    long s = 0;
                    for (int i = 0; i < k; i++) {
                        s += Libc.recv(state, fd, nativeBuf, 64);
                    }
                    return s;
                }, m, rounds));
                row("recv(2) EAGAIN, Libc.recv (critical), heap array", measure(k -> {
                    long s = 0;
                    for (int i = 0; i < k; i++) {
                        s += Libc.recv(state, fd, MemorySegment.ofArray(heapBuf), 64);
                    }
                    return s;
                }, m, rounds));
            } finally {
                Libc.close(fd);
            }
        }
    }

    private static void row(String what, double nanos) {
        System.out.printf(Locale.ROOT, "%-55s %7.1f ns/call%n", what, nanos);
    }
}
