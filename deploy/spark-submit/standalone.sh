#!/usr/bin/env bash
# Template: run a Distillery job on a Spark standalone cluster (client mode: the driver runs here).
#
#   deploy/spark-submit/standalone.sh <spark://master:7077> <job.conf> [extract] [--set key=value ...]
#
# The job file is read here, by the driver; every path in it must be readable by the executors too (hdfs://,
# s3a://, or a shared mount), since they open the inputs, the teacher and the output themselves.
# Example:
#   EXECUTOR_CORES=8 EXECUTOR_MEMORY_GB=16 ND4J_OFFHEAP_GB=16 deploy/spark-submit/standalone.sh \
#     spark://master:7077 conf/extract-imagenet.conf --set 'output.path="hdfs:///features/run2"'
# Knobs: see deploy/spark-submit/common.sh and docs/deploy.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ $# -ge 2 ] || { sed -n '2,12p' "${BASH_SOURCE[0]}" >&2; exit 2; }
master="$1"; conf="$2"; shift 2
command=extract
if [ $# -gt 0 ] && [[ "$1" != -* ]]; then command="$1"; shift; fi
jar=$(job_jar)

run_submit \
  --master "$master" \
  --deploy-mode client \
  "${common_conf[@]}" \
  "$jar" "$command" --config "$conf" "$@"
