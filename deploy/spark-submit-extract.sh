#!/usr/bin/env bash
# Template: submit the extract job to a cluster with spark-submit.
#   deploy/spark-submit-extract.sh <spark-master-url> <job.conf> [--set key=value ...]
# The cluster provides Spark 3.5 (Scala 2.12); Distillery ships its own jars (DL4J, ND4J natives, ...) with --jars.
# Executors get the Java 17 module flags from Spark itself; OMP threads are pinned to the executor's cores.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
master="$1"; conf="$2"; shift 2
job="$root/spark-job/target"
[ -d "$job/lib" ] || (cd "$root" && mvn -B -q -DskipTests -pl spark-job -am package)
app=$(ls "$job"/distillery-spark-job-*.jar | grep -v -e '-tests.jar' | head -1)
# everything Distillery needs except what the cluster's Spark already has
jars=$(ls "$job"/lib/*.jar | grep -v -E '/(spark-|scala-|hadoop-client-|log4j-|slf4j-)' | paste -sd, -)
cores="${EXECUTOR_CORES:-4}"

exec spark-submit \
  --master "$master" \
  --class io.distillery.cli.DistilleryCli \
  --driver-java-options "@$root/deploy/jvm.args" \
  --conf spark.executor.cores="$cores" \
  --conf spark.executorEnv.OMP_NUM_THREADS="$cores" \
  --conf spark.executor.memory="${EXECUTOR_MEMORY:-16g}" \
  --conf spark.task.maxFailures=4 \
  --files "$conf" \
  --jars "$jars" \
  "$app" extract --config "$conf" "$@"
