#!/usr/bin/env bash
# Regenerates every audio clip of the scripted conversations from the YAML files.
#
#   bash scripts/make-audio.sh        (run from the repo root)
#
# Needs: espeak-ng, sox (apt-get install -y espeak-ng sox), node with the
# `yaml` package in node_modules.
#
# Reads fixtures/conversations/*.yaml (one conversation each, plus prompts.yaml)
# and writes 8 kHz mono G.711 mu-law WAV files under
# fixtures/conversations/audio/<path>, where <path> is the `audio` field of each
# line (relative to that folder). Agent and callee get different voices.
set -euo pipefail

CONV_DIR=fixtures/conversations
AUDIO_DIR=$CONV_DIR/audio

if [[ ! -d $CONV_DIR ]]; then
  echo "make-audio: run from the repo root ($CONV_DIR not found)" >&2
  exit 1
fi
for tool in espeak-ng sox node; do
  command -v "$tool" >/dev/null || { echo "make-audio: $tool is required" >&2; exit 1; }
done

# voice and speed (words per minute) per language and speaker
declare -A VOICE=(
  [en:agent]=en-us+f3  [en:callee]=en-gb+m3
  [tr:agent]=tr+f3     [tr:callee]=tr+m3
)
declare -A SPEED=(
  [en:agent]=170 [en:callee]=160
  [tr:agent]=170 [tr:callee]=160
)
MIN_SECONDS=0.6   # very short clips ("Alo?") are padded with trailing silence up to this

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# One record per clip: language, speaker, text, audio path — NUL separated.
node -e '
const fs = require("fs");
const path = require("path");
const YAML = require("yaml");
const dir = process.argv[1];
const out = [];
const seen = new Set();
const fail = (msg) => { console.error("make-audio: " + msg); process.exit(1); };
const add = (file, lang, speaker, text, audio) => {
  if (!["en", "tr"].includes(lang)) fail(`${file}: unsupported language ${lang}`);
  if (!["agent", "callee"].includes(speaker)) fail(`${file}: bad speaker ${speaker}`);
  if (typeof text !== "string" || !text.trim()) fail(`${file}: empty text`);
  if (typeof audio !== "string" || !audio.endsWith(".wav") || audio.startsWith("/") || audio.includes(".."))
    fail(`${file}: bad audio path ${audio}`);
  if (seen.has(audio)) fail(`${file}: duplicate audio path ${audio}`);
  seen.add(audio);
  out.push(lang, speaker, text, audio);
};
for (const name of fs.readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort()) {
  const doc = YAML.parse(fs.readFileSync(path.join(dir, name), "utf8"));
  if (name === "prompts.yaml") {
    for (const [lang, prompts] of Object.entries(doc))
      for (const p of Object.values(prompts)) add(name, lang, "callee", p.text, p.audio);
    continue;
  }
  if (doc.id + ".yaml" !== name) fail(`${name}: id ${doc.id} does not match file name`);
  if (!Array.isArray(doc.lines) || doc.lines.length === 0) fail(`${name}: no lines`);
  for (const l of doc.lines) add(name, doc.language, l.speaker, l.text, l.audio);
}
process.stdout.write(out.map((s) => s + "\0").join(""));
' "$CONV_DIR" > "$TMP/clips"

# Start from a clean audio folder so removed lines leave no stale clips.
rm -rf "$AUDIO_DIR"
mkdir -p "$AUDIO_DIR"

count=0
while IFS= read -r -d '' lang && IFS= read -r -d '' speaker \
   && IFS= read -r -d '' text && IFS= read -r -d '' audio; do
  voice=${VOICE[$lang:$speaker]}
  speed=${SPEED[$lang:$speaker]}
  out=$AUDIO_DIR/$audio
  mkdir -p "$(dirname "$out")"
  espeak-ng -v "$voice" -s "$speed" -w "$TMP/tmp.wav" "$text"
  # trim leading/trailing silence, add 50 ms of air each side, convert to 8 kHz mono mu-law
  sox -V1 "$TMP/tmp.wav" -r 8000 -c 1 -e mu-law -b 8 "$TMP/trim.wav" \
    silence 1 0.05 0.5% reverse silence 1 0.05 0.5% reverse pad 0.05 0.05
  dur=$(soxi -D "$TMP/trim.wav")
  if awk -v d="$dur" -v m="$MIN_SECONDS" 'BEGIN { exit !(d < m) }'; then
    extra=$(awk -v d="$dur" -v m="$MIN_SECONDS" 'BEGIN { printf "%.3f", m - d }')
    sox -V1 "$TMP/trim.wav" "$out" pad 0 "$extra"
  else
    mv "$TMP/trim.wav" "$out"
  fi
  count=$((count + 1))
  printf '%-32s %-10s %5.2fs  %s\n' "$audio" "$voice" "$(soxi -D "$out")" "$text"
done < "$TMP/clips"

echo "make-audio: wrote $count clips to $AUDIO_DIR ($(du -sh "$AUDIO_DIR" | cut -f1))"
