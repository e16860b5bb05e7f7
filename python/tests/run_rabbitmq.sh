#!/usr/bin/env bash
# python/tests/run_rabbitmq.sh PYTHON BUILD_PYTHON_DIR TESTS_DIR: the
# Python client's RabbitMQ tests (test_client_rabbitmq.py) against a
# private RabbitMQ that tests/interop/rabbitmq/rabbitmq.sh starts on
# 127.0.0.1 and stops by PID whatever happens (CTest python_client_rabbitmq).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../tests/interop/rabbitmq/rabbitmq.sh"
py=$1
rmq_start
FAMQP_RABBITMQ_URL=$rmq_url PYTHONPATH=$2 PYTHONDONTWRITEBYTECODE=1 timeout 300 \
    "$py" -m pytest -q -p no:cacheprovider "$3/test_client_rabbitmq.py"
