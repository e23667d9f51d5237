#!/usr/bin/env bash
# Alert precision and recall over many drives instead of the demo's one: renders N drives like the demo's (a person
# and a truck on the track; 640x320, 120 frames, 5 m/s) once, then scores each model given with
# `eval --rules railway`, frames sent as JPEG q90 as cameras send them (training-job/README.md, "Sixteen drives instead
# of one"). About 2.5 minutes to render 16 drives and 1 minute per model on 2 cores.
# Usage: training-job/recipes/alerts-over-drives.sh [WORK_DIR] [DRIVES] [MODEL ...]   (from the repository root;
#        models default to the bundled one; a model is a directory or 'bundled')
set -euo pipefail
WORK="${1:-/tmp/alerts-over-drives}"
DRIVES="${2:-16}"
shift $(( $# < 2 ? $# : 2 ))
MODELS=("$@")
[ ${#MODELS[@]} -gt 0 ] || MODELS=(bundled)
S=./segstream

[ -d "$WORK/drives" ] || $S scenes --out "$WORK" --sequence --count "$DRIVES" --frames 120 --size 640x320 --kind rail \
  --seed 31 --speed 5 --intrusion person:track:24-54 --intrusion truck:track:72-87

for m in "${MODELS[@]}"; do
  echo "== $m"
  $S eval --gt "$WORK" --split train --model "$m" --rules railway --alert-tolerance 5 --jpeg-quality 90 \
    | grep -E '^\| (Score Average|person|car|truck|train) |^alert |^rule |^[a-z]+-[a-z-]+ +[0-9]'
done
