#!/usr/bin/env bash
# Template: run a Distillery job on Kubernetes (cluster mode: the driver runs in a pod).
#
#   deploy/spark-submit/kubernetes.sh <k8s://https://apiserver:6443> <job.conf> [extract] [--set key=value ...]
#
#   DISTILLERY_IMAGE   a Spark 3.5 (Scala 2.12, Java 17) image with the job jar at /opt/distillery/ (required),
#                      e.g. FROM apache/spark:3.5.x-scala2.12-java17-ubuntu + COPY <job.jar> /opt/distillery/
#   K8S_NAMESPACE      namespace (default: default); K8S_SERVICE_ACCOUNT (default: spark) may create pods there
#   UPLOAD_PATH        an hdfs:// or s3a:// folder spark-submit uploads the job file to (required: Kubernetes has
#                      no shared disk; the driver pod downloads it into its working directory)
#   EXECUTORS          number of executor pods (default 2)
#
# Pods are killed for exceeding their memory limit (spark.executor.memory + spark.executor.memoryOverhead; the
# pod shows OOMKilled); common.sh sizes the overhead for ND4J's off-heap arrays. Knobs: common.sh, docs/deploy.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ $# -ge 2 ] || { sed -n '2,15p' "${BASH_SOURCE[0]}" >&2; exit 2; }
master="$1"; conf="$2"; shift 2
command=extract
if [ $# -gt 0 ] && [[ "$1" != -* ]]; then command="$1"; shift; fi
: "${DISTILLERY_IMAGE:?set DISTILLERY_IMAGE to an image with the job jar in /opt/distillery/}"
: "${UPLOAD_PATH:?set UPLOAD_PATH to an hdfs:// or s3a:// folder for the job file}"

run_submit \
  --master "$master" \
  --deploy-mode cluster \
  --name distillery-"$command" \
  "${common_conf[@]}" \
  --conf spark.executor.instances="${EXECUTORS:-2}" \
  --conf spark.kubernetes.namespace="${K8S_NAMESPACE:-default}" \
  --conf spark.kubernetes.authenticate.driver.serviceAccountName="${K8S_SERVICE_ACCOUNT:-spark}" \
  --conf spark.kubernetes.container.image="$DISTILLERY_IMAGE" \
  --conf spark.kubernetes.driverEnv.OMP_NUM_THREADS="$cores" \
  --conf spark.kubernetes.file.upload.path="$UPLOAD_PATH" \
  --files "$conf" \
  "local:///opt/distillery/distillery-spark-job-$version-job.jar" "$command" --config "$(basename "$conf")" "$@"
