package io.distillery.extract;

import org.apache.spark.sql.SparkSession;

/**
 * One Spark session for the module's tests: two task slots, up to three attempts per task (so injected failures
 * are retried), loopback only, no UI, and a 1 MB RPC message limit that catches large objects in task closures.
 */
public final class SparkTestSession {
    private static SparkSession session;

    private SparkTestSession() {}

    public static synchronized SparkSession get() {
        if (session == null) {
            session = SparkSession.builder()
                    .master("local[2,3]")
                    .appName("distillery-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.rpc.message.maxSize", "1")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.executor.heartbeatInterval", "1s")
                    .getOrCreate();
        }
        return session;
    }
}
