#!/bin/bash
# Image-text proof, CLIP-KD half: the CLIP teacher's cache, the four students (CLIP loss only, + FD, + ICL,
# + FD + ICL + CRD) and their evaluation, one after another; logs and a summary line per step under
# work/fm-captions/clip-kd-logs. The CLIP teacher must exist (data/fm-captions/README.md). Steps that finished are
# not run again.
set -u
cd "$(dirname "$0")/../.."
L=work/fm-captions/clip-kd-logs
mkdir -p "$L/done"
B=deploy/bin/distillery
run() { # name, command...
  local name=$1; shift
  if [ -f "$L/done/$name" ]; then return; fi
  local t0=$(date +%s)
  nice -n 5 "$@" > "$L/$name.log" 2>&1
  local rc=$?
  echo "$name rc $rc wall $(( $(date +%s) - t0 )) s" >> "$L/summary.txt"
  [ $rc = 0 ] && touch "$L/done/$name"
}
T=conf/fm-captions/student-clip-kd.conf
run extract $B extract --config conf/fm-captions/extract-clip.conf
run baseline $B train --config $T --set run-dir=work/fm-captions/clip-kd-baseline-s0 \
  --set 'student.multimodal.losses=[{type=clip}]'
run fd $B train --config $T --set run-dir=work/fm-captions/clip-kd-fd-s0 \
  --set 'student.multimodal.losses=[{type=clip}, {type=fd, weight=2000}]'
run icl $B train --config $T --set run-dir=work/fm-captions/clip-kd-icl-s0 \
  --set 'student.multimodal.losses=[{type=clip}, {type=icl}]'
run best $B train --config $T --set run-dir=work/fm-captions/clip-kd-best-s0 \
  --set 'student.multimodal.losses=[{type=clip}, {type=fd, weight=2000}, {type=icl}, {type=crd}]'
run evaluate $B evaluate --config conf/fm-captions/evaluate-clip-kd.conf
