# Sourced by the proof scripts (conf/*/run-*.sh), from the repository root.
# run_step DONE LOG LABEL command...: runs the command niced, its output in LOG; appends "LABEL rc N wall S s" to
# summary.txt beside LOG; marks DONE when it succeeded. A step already marked is skipped, so a script can be
# restarted after a stop.
run_step() {
  local done=$1 log=$2 label=$3
  shift 3
  if [ -f "$done" ]; then return; fi
  local t0=$(date +%s)
  nice -n 5 "$@" > "$log" 2>&1
  local rc=$?
  echo "$label rc $rc wall $(( $(date +%s) - t0 )) s" >> "$(dirname "$log")/summary.txt"
  [ $rc = 0 ] && touch "$done"
}

# run_named DONE_DIR LOG_DIR NAME command...: run_step with DONE_DIR/NAME as the mark and LOG_DIR/NAME.log as the
# log, skipped unless NAME is one of the words of $STEPS (default: every step).
run_named() {
  local done_dir=$1 log_dir=$2 name=$3
  shift 3
  case " ${STEPS:-$name} " in *" $name "*) ;; *) return ;; esac
  run_step "$done_dir/$name" "$log_dir/$name.log" "$name" "$@"
}
