#!/usr/bin/env bash
# Kept for old instructions: the templates now live in deploy/spark-submit/ (standalone.sh, yarn.sh, kubernetes.sh).
#   deploy/spark-submit-extract.sh <spark-master-url> <job.conf> [--set key=value ...]
exec "$(dirname "${BASH_SOURCE[0]}")/spark-submit/standalone.sh" "$@"
