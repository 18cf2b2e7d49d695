#!/usr/bin/env bash
# Template: run a Distillery job on YARN (cluster mode: the driver runs in the application master's container).
#
#   deploy/spark-submit/yarn.sh <job.conf> [extract] [--set key=value ...]
#
# Needs HADOOP_CONF_DIR (or YARN_CONF_DIR) pointing at the cluster's configuration. The job file travels with
# --files into the driver's working directory and is passed by its bare name. Paths in it should be hdfs://
# (or another filesystem every container reads). Memory: YARN kills a container that outgrows
# spark.executor.memory + spark.executor.memoryOverhead ("Container killed by YARN for exceeding physical memory
# limits"); common.sh sizes the overhead for ND4J's off-heap arrays. Knobs: common.sh, docs/deploy.md.
#   QUEUE       YARN queue (default: default)
#   EXECUTORS   number of executors (default: dynamic allocation decides, if the cluster enables it)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ $# -ge 1 ] || { sed -n '2,13p' "${BASH_SOURCE[0]}" >&2; exit 2; }
conf="$1"; shift
command=extract
if [ $# -gt 0 ] && [[ "$1" != -* ]]; then command="$1"; shift; fi
jar=$(job_jar)
extra=()
[ -n "${EXECUTORS:-}" ] && extra+=(--num-executors "$EXECUTORS")

run_submit \
  --master yarn \
  --deploy-mode cluster \
  --queue "${QUEUE:-default}" \
  "${common_conf[@]}" \
  --conf spark.yarn.appMasterEnv.OMP_NUM_THREADS="$cores" \
  --conf spark.yarn.maxAppAttempts=2 \
  ${extra[@]+"${extra[@]}"} \
  --files "$conf" \
  "$jar" "$command" --config "$(basename "$conf")" "$@"
