#!/usr/bin/env bash
# Trains the candidate for the bundled model: a Fast-SCNN trained by `segstream train` on generated railway scenes,
# exported at 512x256 (the bundled model's input) with the parity proof, then scored on 30 fresh 1024x512 scenes
# beside the bundled baseline. It replaces core's bundled model only when it scores better (see training-job/README.md,
# "A trained bundled model": at 11 epochs on a loaded 2-core machine it did not yet).
# Usage: training-job/recipes/bundled-rail.sh [WORK_DIR] [EPOCHS]     (from the repository root)
set -euo pipefail
WORK="${1:-/tmp/bundled-rail}"
EPOCHS="${2:-16}"
S=./segstream

# 400 training scenes and 20 validation scenes at 1024x512, the size of the frames the model is scored on
[ -d "$WORK/data/gtFine/train" ] || $S scenes --out "$WORK/data" --count 400 --size 1024x512 --kind rail --seed 901 --split train
[ -d "$WORK/data/gtFine/val" ] || $S scenes --out "$WORK/data" --count 20 --size 1024x512 --kind rail --seed 900 --split val

# 256x128 crops at the scale of a 512x256 frame (--scale-range around 2: the frame is first resized to 256x128),
# so the network learns at the resolution it serves at; class weights lift the small classes (person, car, truck)
$S train -m fastscnn --label-set rail-20 -p "$WORK/data" -t 256x128 --scale-range 1.75,2.25 -b 4 -e "$EPOCHS" \
  --schedule polynomial -l 1e-3 --min-lr 1e-5 --class-weights auto --val-images 20 --seed 7 \
  --runs-dir "$WORK/runs"

RUN="$(ls -d "$WORK"/runs/*fastscnn* | tail -1)"
# checkpoints are named epoch-E_miou-M_loss-L.zip: the best validation mIoU
BEST="$(ls "$RUN"/checkpoints/*.zip | sed 's/.*_miou-\([0-9.]*\)_.*/\1 &/' | sort -rn | head -1 | cut -d' ' -f2)"
$S export -w "$BEST" -t 512x256 --name rail-fastscnn --out "$WORK/model"

# fresh scenes neither model saw, at the size cameras deliver
[ -d "$WORK/fresh/gtFine/val" ] || $S scenes --out "$WORK/fresh" --count 30 --size 1024x512 --kind rail --seed 4242 --split val
$S eval --gt "$WORK/fresh" --split val --model "$WORK/model"
$S eval --gt "$WORK/fresh" --split val --model bundled
