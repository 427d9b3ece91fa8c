#!/usr/bin/env bash
# placeOrder benchmark in memory and durable, in one run. Starts a throwaway PostgreSQL 15 (as the postgres user,
# in a temporary directory, on a free loopback port) for the durable run and removes it afterwards.
# Usage: bench/run-orders.sh [seconds] [concurrency]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
concurrency=${2:-64}
bin=/usr/lib/postgresql/15/bin
dotnet build -c Release -v q bench/ChannelGrains.Bench >/dev/null
run() { dotnet bench/ChannelGrains.Bench/bin/Release/net10.0/ChannelGrains.Bench.dll orders --seconds "$seconds" --concurrency "$concurrency"; }

run

data=$(mktemp -d); chown postgres "$data"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
runuser -u postgres -- "$bin/initdb" -D "$data/db" --auth=trust --no-sync -U postgres >/dev/null
runuser -u postgres -- "$bin/pg_ctl" -D "$data/db" -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c max_connections=200" -l "$data/log" -w start >/dev/null
trap 'runuser -u postgres -- "$bin/pg_ctl" -D "$data/db" -m fast stop >/dev/null; rm -rf "$data"' EXIT
ConnectionStrings__Channel="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Maximum Pool Size=100" run
