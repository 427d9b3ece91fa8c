#!/usr/bin/env bash
# Starts a local cluster on loopback: N silos (default 2) and one Api client, all joined through PostgreSQL.
# Usage: ConnectionStrings__Channel='Host=127.0.0.1;Port=5432;Database=channel;Username=postgres' \
#        Auth__SigningKey='<at least 32 characters>' deploy/local/cluster.sh [silos]
# Stop with Ctrl-C: every process this script started is stopped with it.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${ConnectionStrings__Channel:?set ConnectionStrings__Channel to a PostgreSQL connection string}"
: "${Auth__SigningKey:?set Auth__SigningKey (32+ characters) so the Api can validate tokens}"
silos=${1:-2}
# Two malloc arenas, as the container images set (see deploy/Dockerfile).
export MALLOC_ARENA_MAX=2

dotnet build -c Release -v q ChannelGrains.sln
dotnet src/Silo/bin/Release/net10.0/ChannelGrains.Silo.dll migrate

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT INT TERM
for i in $(seq 0 $((silos - 1))); do
  Orleans__SiloPort=$((11111 + i)) Orleans__GatewayPort=$((30000 + i)) \
    dotnet src/Silo/bin/Release/net10.0/ChannelGrains.Silo.dll --urls "http://127.0.0.1:$((8081 + i))" &
  pids+=($!)
done
Orleans__Mode=Client dotnet src/Api/bin/Release/net10.0/ChannelGrains.Api.dll --urls "http://127.0.0.1:5080" &
pids+=($!)
echo "Api at http://127.0.0.1:5080/graphql, silo dashboards at http://127.0.0.1:8081/orleans ..."
wait
