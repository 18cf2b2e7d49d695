package io.distillery.locks;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Instant;
import java.util.UUID;

/**
 * Who holds a writer lock: what the lock file contains.
 *
 * @param token   unique per acquisition: a lock is only released or refreshed by the run that created it
 * @param host    host name of the owner's JVM
 * @param pid     its process id
 * @param user    the OS user
 * @param command the Distillery command (extract, train, ...)
 * @param started when the lock was taken
 */
record LockOwner(String token, String host, long pid, String user, String command, String started) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static LockOwner current(String command) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown-host";
        }
        return new LockOwner(
                UUID.randomUUID().toString(),
                host,
                ProcessHandle.current().pid(),
                System.getProperty("user.name"),
                command,
                Instant.now().toString());
    }

    byte[] toJson() throws IOException {
        return JSON.writeValueAsBytes(this);
    }

    static LockOwner fromJson(byte[] json) throws IOException {
        return JSON.readValue(json, LockOwner.class);
    }

    /** True when the owner certainly no longer runs: same host, and no process with its pid. */
    boolean knownDead() {
        String here;
        try {
            here = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return false;
        }
        return here.equals(host) && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }

    @Override
    public String toString() {
        return user + "@" + host + " pid " + pid + " (" + command + ", started " + started + ")";
    }
}
