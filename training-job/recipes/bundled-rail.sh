#!/usr/bin/env bash
# Reproduces the bundled model (core/src/main/resources/io/segstream/core/model/bootstrap, rail-fastscnn:2): a
# Fast-SCNN trained by `segstream train` on generated railway scenes in four stages (256x128 crops at the scale of a
# 512x256 frame; 512x256 crops at 1.5-2.5x from stage 1's weights; 256x128 crops at 1.5-2.5x of a 256x128 frame in
# batches of 8 from stage 2's; the same crops on 800 further scenes from stage 3's), exported at 512x256 (the bundled
# model's input) with the parity proof, then scored on 30 fresh 1024x512 scenes beside the model bundled now
# (training-job/README.md, "The bundled model"). Stage 3's best checkpoint is rail-fastscnn:1, bundled before.
# On 2 cores: stage 1 about 70 min, stage 2 about 60 min, stage 3 about 40 min, stage 4 about 45 min (measured on a
# machine shared with builds).
# Usage: training-job/recipes/bundled-rail.sh [WORK_DIR] [EPOCHS_STAGE1] [EPOCHS_STAGE2] [EPOCHS_STAGE3] [EPOCHS_STAGE4]
#        (from the repository root)
set -euo pipefail
WORK="${1:-/tmp/bundled-rail}"
EPOCHS="${2:-11}"
EPOCHS2="${3:-9}"
EPOCHS3="${4:-30}"
EPOCHS4="${5:-20}"
S=./segstream

# 400 training scenes and 20 validation scenes at 1024x512, the size of the frames the model is scored on
[ -d "$WORK/data/gtFine/train" ] || $S scenes --out "$WORK/data" --count 400 --size 1024x512 --kind rail --seed 901 --split train
[ -d "$WORK/data/gtFine/val" ] || $S scenes --out "$WORK/data" --count 20 --size 1024x512 --kind rail --seed 900 --split val

# stage 1: 256x128 crops at the scale of a 512x256 frame (--scale-range around 2: the frame is first resized to
# 256x128); class weights lift the small classes (person, car, truck)
$S train -m fastscnn --label-set rail-20 -p "$WORK/data" -t 256x128 --scale-range 1.75,2.25 -b 4 -e "$EPOCHS" \
  --schedule polynomial -l 1e-3 --min-lr 1e-5 --class-weights auto --val-images 20 --seed 7 \
  --runs-dir "$WORK/runs1"
best() { ls "$1"/checkpoints/*.zip | sed 's/.*_miou-\([0-9.]*\)_.*/\1 &/' | sort -rn | head -1 | cut -d' ' -f2; }
STAGE1="$(best "$(ls -d "$WORK"/runs1/*fastscnn* | tail -1)")"

# stage 2: from stage 1's weights, 512x256 crops at full resolution (the frame resized to 512x256, then scaled by
# 1.5-2.5): more context per crop and the pixels the model is scored on
$S train -m fastscnn --label-set rail-20 -p "$WORK/data" -t 512x256 --scale-range 1.5,2.5 -b 2 -e "$EPOCHS2" \
  --schedule polynomial -l 5e-4 --min-lr 1e-5 --class-weights auto --val-images 20 --seed 11 --init "$STAGE1" \
  --runs-dir "$WORK/runs2"

STAGE2="$(best "$(ls -d "$WORK"/runs2/*fastscnn* | tail -1)")"

# stage 3: from stage 2's weights, 256x128 crops of the frame at 1.5-2.5x of 256x128 (around the 512x256 scale the
# model runs at), batches of 8: four times the steps of stage 2 per hour
$S train -m fastscnn --label-set rail-20 -p "$WORK/data" -t 256x128 --scale-range 1.5,2.5 -b 8 -e "$EPOCHS3" \
  --schedule polynomial -l 5e-4 --min-lr 1e-5 --class-weights auto --val-images 20 --seed 13 --init "$STAGE2" \
  --runs-dir "$WORK/runs3"

# checkpoints are named epoch-E_miou-M_loss-L.zip: the best validation mIoU (rail-fastscnn:1 was this one)
STAGE3="$(best "$(ls -d "$WORK"/runs3/*fastscnn* | tail -1)")"

# stage 4: from stage 3's weights, the same crops on 800 further scenes (seed 905), lr 3e-4, validated at 512x256,
# the size the model runs at
[ -d "$WORK/data4/gtFine/train" ] || $S scenes --out "$WORK/data4" --count 800 --size 1024x512 --kind rail --seed 905 --split train
[ -d "$WORK/data4/gtFine/val" ] || cp -r "$WORK/data/gtFine/val" "$WORK/data4/gtFine/val"
[ -d "$WORK/data4/leftImg8bit/val" ] || cp -r "$WORK/data/leftImg8bit/val" "$WORK/data4/leftImg8bit/val"
$S train -m fastscnn --label-set rail-20 -p "$WORK/data4" -t 256x128 --scale-range 1.5,2.5 -b 8 -e "$EPOCHS4" \
  --schedule polynomial -l 3e-4 --min-lr 1e-5 --class-weights auto --val-images 20 --val-size 512x256 --seed 17 \
  --init "$STAGE3" --runs-dir "$WORK/runs4"

BEST="$(best "$(ls -d "$WORK"/runs4/*fastscnn* | tail -1)")"
$S export -w "$BEST" -t 512x256 --name rail-fastscnn --model-version 2 --out "$WORK/model"

# the accurate variant (training-job/README.md, "More accuracy per frame"): the same weights exported at 1024x512
# beside 512x256, their class scores averaged in one graph, then one score offset per class fitted for mIoU on 100
# further scenes at 1024x512 (seed 902: neither trained, selected nor scored on)
$S export -w "$BEST" -t 1024x512 --name rail-fastscnn --model-version 2 --out "$WORK/model-1024x512"
$S tta -m "$WORK/model" -m "$WORK/model-1024x512" --out "$WORK/model-tta"
[ -d "$WORK/cal/gtFine/val" ] || $S scenes --out "$WORK/cal" --count 100 --size 1024x512 --kind rail --seed 902 --split val
$S calibrate -m "$WORK/model-tta" --data "$WORK/cal" --out "$WORK/model-tta-cal"

# fresh scenes neither model saw, at the size cameras deliver
[ -d "$WORK/fresh/gtFine/val" ] || $S scenes --out "$WORK/fresh" --count 30 --size 1024x512 --kind rail --seed 4242 --split val
$S eval --gt "$WORK/fresh" --split val --model "$WORK/model"
$S eval --gt "$WORK/fresh" --split val --model "$WORK/model-tta"
$S eval --gt "$WORK/fresh" --split val --model "$WORK/model-tta-cal"
$S eval --gt "$WORK/fresh" --split val --model bundled
