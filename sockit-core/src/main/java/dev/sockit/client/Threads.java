package dev.sockit.client;

/**
 * Threads that work on a socket beside the caller's: virtual, except for sockets whose calls block
 * inside native code (the libc-made Unix sockets). A virtual thread blocked there holds its carrier
 * thread for as long; a few of them would stall every other virtual thread in the process.
 */
final class Threads {
    private Threads() {
    }

    static Thread start(boolean blocksInNativeCode, String name, Runnable task) {
        Thread.Builder builder = blocksInNativeCode ? Thread.ofPlatform().daemon() : Thread.ofVirtual();
        return builder.name(name).start(task);
    }
}
