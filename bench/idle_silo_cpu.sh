#!/usr/bin/env bash
# What N idle silo processes cost on this machine: start N silos (Redis clustering, the same flags
# `bnll bench cluster` gives them, no study running), wait until every one's gateway accepts
# connections, then read their CPU seconds (user + system, from /proc) over a window of W seconds.
# Prints one JSON line. Used to show where the time goes when 2 cores host 16 silo processes.
#
#   dotnet build silo -c Release
#   bash bench/idle_silo_cpu.sh 16 60
set -euo pipefail
N=${1:-16}; W=${2:-60}
DLL=${SILO_DLL:-silo/BeyondNll.Silo/bin/Release/net10.0/BeyondNll.Silo.dll}
[ -f "$DLL" ] || { echo "error: $DLL is missing; run 'dotnet build silo -c Release' first" >&2; exit 2; }
DIR=$(mktemp -d); PIDS=()
cleanup() { kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
RP=$(free_port)
redis-server --port "$RP" --bind 127.0.0.1 --dir "$DIR" --save "" --appendonly yes --appendfsync everysec >"$DIR/redis.log" 2>&1 &
PIDS+=($!); sleep 1
GATEWAYS=()
for i in $(seq 1 "$N"); do
  G=$(free_port); GATEWAYS+=("$G")
  dotnet "$DLL" --devices simulated:2 --dashboard-port 0 --clustering redis --connection "127.0.0.1:$RP" \
    --data-dir "$DIR" --silo-port "$(free_port)" --gateway-port "$G" >"$DIR/silo$i.log" 2>&1 &
  PIDS+=($!)
done
for G in "${GATEWAYS[@]}"; do   # a silo is up once its gateway accepts connections
  until (exec 3<>"/dev/tcp/127.0.0.1/$G") 2>/dev/null; do sleep 1; done
done
sleep 10   # let the membership settle: every silo has seen every other
ticks() { local t=0; for p in "${PIDS[@]:1}"; do read -r -a f < "/proc/$p/stat"; t=$((t + f[13] + f[14])); done; echo $t; }
HZ=$(getconf CLK_TCK); T0=$(ticks); S0=$(date +%s.%N); sleep "$W"; T1=$(ticks); S1=$(date +%s.%N)
python3 -c "
cpu=($T1-$T0)/$HZ; wall=$S1-$S0; cores=$(nproc)
print('{\"silos\": %d, \"window_s\": %.1f, \"cpu_s\": %.2f, \"cores_busy\": %.3f, \"share_of_machine\": %.3f, \"cpu_s_per_silo_per_s\": %.4f, \"load\": \"%s\"}' % ($N, wall, cpu, cpu/wall, cpu/wall/cores, cpu/wall/$N, open('/proc/loadavg').read().strip()))"
