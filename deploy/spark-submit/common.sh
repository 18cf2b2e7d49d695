# Sourced by the spark-submit templates in this folder; not run on its own.
#
# Builds the parts every cluster manager shares: the job jar (Spark, Scala and Hadoop left out: the cluster provides
# them), the Java 17 flags of deploy/jvm.args for driver and executors, executor memory sized for ND4J's off-heap
# arrays, OpenMP threads, and the optional security settings. Knobs (environment):
#
#   SPARK_SUBMIT         spark-submit to run (default: spark-submit on PATH, else $SPARK_HOME/bin/spark-submit)
#   JOB_JAR              the application jar (default: spark-job/target/distillery-spark-job-<version>-job.jar)
#   EXECUTOR_CORES       cores per executor (default 4)
#   THREADS_PER_TASK     OpenMP threads of one task (default 1); the executor runs EXECUTOR_CORES / THREADS_PER_TASK
#                        tasks at once, each with its own copy of the model (extract: teacher.copies = 0; train:
#                        one worker per task), so the cores are used once, never oversubscribed
#   EXECUTOR_MEMORY_GB   executor JVM heap, GiB (default 8)
#   ND4J_OFFHEAP_GB      ND4J/JavaCPP off-heap budget per executor, GiB (default 8); see docs/deploy.md
#   DRIVER_MEMORY_GB     driver JVM heap, GiB (default 4)
#   DISTILLERY_SECURE=1  authentication + RPC and local-disk encryption (see docs/deploy.md for the secret)
#   SPARK_EXTRA_CONF     more "--conf k=v" arguments, word-split (no spaces inside values)
#   DRY_RUN=1            print the spark-submit command, one argument per line, instead of running it
#
# Distillery's own settings never travel as --conf: spark-submit drops every --conf key that does not start with
# "spark." ("Ignoring non-Spark config property"). They go to the main class as --config <file> and --set k=v.

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
version=$(sed -n 's|^  <version>\(.*\)</version>|\1|p' "$root/pom.xml" | head -1)

job_jar() {
  local jar="${JOB_JAR:-$root/spark-job/${DISTILLERY_BUILD_DIR:-target}/distillery-spark-job-$version-job.jar}"
  if [ ! -f "$jar" ] && [ "${DRY_RUN:-0}" != 1 ]; then
    echo "building the job jar (mvn -B -DskipTests -pl spark-job -am package) ..." >&2
    (cd "$root" && mvn -B -q -DskipTests -pl spark-job -am package >&2)
  fi
  echo "$jar"
}

spark_submit() {
  if [ -n "${SPARK_SUBMIT:-}" ]; then
    echo "$SPARK_SUBMIT"
  elif command -v spark-submit >/dev/null; then
    echo spark-submit
  elif [ -n "${SPARK_HOME:-}" ]; then
    echo "$SPARK_HOME/bin/spark-submit"
  else
    echo "spark-submit not found: put it on PATH, or set SPARK_HOME or SPARK_SUBMIT" >&2
    exit 2
  fi
}

# deploy/jvm.args as one line (Spark adds the same module flags itself since 3.3; explicit here so that a cluster
# whose spark-defaults.conf sets extraJavaOptions cannot lose them)
jvm_flags=$(grep -v -e '^\s*#' -e '^\s*$' "$root/deploy/jvm.args" | paste -sd' ' -)

cores="${EXECUTOR_CORES:-4}"
threads_per_task="${THREADS_PER_TASK:-1}"
heap_gb="${EXECUTOR_MEMORY_GB:-8}"
offheap_gb="${ND4J_OFFHEAP_GB:-8}"
driver_gb="${DRIVER_MEMORY_GB:-4}"
# ND4J arrays live outside the heap, in JavaCPP allocations: maxbytes caps them; maxphysicalbytes caps the whole
# process (heap + off-heap + JVM) and must stay below the container a cluster manager enforces
# (spark.executor.memory + spark.executor.memoryOverhead), or YARN/Kubernetes kill the executor before ND4J can
# free memory. Overhead = off-heap + 2 GiB for metaspace, threads, Netty, OpenMP/OpenBLAS buffers.
overhead_gb=$((offheap_gb + 2))
physical_gb=$((heap_gb + offheap_gb + 1))
nd4j_flags="-Dorg.bytedeco.javacpp.maxbytes=${offheap_gb}G -Dorg.bytedeco.javacpp.maxphysicalbytes=${physical_gb}G"

common_conf=(
  --class io.distillery.cli.DistilleryCli
  --driver-memory "${driver_gb}g"
  --conf "spark.driver.extraJavaOptions=$jvm_flags"
  --conf "spark.executor.extraJavaOptions=$jvm_flags $nd4j_flags"
  --conf spark.executor.cores="$cores"
  --conf spark.executor.memory="${heap_gb}g"
  --conf spark.executor.memoryOverhead="${overhead_gb}g"
  --conf spark.task.cpus="$threads_per_task"
  --conf spark.executorEnv.OMP_NUM_THREADS="$threads_per_task"
  --conf spark.executorEnv.OMP_WAIT_POLICY=PASSIVE
  --conf spark.task.maxFailures=4
)
if [ "${DISTILLERY_SECURE:-0}" = 1 ]; then
  common_conf+=(
    --conf spark.authenticate=true
    --conf spark.network.crypto.enabled=true
    --conf spark.io.encryption.enabled=true
  )
fi
# shellcheck disable=SC2206
[ -n "${SPARK_EXTRA_CONF:-}" ] && common_conf+=(${SPARK_EXTRA_CONF})

# Runs spark-submit with the given arguments (or prints them, one per line, with DRY_RUN=1).
run_submit() {
  local submit
  submit=$(spark_submit)
  if [ "${DRY_RUN:-0}" = 1 ]; then
    printf '%s\n' "$submit" "$@"
    exit 0
  fi
  exec "$submit" "$@"
}
