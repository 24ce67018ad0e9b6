package dev.sockit.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The user and group a daemon runs as once its sockets are bound: inetd's {@code user[:group]}. A
 * server started as root to bind the small services' ports (all below 1024) switches to it before
 * it serves anyone, so that a flaw reached from the network runs with nobody's rights, not root's.
 *
 * <p>Looked up through the C library (getpwnam_r, getgrnam_r), so every source the system's name
 * service knows counts, not only /etc/passwd. Switched to with initgroups (or setgroups), setgid and setuid,
 * in that order, since each needs the rights the next one gives up. glibc applies them to every
 * thread of the process, the JVM's own included; {@link #switchTo} then checks, in /proc, that each
 * thread has the account's IDs and groups and no capability left, and fails rather than serve
 * half-switched. Looked up by name, a user keeps its supplementary groups even when another group is
 * named (as systemd and xinetd do).
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
     * @throws UncheckedIOException when the system could not say (a directory service down, say)
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
        boolean userNumber = isNumber(userPart);
        Entry u = userNumber ? Native.user(Native.GETPWUID, Integer.parseUnsignedInt(userPart)) : Native.user(userPart);
        if (u == null && !userNumber) {
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
        boolean groupNumber = isNumber(groupPart);
        Entry g = groupNumber ? Native.group(Native.GETGRGID, Integer.parseUnsignedInt(groupPart)) : Native.group(groupPart);
        if (g == null && !groupNumber) {
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
     * Whether {@link #switchTo} can work: the process runs as this account already, or as root.
     *
     * @throws IOException saying why not, so that a server can say it before it binds anything
     */
    public void requireSwitchable() throws IOException {
        int euid = Native.id(Native.GETEUID);
        if (euid != 0 && !isCurrent()) {
            throw new IOException("cannot switch to user " + user + ": sockit runs as uid " + Integer.toUnsignedString(euid)
                    + ", and only root may change its user (start it as root, or leave --user out)");
        }
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
        requireSwitchable();
        removePerfDataFile();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Native.STATE_LAYOUT);
            if (named) {
                call(Native.INITGROUPS, state, "initgroups", arena.allocateFrom(user), gid);
            } else {
                call(Native.SETGROUPS, state, "setgroups", 1L, arena.allocateFrom(JAVA_INT, gid));
            }
            call(Native.SETGID, state, "setgid", gid);
            call(Native.SETUID, state, "setuid", uid);
        }
        String stray;
        try {
            stray = threadNotSwitched();
        } catch (IOException e) {
            throw new IOException("switched to user " + user + ", but cannot check its threads in /proc: " + e.getMessage(), e);
        }
        if (stray != null) {
            throw new IOException("switched to user " + user + ", yet " + stray + ": refusing to go on");
        }
    }

    /**
     * The JVM's performance-data file (/tmp/hsperfdata_root/PID, for jstat and jps) belongs to the
     * user the JVM started as, in a directory only that user may write: after the switch the JVM
     * could not remove it at exit, and every run would leave one behind. Removed now, while it can
     * be; the JVM keeps what it mapped, and jps no longer lists the process (jcmd still reaches it).
     */
    private static void removePerfDataFile() {
        Path file = Path.of(System.getProperty("java.io.tmpdir"), "hsperfdata_" + System.getProperty("user.name"),
                Long.toString(ProcessHandle.current().pid()));
        try {
            Files.deleteIfExists(file);
        } catch (IOException | SecurityException ignored) {
            // then it stays behind, as it would have
        }
    }

    /**
     * The first thread still holding anything of root's, said as a phrase; null when there is none.
     * Every thread must have this account's real, effective, saved and file-system IDs, the groups
     * this thread was given, and (unless the account is root) no capabilities: a process whose IDs
     * all changed but which kept a capability could still take root back.
     */
    private String threadNotSwitched() throws IOException {
        String groups = field(Files.readAllLines(Path.of("/proc/thread-self/status")), "Groups:");
        if (groups == null || (!named && !groups.strip().equals(Integer.toUnsignedString(gid)))) {
            return "this thread's groups are" + (groups == null ? " unknown" : groups);
        }
        Map<String, String> expected = new LinkedHashMap<>(); // each line's field, and what must follow it
        expected.put("Uid:", ("\t" + Integer.toUnsignedString(uid)).repeat(4));
        expected.put("Gid:", ("\t" + Integer.toUnsignedString(gid)).repeat(4));
        expected.put("Groups:", groups);
        if (uid != 0) {
            for (String cap : new String[] {"CapPrm:", "CapEff:", "CapAmb:"}) {
                expected.put(cap, "\t" + "0".repeat(16));
            }
        }
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                List<String> status;
                try {
                    status = Files.readAllLines(task.resolve("status"));
                } catch (IOException e) {
                    if (!Files.exists(task)) {
                        continue; // the thread ended while we looked
                    }
                    throw e;
                }
                for (Map.Entry<String, String> e : expected.entrySet()) {
                    String found = field(status, e.getKey());
                    if (!e.getValue().equals(found)) {
                        return "thread " + task.getFileName() + " still has " + (e.getKey() + found).replace('\t', ' ').strip();
                    }
                }
            }
        }
        return null;
    }

    /** What follows {@code name} on its line of a /proc status file, or null when it has none. */
    private static String field(List<String> status, String name) {
        for (String line : status) {
            if (line.startsWith(name)) {
                return line.substring(name.length());
            }
        }
        return null;
    }

    private void call(MethodHandle handle, MemorySegment state, String name, Object... args) throws IOException {
        Object[] all = new Object[args.length + 1];
        all[0] = state;
        System.arraycopy(args, 0, all, 1, args.length);
        int r;
        try {
            r = (int) handle.invokeWithArguments(all);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (r != 0) {
            throw new IOException("cannot switch to user " + user + ": " + new ErrnoException(name, (int) Native.ERRNO.get(state, 0L)).getMessage()
                    + " (in a container or user namespace, root may lack CAP_SETUID and CAP_SETGID)");
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
        private static final long PASSWD_SIZE = 48;
        private static final long GROUP_SIZE = 32;
        private static final int ERANGE = 34;

        static {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            Linker.Option capture = Linker.Option.captureCallState("errno");
            // The reentrant lookups: they say a failure (an NSS source down) apart from "no such entry".
            FunctionDescriptor byName = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
            FunctionDescriptor byId = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
            GETPWNAM = linker.downcallHandle(libc.find("getpwnam_r").orElseThrow(), byName);
            GETPWUID = linker.downcallHandle(libc.find("getpwuid_r").orElseThrow(), byId);
            GETGRNAM = linker.downcallHandle(libc.find("getgrnam_r").orElseThrow(), byName);
            GETGRGID = linker.downcallHandle(libc.find("getgrgid_r").orElseThrow(), byId);
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
            return entry(GETPWNAM, true, name, "user " + name);
        }

        static Entry user(MethodHandle byId, int id) {
            return entry(byId, true, id, "user ID " + Integer.toUnsignedString(id));
        }

        static Entry group(String name) {
            return entry(GETGRNAM, false, name, "group " + name);
        }

        static Entry group(MethodHandle byId, int id) {
            return entry(byId, false, id, "group ID " + Integer.toUnsignedString(id));
        }

        /**
         * One reentrant lookup ({@code getpwnam_r} and its kin) by name (a String) or ID (an Integer):
         * null when there is no such entry, the buffer grown while the C library says it is too small.
         *
         * @throws UncheckedIOException when the lookup itself failed, as when a directory service is down
         */
        private static Entry entry(MethodHandle lookup, boolean user, Object key, String what) {
            for (long size = 16 * 1024; ; size *= 4) {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment entry = arena.allocate(user ? PASSWD_SIZE : GROUP_SIZE, 8);
                    MemorySegment buffer = arena.allocate(size);
                    MemorySegment result = arena.allocate(ADDRESS);
                    Object k = key instanceof String name ? arena.allocateFrom(name) : key;
                    int r;
                    try {
                        r = (int) lookup.invokeWithArguments(k, entry, buffer, size, result);
                    } catch (Throwable t) {
                        throw new IllegalStateException(t);
                    }
                    if (r == ERANGE && size < (1 << 24)) {
                        continue;
                    }
                    if (r == Errno.ENOENT.code()) {
                        return null; // some name services say "none" so
                    }
                    if (r != 0) {
                        ErrnoException e = new ErrnoException("cannot look up " + what, r);
                        throw new UncheckedIOException(e.getMessage(), e);
                    }
                    if (result.get(ADDRESS, 0).equals(MemorySegment.NULL)) {
                        return null;
                    }
                    return new Entry(string(entry), entry.get(JAVA_INT, ID), user ? entry.get(JAVA_INT, GROUP) : -1);
                }
            }
        }

        private static String string(MemorySegment entry) {
            return entry.get(ADDRESS, NAME).reinterpret(Long.MAX_VALUE).getString(0);
        }
    }
}
