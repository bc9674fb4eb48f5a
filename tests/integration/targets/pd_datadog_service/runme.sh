#!/usr/bin/env bash
# Runs the playbook at -vvv and proves that no secret reached its output: the PagerDuty
# integration key (written by the playbook to a file, with no_log), the Datadog keys and the token.
set -eu -o pipefail

config=../../integration_config.yml
log="${OUTPUT_DIR}/pd_datadog_service-vvv.log"
key_file="${OUTPUT_DIR}/integration_key"

ANSIBLE_ROLES_PATH=.. ansible-playbook -i ../../inventory playbook.yml -e "@${config}" -e "key_file=${key_file}" -vvv "$@" \
    | tee "${log}"

setting() {
    python -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "${config}" "$1"
}

leaked=0
check() {
    local label="$1" secret="$2"
    if [ "${#secret}" -lt 8 ]; then
        echo "the ${label} to look for is missing or too short" >&2
        exit 1
    fi
    if grep -qF -- "${secret}" "${log}"; then
        echo "The ${label} appeared in the -vvv output, on lines: $(grep -nF -- "${secret}" "${log}" | cut -d: -f1 | tr '\n' ' ')" >&2
        leaked=1
    fi
}
check "PagerDuty integration key" "$(cat "${key_file}")"
check "Datadog API key" "$(setting dd_api_key)"
check "Datadog application key" "$(setting dd_app_key)"
check "PagerDuty API token" "$(setting pd_api_token)"
[ "${leaked}" = 0 ]
echo "No secret in the -vvv output of $(wc -l < "${log}") lines."
