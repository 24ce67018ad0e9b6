package dev.sockit.linux;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The errno values the socket calls report, by name and with glibc's text, so an error reads the way
 * {@code strerror(3)} would say it. The numbers are Linux's generic ones (x86-64 and AArch64 alike).
 */
public enum Errno {
    EPERM(1, "Operation not permitted"),
    ENOENT(2, "No such file or directory"),
    EINTR(4, "Interrupted system call"),
    EIO(5, "Input/output error"),
    EBADF(9, "Bad file descriptor"),
    EAGAIN(11, "Resource temporarily unavailable"),
    ENOMEM(12, "Cannot allocate memory"),
    EACCES(13, "Permission denied"),
    EFAULT(14, "Bad address"),
    EEXIST(17, "File exists"),
    ENOTDIR(20, "Not a directory"),
    EISDIR(21, "Is a directory"),
    EINVAL(22, "Invalid argument"),
    ENFILE(23, "Too many open files in system"),
    EMFILE(24, "Too many open files"),
    ENOSPC(28, "No space left on device"),
    EROFS(30, "Read-only file system"),
    EPIPE(32, "Broken pipe"),
    ENAMETOOLONG(36, "File name too long"),
    ELOOP(40, "Too many levels of symbolic links"),
    ENOTSOCK(88, "Socket operation on non-socket"),
    EDESTADDRREQ(89, "Destination address required"),
    EMSGSIZE(90, "Message too long"),
    EPROTOTYPE(91, "Protocol wrong type for socket"),
    ENOPROTOOPT(92, "Protocol not available"),
    EPROTONOSUPPORT(93, "Protocol not supported"),
    EOPNOTSUPP(95, "Operation not supported"),
    EAFNOSUPPORT(97, "Address family not supported by protocol"),
    EADDRINUSE(98, "Address already in use"),
    EADDRNOTAVAIL(99, "Cannot assign requested address"),
    ENETDOWN(100, "Network is down"),
    ENETUNREACH(101, "Network is unreachable"),
    ECONNABORTED(103, "Software caused connection abort"),
    ECONNRESET(104, "Connection reset by peer"),
    ENOBUFS(105, "No buffer space available"),
    EISCONN(106, "Transport endpoint is already connected"),
    ENOTCONN(107, "Transport endpoint is not connected"),
    ETIMEDOUT(110, "Connection timed out"),
    ECONNREFUSED(111, "Connection refused"),
    EHOSTUNREACH(113, "No route to host"),
    EALREADY(114, "Operation already in progress"),
    EINPROGRESS(115, "Operation now in progress");

    private static final Map<Integer, Errno> BY_CODE = new HashMap<>();

    static {
        for (Errno e : values()) {
            BY_CODE.put(e.code, e);
        }
    }

    private final int code;
    private final String text;

    Errno(int code, String text) {
        this.code = code;
        this.text = text;
    }

    public int code() {
        return code;
    }

    /** What strerror(3) says, e.g. {@code Address already in use}. */
    public String text() {
        return text;
    }

    public static Optional<Errno> of(int code) {
        return Optional.ofNullable(BY_CODE.get(code));
    }

    /** The text for any errno, named or not. */
    public static String describe(int code) {
        Errno e = BY_CODE.get(code);
        return e != null ? e.text : "error " + code;
    }
}
