#!/bin/bash
# Fashion-MNIST KD experiment, step 3: the students of the table (data2vec2-style, then BEiT-style) for one seed (arg 1, default 0), one after another,
# under the common budget of student-distill.conf / student-scratch.conf. Run dirs under $RUNS (default
# work/fm-kd/r2), logs under $RUNS/logs, one line per finished run in $RUNS/logs/summary.txt; a run that finished
# is not run again, so the script can be restarted after a stop. Uses the launcher's build unless
# DISTILLERY_BUILD_DIR / DISTILLERY_NO_BUILD say otherwise. ITERATIONS=N overrides the common budget (d2v then
# finetune splits it 2/3 + 1/3); STEPS="scratch kd-inherit ..." runs only the named rows.
set -u
cd "$(dirname "$0")/../.."
SEED=${1:-0}
RUNS=${RUNS:-work/fm-kd/r2}
L=$RUNS/logs
mkdir -p "$L" "$RUNS/done"
. conf/run-step.sh
IT=${ITERATIONS:-3000}
run() { # name, command... (ROW_IT=N run ... gives that row N iterations instead of the budget)
  local name=$1
  shift
  case " ${STEPS:-$name} " in *" $name "*) ;; *) return ;; esac
  run_step "$RUNS/done/$name-s$SEED" "$L/$name-s$SEED.log" "$name seed $SEED" "$@" --set iterations=${ROW_IT:-$IT}
}
D=conf/fashion-mnist-kd/student-distill.conf
S=conf/fashion-mnist-kd/student-scratch.conf
B=deploy/bin/distillery
run scratch $B finetune --config $S --set run-dir=$RUNS/scratch-s$SEED --set seed=$SEED
run kd $B train --config $D --set run-dir=$RUNS/kd-s$SEED --set seed=$SEED \
  --set 'losses=[{type=ce, weight=0.1}, {type=kd, weight=0.9, temperature=4}]'
run lskd $B train --config $D --set run-dir=$RUNS/lskd-s$SEED --set seed=$SEED \
  --set 'losses=[{type=ce, weight=0.1}, {type=lskd, weight=0.9, temperature=2}]'
run dkd $B train --config $D --set run-dir=$RUNS/dkd-s$SEED --set seed=$SEED \
  --set 'losses=[{type=ce, weight=1}, {type=dkd, weight=1, warmup=1}]'
run d2vkd $B train --config $D --set run-dir=$RUNS/d2vkd-s$SEED --set seed=$SEED \
  --set 'losses=[{type=d2v, weight=1}, {type=ce, weight=0.1}, {type=kd, weight=0.9, temperature=4}]'
# d2v then finetune: 2/3 + 1/3 of the budget (2000 + 1000 of 3000), the same budget in all
ROW_IT=$(( IT * 2 / 3 )) run d2v $B train --config $D --set run-dir=$RUNS/d2v-s$SEED --set seed=$SEED \
  --set 'losses=[{type=d2v, weight=1}]'
ROW_IT=$(( IT - IT * 2 / 3 )) run d2vft $B finetune --config $S --set run-dir=$RUNS/d2vft-s$SEED --set seed=$SEED \
  --set student.init-checkpoint=$RUNS/d2v-s$SEED/student/student.safetensors
# half-depth students in the teacher's own block style (BEiT v2, 3 x 96: conf/models/fmnist-kd-student-3x96-beit.json):
# from scratch with labels, and from the teacher's blocks 0, 2, 4 (every other block, DistilBERT's choice) with
# labels only or with kd
M=(--set student.model=conf/models/fmnist-kd-student-3x96-beit.json)
I=(--set student.init-checkpoint=conf/models/fmnist-kd-teacher-9004/model.safetensors --set 'student.init-blocks=[0, 2, 4]')
run kd-inherit $B train --config $D "${M[@]}" "${I[@]}" --set run-dir=$RUNS/kd-inherit-s$SEED --set seed=$SEED \
  --set 'losses=[{type=ce, weight=0.1}, {type=kd, weight=0.9, temperature=4}]'
# the same with the teacher's fc_norm and classifier too (student.init-head): every layer the student has a
# counterpart of starts from the teacher
run kd-inherit-head $B train --config $D "${M[@]}" "${I[@]}" --set student.init-head=true \
  --set run-dir=$RUNS/kd-inherit-head-s$SEED --set seed=$SEED \
  --set 'losses=[{type=ce, weight=0.1}, {type=kd, weight=0.9, temperature=4}]'
# the best of the table: blocks 0, 2 and 5 (the last block, the one the inherited fc_norm and classifier read), with
# the head
run kd-inherit-last $B train --config $D "${M[@]}" "${I[@]}" --set 'student.init-blocks=[0, 2, 5]' \
  --set student.init-head=true --set run-dir=$RUNS/kd-inherit-last-s$SEED --set seed=$SEED \
  --set 'losses=[{type=ce, weight=0.1}, {type=kd, weight=0.9, temperature=4}]'
run scratch-beit $B finetune --config $S "${M[@]}" --set run-dir=$RUNS/scratch-beit-s$SEED --set seed=$SEED
run ft-inherit $B finetune --config $S "${M[@]}" "${I[@]}" --set run-dir=$RUNS/ft-inherit-s$SEED --set seed=$SEED
