package dev.sockit.linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The user and group a daemon runs as once its sockets are bound: inetd's {@code user[:group]}. A
 * server started as root to bind the small services' ports (all below 1024) switches to it before
 * it serves anyone, so that a flaw reached from the network runs with nobody's rights, not root's.
 *
 * <p>Looked up through the C library (getpwnam, getgrnam), so every source the system's name service
 * knows counts, not only /etc/passwd. Switched to with initgroups (or setgroups), setgid and setuid,
 * in that order, since each needs the rights the next one gives up. glibc applies them to every
 * thread of the process, the JVM's own included; {@link #switchTo} then checks each thread, and that
 * root cannot be taken back, and fails rather than serve half-switched.
 *
 * @param user  the user's name, or its number when the system has no name for it
 * @param uid   the user ID to run as
 * @param gid   the group ID to run as: the user's own, or the one named after the colon
 * @param group the group's name, or its number when the system has no name for it
 * @param named whether the system knows the user by name, so that its supplementary groups are
 *              taken from the group database (initgroups); otherwise there are none
 */
public record Account(String user, int uid, int gid, String group, boolean named) {

    /**
     * Looks up {@code USER} or {@code USER:GROUP}, each a name or a number. A number the system has
     * no user for is allowed, with a group given (as systemd's dynamic users have none in /etc/passwd).
     *
     * @throws IllegalArgumentException naming what is not known, in a line fit for the user
     */
    public static Account lookup(String spec) {
        Libc.unavailableBecause().ifPresent(why -> {
            throw new IllegalArgumentException("cannot switch user here: " + why);
        });
        int colon = spec.indexOf(':');
        String userPart = colon < 0 ? spec : spec.substring(0, colon);
        String groupPart = colon < 0 ? null : spec.substring(colon + 1);
        if (userPart.isEmpty() || (groupPart != null && groupPart.isEmpty())) {
            throw new IllegalArgumentException("expected USER or USER:GROUP, not '" + spec + "'");
        }
        Entry u = isNumber(userPart) ? Native.user(Native.GETPWUID, Integer.parseUnsignedInt(userPart)) : Native.user(userPart);
        if (u == null && !isNumber(userPart)) {
            throw new IllegalArgumentException("no user named '" + userPart + "' on this system");
        }
        if (u == null && groupPart == null) {
            throw new IllegalArgumentException("no user with ID " + userPart + " on this system: name its group too (" + userPart + ":GROUP)");
        }
        int uid = u != null ? u.id() : Integer.parseUnsignedInt(userPart);
        String userName = u != null ? u.name() : userPart;
        if (groupPart == null) {
            Entry g = Native.group(Native.GETGRGID, u.group());
            return new Account(userName, uid, u.group(), g != null ? g.name() : Integer.toUnsignedString(u.group()), true);
        }
        Entry g = isNumber(groupPart) ? Native.group(Native.GETGRGID, Integer.parseUnsignedInt(groupPart)) : Native.group(groupPart);
        if (g == null && !isNumber(groupPart)) {
            throw new IllegalArgumentException("no group named '" + groupPart + "' on this system");
        }
        int gid = g != null ? g.id() : Integer.parseUnsignedInt(groupPart);
        return new Account(userName, uid, gid, g != null ? g.name() : groupPart, u != null);
    }

    /** Whether this process runs as {@code uid} and {@code gid} already (started as that user: nothing to switch). */
    public boolean isCurrent() {
        return Native.id(Native.GETEUID) == uid && Native.id(Native.GETUID) == uid
                && Native.id(Native.GETEGID) == gid && Native.id(Native.GETGID) == gid;
    }

