#!/bin/bash
# Image-text proof, CLIP-KD half, for one seed (arg 1, default 0): the CLIP teacher's cache (once), the students
# (CLIP loss only, + FD, + ICL, + FD + ICL + CRD; then + MFD, evaluated on its own) and their evaluation with the
# teacher, one after another; logs and a
# summary line per step under work/fm-captions/clip-kd-logs. The CLIP teacher must exist (data/fm-captions/README.md).
# Steps that finished are not run again, so the script can be restarted after a stop.
set -u
cd "$(dirname "$0")/../.."
SEED=${1:-0}
L=work/fm-captions/clip-kd-logs
mkdir -p "$L/done"
B=deploy/bin/distillery
. conf/run-step.sh
run() { run_named "$L/done" "$L" "$@"; } # name, command...
T=conf/fm-captions/student-clip-kd.conf
S="--set seed=$SEED"
R=work/fm-captions/clip-kd
run extract $B extract --config conf/fm-captions/extract-clip.conf
run baseline-s$SEED $B train --config $T $S --set run-dir=$R-baseline-s$SEED \
  --set 'student.multimodal.losses=[{type=clip}]'
run fd-s$SEED $B train --config $T $S --set run-dir=$R-fd-s$SEED \
  --set 'student.multimodal.losses=[{type=clip}, {type=fd, weight=2000}]'
run icl-s$SEED $B train --config $T $S --set run-dir=$R-icl-s$SEED \
  --set 'student.multimodal.losses=[{type=clip}, {type=icl}]'
run best-s$SEED $B train --config $T $S --set run-dir=$R-best-s$SEED \
  --set 'student.multimodal.losses=[{type=clip}, {type=fd, weight=2000}, {type=icl}, {type=crd}]'
run evaluate-s$SEED $B evaluate --config conf/fm-captions/evaluate-clip-kd.conf --set out=work/fm-captions/report-clip-kd-s$SEED \
  --set "models=[{name=clip-teacher, kind=teacher, model=work/fm-captions/clip-teacher/model.json, checkpoint=work/fm-captions/clip-teacher/model.safetensors}, {name=clip-only, kind=student, run-dir=$R-baseline-s$SEED}, {name=fd, kind=student, run-dir=$R-fd-s$SEED}, {name=icl, kind=student, run-dir=$R-icl-s$SEED}, {name=fd-icl-crd, kind=student, run-dir=$R-best-s$SEED}]"
run mfd-s$SEED $B train --config $T $S --set run-dir=$R-mfd-s$SEED \
  --set 'student.multimodal.losses=[{type=clip}, {type=mfd, weight=2000, mask-ratio=0.75}]'
run evaluate-mfd-s$SEED $B evaluate --config conf/fm-captions/evaluate-clip-kd.conf \
  --set out=work/fm-captions/report-clip-kd-mfd-s$SEED --set "models=[{name=mfd, kind=student, run-dir=$R-mfd-s$SEED}]"
