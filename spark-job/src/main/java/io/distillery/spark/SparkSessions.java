package io.distillery.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** Spark sessions for Distillery jobs: spark-submit's settings win; the job config only fills in the master. */
public final class SparkSessions {
    private SparkSessions() {}

    public static SparkSession getOrCreate(String defaultMaster, String appName) {
        SparkConf conf = new SparkConf();
        if (!conf.contains("spark.master")) {
            conf.setMaster(defaultMaster);
        }
        SparkMasters.check("spark.master", conf.get("spark.master")); // spark-submit's value too
        if (!conf.contains("spark.app.name")) {
            conf.setAppName(appName);
        }
        if (conf.get("spark.master").startsWith("local")) {
            // one JVM: keep ND4J to one OpenMP thread per task slot (see the field notes)
            conf.setIfMissing("spark.executorEnv.OMP_NUM_THREADS", "1");
            conf.setIfMissing("spark.executorEnv.OMP_WAIT_POLICY", "PASSIVE"); // idle OpenMP threads sleep
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }
}
