#!/bin/bash
# Image-text proof, inheritance from the BEiT v2 image teacher (conf/fm-captions/student-beit-inherit.conf) for one
# seed (arg 1, default 0): the BEiT-style multimodal student with the teacher's blocks, the same student from random
# init, and their evaluation. Needs work/fm-captions/features (extract.conf). Logs and a summary line per step under
# work/fm-captions/beit-logs; finished steps are not run again.
set -u
cd "$(dirname "$0")/../.."
SEED=${1:-0}
L=work/fm-captions/beit-logs
mkdir -p "$L/done"
B=deploy/bin/distillery
. conf/run-step.sh
run() { run_named "$L/done" "$L" "$@"; } # name, command...
T=conf/fm-captions/student-beit-inherit.conf
R=work/fm-captions
run inherit-s$SEED $B train --config $T --set seed=$SEED --set run-dir=$R/beit-inherit-s$SEED
run random-s$SEED $B train --config $T --set seed=$SEED --set run-dir=$R/beit-random-s$SEED \
  --set student.multimodal.init.image-checkpoint=null --set 'student.multimodal.init.image-blocks=[]'
run evaluate-s$SEED $B evaluate --config conf/fm-captions/evaluate.conf --set out=$R/report-beit-s$SEED \
  --set "models=[{name=beit-inherited, kind=student, run-dir=$R/beit-inherit-s$SEED}, {name=beit-random, kind=student, run-dir=$R/beit-random-s$SEED}]"