    /**
     * Switches the whole process to this account, for good. A process already running as it has
     * nothing to do; any other needs root (CAP_SETUID and CAP_SETGID).
     *
     * @throws IOException saying what could not be done; the process may then be half-switched and should exit
     */
    public void switchTo() throws IOException {
        if (isCurrent()) {
            return;
        }
        int euid = Native.id(Native.GETEUID);
        if (euid != 0) {
            throw new IOException("cannot switch to user " + user + ": sockit runs as uid " + Integer.toUnsignedString(euid)
                    + ", and only root may change its user (start it as root, or leave --user out)");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Native.STATE_LAYOUT);
            if (named) {
                call(Native.INITGROUPS, state, "initgroups", arena.allocateFrom(user), gid);
            } else {
                call(Native.SETGROUPS, state, "setgroups", 1L, arena.allocateFrom(JAVA_INT, gid));
            }
            call(Native.SETGID, state, "setgid", gid);
            call(Native.SETUID, state, "setuid", uid);
            if (uid != 0 && callRaw(Native.SETUID, state, 0) == 0) {
                throw new IOException("switched to user " + user + ", yet root could be taken back: refusing to go on");
            }
        }
        if (!isCurrent()) {
            throw new IOException("switched to user " + user + ", yet the process still runs as uid " + Integer.toUnsignedString(Native.id(Native.GETEUID)));
        }
        String stray = threadNotSwitched();
        if (stray != null) {
            throw new IOException("switched to user " + user + ", yet " + stray);
        }
    }

    /** The first thread whose IDs are not all this account's, said as a phrase; null when there is none. */
    private String threadNotSwitched() throws IOException {
        String want = ("\t" + Integer.toUnsignedString(uid)).repeat(4); // real, effective, saved, file system
        String wantGroup = ("\t" + Integer.toUnsignedString(gid)).repeat(4);
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                List<String> status;
                try {
                    status = Files.readAllLines(task.resolve("status"));
                } catch (NoSuchFileException ended) {
                    continue;
                }
                for (String line : status) {
                    if ((line.startsWith("Uid:") && !line.substring(4).equals(want))
                            || (line.startsWith("Gid:") && !line.substring(4).equals(wantGroup))) {
                        return "thread " + task.getFileName() + " still has " + line.replace('\t', ' ');
                    }
                }
            }
        }
        return null;
    }

    private static void call(MethodHandle handle, MemorySegment state, String name, Object... args) throws IOException {
        int r = callRaw(handle, state, args);
        if (r != 0) {
            throw new IOException("cannot switch user: " + new ErrnoException(name, (int) Native.ERRNO.get(state, 0L)).getMessage());
        }
    }

    private static int callRaw(MethodHandle handle, MemorySegment state, Object... args) {
        Object[] all = new Object[args.length + 1];
        all[0] = state;
        System.arraycopy(args, 0, all, 1, args.length);
        try {
            return (int) handle.invokeWithArguments(all);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9') && s.length() <= 10
                && Long.parseLong(s) <= 0xFFFF_FFFEL; // (uid_t) -1 means "no change" to setuid
    }

    /** {@code nobody (uid 65534), group nogroup (gid 65534)} */
    @Override
    public String toString() {
        return user + " (uid " + Integer.toUnsignedString(uid) + "), group " + group + " (gid " + Integer.toUnsignedString(gid) + ")";
    }

    /** A user or group entry: its name, its ID, and for a user its primary group. */
    private record Entry(String name, int id, int group) {
    }

    /** The C library's account calls, linked on first use: a server that never switches user never links them. */
    private static final class Native {
        static final StructLayout STATE_LAYOUT = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = STATE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        static final MethodHandle GETPWNAM;
        static final MethodHandle GETPWUID;
        static final MethodHandle GETGRNAM;
        static final MethodHandle GETGRGID;
        static final MethodHandle INITGROUPS;
        static final MethodHandle SETGROUPS;
        static final MethodHandle SETGID;
        static final MethodHandle SETUID;
        static final MethodHandle GETUID;
        static final MethodHandle GETEUID;
        static final MethodHandle GETGID;
        static final MethodHandle GETEGID;
        // struct passwd: pw_name, pw_passwd, then pw_uid and pw_gid; struct group: gr_name, gr_passwd, then gr_gid.
        private static final long NAME = 0;
        private static final long ID = 16;
        private static final long GROUP = 20;
        private static final long STRUCT_SIZE = 48;

        static {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            Linker.Option capture = Linker.Option.captureCallState("errno");
            GETPWNAM = linker.downcallHandle(libc.find("getpwnam").orElseThrow(), FunctionDescriptor.of(ADDRESS, ADDRESS));
            GETPWUID = linker.downcallHandle(libc.find("getpwuid").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_INT));
            GETGRNAM = linker.downcallHandle(libc.find("getgrnam").orElseThrow(), FunctionDescriptor.of(ADDRESS, ADDRESS));
            GETGRGID = linker.downcallHandle(libc.find("getgrgid").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_INT));
            INITGROUPS = linker.downcallHandle(libc.find("initgroups").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), capture);
            SETGROUPS = linker.downcallHandle(libc.find("setgroups").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS), capture);
            SETGID = linker.downcallHandle(libc.find("setgid").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT), capture);
            SETUID = linker.downcallHandle(libc.find("setuid").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT), capture);
            FunctionDescriptor getter = FunctionDescriptor.of(JAVA_INT);
            GETUID = linker.downcallHandle(libc.find("getuid").orElseThrow(), getter);
            GETEUID = linker.downcallHandle(libc.find("geteuid").orElseThrow(), getter);
            GETGID = linker.downcallHandle(libc.find("getgid").orElseThrow(), getter);
            GETEGID = linker.downcallHandle(libc.find("getegid").orElseThrow(), getter);
        }

        static int id(MethodHandle getter) {
            try {
                return (int) getter.invokeExact();
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        static Entry user(String name) {
            try (Arena arena = Arena.ofConfined()) {
                return user((MemorySegment) GETPWNAM.invokeExact(arena.allocateFrom(name)));
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        static Entry user(MethodHandle byId, int id) {
            try {
                return user((MemorySegment) byId.invokeExact(id));
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        static Entry group(String name) {
            try (Arena arena = Arena.ofConfined()) {
                return group((MemorySegment) GETGRNAM.invokeExact(arena.allocateFrom(name)));
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        static Entry group(MethodHandle byId, int id) {
            try {
                return group((MemorySegment) byId.invokeExact(id));
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        /** Read at once: the C library reuses the entry's storage on the next lookup. */
        private static Entry user(MemorySegment p) {
            if (p.equals(MemorySegment.NULL)) {
                return null;
            }
            MemorySegment s = p.reinterpret(STRUCT_SIZE);
            return new Entry(string(s), s.get(JAVA_INT, ID), s.get(JAVA_INT, GROUP));
        }

        private static Entry group(MemorySegment p) {
            if (p.equals(MemorySegment.NULL)) {
                return null;
            }
            MemorySegment s = p.reinterpret(STRUCT_SIZE);
            return new Entry(string(s), s.get(JAVA_INT, ID), -1);
        }

        private static String string(MemorySegment entry) {
            return entry.get(ADDRESS, NAME).reinterpret(Long.MAX_VALUE).getString(0);
        }
    }
}
