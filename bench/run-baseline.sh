#!/usr/bin/env bash
# The SQL baseline and the 1 M-grain scale benchmark in one command.
# `sql` starts its own throwaway PostgreSQL 15 (as the postgres user, temporary directory, free loopback port; removed
# afterwards) unless ConnectionStrings__Channel is set. `scale` runs twice, in separate processes so that each measures
# its own memory: with memory storage (the embedded mode) and with state writes dropped (the activations alone).
# Usage: bench/run-baseline.sh [--quick] [more options for both benchmarks]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release -v q bench/ChannelGrains.Bench >/dev/null
bench() { dotnet bench/ChannelGrains.Bench/bin/Release/net10.0/ChannelGrains.Bench.dll "$@"; }

bench sql "$@"
bench scale --storage memory "$@"
bench scale --storage none "$@"
