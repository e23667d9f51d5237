#!/usr/bin/env bash
# A fourth stage for the bundled model, from its released weights (--init bundled): 20 epochs of 256x128 crops at
# 1.5-2.5x of a 256x128 frame (stage 3's scale) on 800 further generated rail scenes, batch 8, lr 3e-4 polynomial to
# 1e-5, validated at 512x256 (the size the model runs at); the best epoch exported at 512x256 and scored on the 30
# fresh 1024x512 scenes of the bundled recipe beside the bundled model (training-job/README.md, "A fourth stage from
# the bundled weights"). About 45 minutes on 2 cores (7 images/s), plus 3 for the scenes.
# Usage: training-job/recipes/bundled-rail-stage4.sh [WORK_DIR] [EPOCHS]   (from the repository root)
set -euo pipefail
WORK="${1:-/tmp/bundled-rail-stage4}"
EPOCHS="${2:-20}"
S=./segstream

[ -d "$WORK/data/gtFine/train" ] || $S scenes --out "$WORK/data" --count 800 --size 1024x512 --kind rail --seed 905 --split train
[ -d "$WORK/data/gtFine/val" ] || $S scenes --out "$WORK/data" --count 20 --size 1024x512 --kind rail --seed 900 --split val

$S train -m fastscnn --label-set rail-20 --init bundled -p "$WORK/data" -t 256x128 --scale-range 1.5,2.5 -b 8 \
  -e "$EPOCHS" --schedule polynomial -l 3e-4 --min-lr 1e-5 --class-weights auto --val-images 20 --val-size 512x256 \
  --seed 17 --runs-dir "$WORK/runs"

best() { ls "$1"/checkpoints/*.zip | sed 's/.*_miou-\([0-9.]*\)_.*/\1 &/' | sort -rn | head -1 | cut -d' ' -f2; }
BEST="$(best "$(ls -d "$WORK"/runs/*fastscnn* | tail -1)")"
$S export -w "$BEST" -t 512x256 --name rail-fastscnn --model-version 2 --out "$WORK/model"

[ -d "$WORK/fresh/gtFine/val" ] || $S scenes --out "$WORK/fresh" --count 30 --size 1024x512 --kind rail --seed 4242 --split val
$S eval --gt "$WORK/fresh" --split val --model "$WORK/model"
$S eval --gt "$WORK/fresh" --split val --model bundled

# alerts on rendered drives, the demo's and three more (training-job/README.md: alert agreement hinges on thresholds)
for seed in 7 8 9 10; do
  [ -d "$WORK/drives/d$seed" ] || $S scenes --out "$WORK/drives/d$seed" --sequence --frames 120 --size 640x320 \
    --kind rail --seed "$seed" --speed 5 --intrusion person:track:24-54 --intrusion truck:track:72-87
  for m in "$WORK/model" bundled; do
    $S eval --gt "$WORK/drives/d$seed" --split train --model "$m" --rules railway --alert-tolerance 5
  done
done
$S demo --duration 60 --model "$WORK/model"
