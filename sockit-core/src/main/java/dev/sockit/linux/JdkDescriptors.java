package dev.sockit.linux;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.channels.Channel;
import java.util.Optional;

/**
 * The descriptor number behind a JDK socket channel, which the JDK keeps private: read through its
 * internal {@code sun.nio.ch.SelChImpl#getFDVal()}. That works when {@code java.base/sun.nio.ch} is
 * exported to sockit, as the sockit jar's manifest ({@code Add-Exports}) and the test runs do; a
 * program embedding sockit-core passes {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED} (on the
 * module path, {@code =dev.sockit.core}).
 * Where it is not exported, callers fall back to what the JDK offers ({@link #unavailable()} says why).
 *
 * <p>The channel still owns the descriptor: whoever uses the number must stop before the channel is closed.
 */
public final class JdkDescriptors {
    private static final String PROBLEM;
    private static final MethodHandle FD_VAL;

    static {
        MethodHandle h = null;
        String problem = null;
        try {
            Class<?> selChImpl = Class.forName("sun.nio.ch.SelChImpl");
            Module ours = JdkDescriptors.class.getModule();
            if (!selChImpl.getModule().isExported("sun.nio.ch", ours)) {
                problem = "java.base/sun.nio.ch is not exported to sockit (run with --add-exports java.base/sun.nio.ch="
                        + (ours.isNamed() ? ours.getName() : "ALL-UNNAMED") + ")";
            } else {
                // Our own lookup: the export is to our (unnamed) module, not to everyone, which publicLookup would need.
                h = MethodHandles.lookup().findVirtual(selChImpl, "getFDVal", MethodType.methodType(int.class));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            problem = "cannot read a JDK channel's descriptor: " + e;
        }
        FD_VAL = h;
        PROBLEM = problem;
    }

    private JdkDescriptors() {
    }

    /** Why descriptors cannot be read here, or empty when they can. */
    public static Optional<String> unavailable() {
        return Optional.ofNullable(PROBLEM);
    }

    /** The channel's descriptor, or -1 when it cannot be read (see {@link #unavailable()}). */
    public static int of(Channel channel) {
        if (FD_VAL == null) {
            return -1;
        }
        try {
            return (int) FD_VAL.invoke(channel);
        } catch (Throwable t) {
            return -1;
        }
    }
}
