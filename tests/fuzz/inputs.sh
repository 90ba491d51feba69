# SPDX-License-Identifier: GPL-2.0-only
# tests/fuzz/inputs.sh: sourced by run-smoke.sh and coverage.sh.
#
# A fuzz target's inputs come from two places:
#   - generated ones, written into $GEN_INPUTS (BUILD/fuzz/inputs/) afresh
#     by fuzz_inputs_generate before every run, from the command spec
#     (make-dict.py, make-seeds.py) and from fuzz_gtt.c's operations
#     (make-gtt-seeds.py): never committed, so never stale;
#   - hand-written ones, committed under tests/fuzz/ ($FUZZ): seeds in
#     seeds/NAME/[VARIANT/], dictionaries NAME[-VARIANT].dict.
# A target's seeds are those of both places; its dictionary the generated
# one when there is one, else the committed one.  A dictionary or a
# target's seed directory in both places is an error: the committed copy
# would be a generated one going stale.
#
# Needs FUZZ (tests/fuzz) and GEN_INPUTS set.

# fuzz_inputs_generate: rewrite $GEN_INPUTS; non-zero when a writer fails.
fuzz_inputs_generate() {
    local w d
    rm -rf "$GEN_INPUTS"
    mkdir -p "$GEN_INPUTS" || return 1
    for w in make-dict.py make-seeds.py make-gtt-seeds.py; do
        python3 "$FUZZ/$w" "$GEN_INPUTS" >/dev/null || {
            echo "fuzz: $w failed" >&2
            return 1
        }
    done
    for d in "$GEN_INPUTS"/*.dict "$GEN_INPUTS"/seeds/*; do
        [ -e "$d" ] || continue
        if [ -e "$FUZZ/${d#"$GEN_INPUTS"/}" ]; then
            echo "fuzz: ${d#"$GEN_INPUTS"/} is both generated and" \
                 "committed (tests/fuzz/)" >&2
            return 1
        fi
    done
}

# fuzz_variants NAME: the variant directories of the target, one a line
# (none: the target has no variants).
fuzz_variants() {
    local d
    for d in "$GEN_INPUTS/seeds/$1"/*/ "$FUZZ/seeds/$1"/*/; do
        [ -d "$d" ] && basename "$d"
    done | sort -u
}

# fuzz_seed_dirs NAME VARIANT: the seed directories of a run (VARIANT -
# for none), one a line.
fuzz_seed_dirs() {
    local sub=$1 root
    [ "$2" = - ] || sub=$1/$2
    for root in "$GEN_INPUTS/seeds" "$FUZZ/seeds"; do
        [ -d "$root/$sub" ] && echo "$root/$sub"
    done
}

# fuzz_dict NAME VARIANT: the dictionary of a run, or nothing.
fuzz_dict() {
    local base root
    for base in "$1-$2" "$1"; do
        for root in "$GEN_INPUTS" "$FUZZ"; do
            if [ -f "$root/$base.dict" ]; then
                echo "$root/$base.dict"
                return
            fi
        done
    done
}
