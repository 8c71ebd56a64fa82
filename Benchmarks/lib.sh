# Shared by the benchmark scripts; sourced, not run. Each script defines `usage` before calling.

# The defaults of the options every benchmark takes; each script sets scratch_path's.
work_dir=""
keep=0

# parse_options OWN_OPTIONS "$@": reads the options every benchmark takes — --dir DIR,
# --scratch-path DIR, --keep, -h/--help — into work_dir, scratch_path and keep. OWN_OPTIONS lists the script's own, separated by spaces: `--name:variable`
# for an option that takes a value, `--name:variable=value` for one that sets a fixed value.
# Any other argument prints the usage and exits 2.
parse_options() {
    local own="$1" entry variable
    shift
    while [ $# -gt 0 ]; do
        case "$1" in
            --dir) work_dir="$2"; shift ;;
            --scratch-path) scratch_path="$2"; shift ;;
            --keep) keep=1 ;;
            -h|--help) usage; exit 0 ;;
            *)
                variable=""
                for entry in $own; do
                    if [ "${entry%%:*}" = "$1" ]; then variable="${entry#*:}"; fi
                done
                case "$variable" in
                    "") usage >&2; exit 2 ;;
                    *=*) printf -v "${variable%%=*}" '%s' "${variable#*=}" ;;
                    *) printf -v "$variable" '%s' "$2"; shift ;;
                esac
                ;;
        esac
        shift
    done
}

# require_tools HINT TOOL...: exits 1 naming the first TOOL that is not on PATH, with HINT on
# where to get it.
require_tools() {
    local hint="$1" tool
    shift
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "missing: $tool ($hint)" >&2; exit 1; }
    done
}
