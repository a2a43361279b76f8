#!/usr/bin/env bash
# `neuronative slurm` against a real Slurm: starts a single-node cluster on this machine (Debian's slurm-wlm and
# munge, `./build.sh deps`) in a temporary directory — munged, slurmctld and slurmd in the foreground, as root,
# with their own key, configuration, ports, state and logs — and
#   1. submits tests/slurm/sweep.yaml as 4 shards and checks that the merged files equal those of a run in one
#      process, byte for byte (every file but run.json, whose timings differ; of run.json the result fields);
#   2. submits a longer sweep as 2 shards and, once each has finished a chunk, requeues one (`scontrol requeue`) and
#      kills the other's process (SIGKILL): the requeued task must resume from its chunks, the merge job be cancelled
#      (its dependency failed), and the same command submitted again end with the files of one run;
#   3. submits an inference file as 2 shards of round-1 simulations and a training job: its samples.npy equals one
#      process's, byte for byte.
# The daemons are stopped by PID on every exit, and nothing is left outside the temporary directory, which is
# deleted. Part of `./build.sh test`; runs after the Release build, whose CLI the jobs call.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cli="$root/managed/NeuroNative.Cli/bin/Release/net10.0/NeuroNative.Cli.dll"
experiment="$root/tests/slurm/sweep.yaml"
dotnet=$(command -v dotnet)

if [ "$(id -u)" -ne 0 ]; then
  echo "slurm_e2e: skipped: slurmd must run as root to start jobs" >&2
  exit 0
fi
for tool in munged slurmctld slurmd sbatch; do
  command -v "$tool" >/dev/null || { echo "slurm_e2e: $tool is missing (./build.sh deps installs slurm-wlm and munge)" >&2; exit 1; }
done
[ -f "$cli" ] || { echo "slurm_e2e: $cli is missing: build first (dotnet build NeuroNative.sln -c Release)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/nn-slurm-e2e.XXXXXX)
chmod 0755 "$tmp" # munged refuses a socket in a directory that others cannot search
mkdir -p "$tmp"/{munge,state,spool,log,tmp}
# TMPDIR too: a .NET process killed with SIGKILL leaves its diagnostic socket and pipes in the temporary folder.
export SLURM_CONF="$tmp/slurm.conf" NEURONATIVE_CACHE="$tmp/kernels" TMPDIR="$tmp/tmp"
started=$SECONDS
munged_pid="" ctld_pid="" slurmd_pid=""

nn() { "$dotnet" "$cli" "$@"; }

# The processes other than this script that hold a file under $tmp open (job steps, their tasks, the daemons).
holders() {
  local p pid
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [ "$pid" = $$ ] || [ "$pid" = "$BASHPID" ] && continue
    if find "$p/fd" -lname "$tmp/*" 2>/dev/null | grep -q .; then echo "$pid"; fi
  done
}

stop() { # PID...: SIGTERM, then SIGKILL after 10 s
  local pid i
  for pid in "$@"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    [ -n "$pid" ] || continue
    for i in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}

cleanup() {
  local status=$? i left
  set +e
  cd /
  if [ -n "$ctld_pid" ] && kill -0 "$ctld_pid" 2>/dev/null; then
    scancel --user=root 2>/dev/null
    for i in $(seq 30); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.5; done
  fi
  stop "$slurmd_pid" "$ctld_pid"
  stop "$munged_pid"
  # Job steps (slurmstepd) detach from slurmd; one still there after the daemons stopped is a fault of this test.
  left=$(holders)
  if [ -n "$left" ]; then
    echo "slurm_e2e: processes left behind, killed:" >&2
    ps -o pid,args -p "$(echo $left | tr ' ' ,)" >&2
    kill -9 $left 2>/dev/null
    status=1
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  echo "slurm_e2e: FAILED: $*" >&2
  local f
  for f in "$tmp"/log/* "$tmp"/*/slurm/*.log; do
    [ -f "$f" ] && { echo "---- $f (last lines)" >&2; tail -n 25 "$f" >&2; }
  done
  exit 1
}

# wait_for SECONDS WHAT COMMAND...: until the command succeeds, failing early when a daemon has died.
wait_for() {
  local deadline=$((SECONDS + $1)) what=$2 pid
  shift 2
  until "$@"; do
    for pid in $munged_pid $ctld_pid $slurmd_pid; do kill -0 "$pid" 2>/dev/null || fail "a daemon (PID $pid) died while waiting for $what"; done
    ((SECONDS < deadline)) || fail "timed out waiting for $what"
    sleep 0.5
  done
}

# munge: its own key, socket, PID and seed files.
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 0400 "$tmp/munge/munge.key"
munged --foreground --socket="$tmp/munge/socket" --key-file="$tmp/munge/munge.key" --pid-file="$tmp/munge/munged.pid" \
  --seed-file="$tmp/munge/munged.seed" >"$tmp/log/munged.log" 2>&1 &
munged_pid=$!
wait_for 10 munged test -S "$tmp/munge/socket"

# Free ports, so that this cluster meets no other on the machine.
read -r ctld_port slurmd_port < <(/usr/bin/python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')
node=$(hostname -s)
: >"$tmp/plugstack.conf" # no SPANK plugins from /etc/slurm
cat >"$SLURM_CONF" <<EOF
ClusterName=nnci
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge/socket,cred_expire=10
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
PlugStackConfig=$tmp/plugstack.conf
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
MpiDefault=none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
KillWait=5
MinJobAge=300
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=ci Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -D -f "$SLURM_CONF" >"$tmp/log/slurmctld.out" 2>&1 &
ctld_pid=$!
slurmd -D -f "$SLURM_CONF" >"$tmp/log/slurmd.out" 2>&1 &
slurmd_pid=$!
node_idle() { [ "$(sinfo -h -n "$node" -o %t 2>/dev/null)" = idle ]; }
wait_for 30 "node $node to be idle" node_idle
echo "slurm_e2e: cluster up after $((SECONDS - started)) s (node $node, $(nproc) CPUs, ports $ctld_port/$slurmd_port)"

# submit DIR ARGS...: neuronative slurm; sets array_job and merge_job.
submit() {
  local dir=$1 out
  shift
  out=$(cd "$tmp" && nn slurm "$@" --out "$dir" --cpus 1 --time 00:10:00) || fail "neuronative slurm failed: $out"
  array_job=$(sed -n 's/^submitted: array job \([0-9]*\), merge job \([0-9]*\).*/\1/p' <<<"$out")
  merge_job=$(sed -n 's/^submitted: array job \([0-9]*\), merge job \([0-9]*\).*/\2/p' <<<"$out")
  [ -n "$array_job" ] && [ -n "$merge_job" ] || fail "no job ids in: $out"
}

# The states of a job (every task of an array); finished jobs stay listed for MinJobAge (there is no slurmdbd).
states() { squeue -h -t all -j "$1" -o %T 2>/dev/null; }
ended() { # JOB: every state final
  local s
  s=$(states "$1")
  [ -n "$s" ] && ! grep -qvxE 'COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED' <<<"$s"
}
wait_merged() { # SECONDS: the merge job must complete
  wait_for "$1" "merge job $merge_job" ended "$merge_job"
  [ "$(states "$merge_job")" = COMPLETED ] || fail "merge job $merge_job ended $(states "$merge_job")"
}

# same_result EXPECTED ACTUAL: the same files (but run.json) byte for byte, and the same result fields in run.json.
same_result() {
  local f files
  files=$(find "$1" -maxdepth 1 -type f ! -name run.json -printf '%f\n' | sort)
  for f in spike_counts.npy spikes_index.npy spikes_time.npy state_v.npy final_v.npy conditions.csv; do
    grep -qx "$f" <<<"$files" || fail "$1 has no $f"
  done
  [ "$files" = "$(find "$2" -maxdepth 1 -type f ! -name run.json -printf '%f\n' | sort)" ] || fail "$1 and $2 hold other files"
  for f in $files; do cmp "$1/$f" "$2/$f" || fail "$2/$f differs from the run in one process"; done
  /usr/bin/python3 - "$1/run.json" "$2/run.json" <<'EOF' || fail "run.json results differ"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
keys = ["outcome", "n", "steps", "dt", "duration", "spikes_total", "seed", "files"]
diff = [k for k in keys if a.get(k) != b.get(k)]
sys.exit(f"run.json differs in {diff}" if diff else 0)
EOF
}
resumed() {
  [ -f "$1/run.json" ] || fail "$1 has no run.json (its task did not finish; states: $(squeue -h -t all -o '%i %T %r' 2>/dev/null | tr '\n' ';'))"
  /usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["resumed"]["chunks"])' "$1/run.json"
}

# 1. Four shards, merged: the files of one run.
nn run "$experiment" --out "$tmp/one" >/dev/null
submit "$tmp/a" "$experiment" --shards 4 --chunk-size 200
wait_merged 120
same_result "$tmp/one" "$tmp/a/merged"
echo "slurm_e2e: 4 shards merged = one run, byte for byte ($((SECONDS - started)) s)"

# 2. Two shards of a longer sweep, each interrupted once it has finished a chunk (of 10): task 1 is requeued
# (`scontrol requeue`: SIGTERM, then it runs again as the same job) and resumes; task 0's process is killed (SIGKILL),
# so the task fails and the merge job, whose dependency can no longer be met, is cancelled; the same
# `neuronative slurm` command submitted again finishes the run.
long="$tmp/long.yaml"
# Long enough (about 12 s a shard on one core, compiled) that both tasks are still running when each has a chunk
# done, however their start-up and the kernel compile fall.
sed 's/^duration: .*/duration: 15*second/' "$experiment" >"$long"
nn run "$long" --out "$tmp/long_one" >/dev/null
submit "$tmp/b" "$long" --shards 2 --chunk-size 100
requeued="${array_job}_1" killed="${array_job}_0"
declare -a done_before
chunks_done() { # SHARD...: true once each shard's catalog has a chunk done (done_before[K]: how many), none all
  local k line
  for k in "$@"; do
    line=$(nn status "$tmp/b/shard_$k" 2>/dev/null | sed -n 's/^chunks: \([0-9]*\) of \([0-9]*\) done.*/\1 \2/p')
    [ -n "$line" ] || return 1
    done_before[k]=${line% *}
    [ "${done_before[k]}" -lt "${line#* }" ] || fail "shard $k finished before it could be interrupted"
    [ "${done_before[k]}" -ge 1 ] || return 1
  done
}
wait_for 120 "tasks $killed and $requeued to finish a chunk" chunks_done 0 1
# scancel --signal=KILL would cancel the job (SIGTERM first); the task's own processes get SIGKILL instead.
pids=$(scontrol listpids "$(squeue -h -j "$killed" -o %A)" | awk 'NR > 1 { print $1 }')
[ -n "$pids" ] || fail "no processes of task $killed"
kill -9 $pids || fail "task $killed ended before it could be killed"
scontrol requeue "$requeued" || fail "scontrol requeue $requeued failed"
# Slurm holds a requeued job back by its credential lifetime (cred_expire: 120 s by default, 10 s here). It must not be
# started before (scontrol update StartTime=now): slurmd then refuses it ("Job credential revoked") and the task fails.
pending() { [ "$(states "$requeued")" = PENDING ]; }
wait_for 30 "task $requeued to be pending again" pending
wait_for 180 "array job $array_job" ended "$array_job"
wait_for 30 "merge job $merge_job" ended "$merge_job"
[ "$(states "$killed")" = FAILED ] || fail "task $killed ended $(states "$killed"), not FAILED"
[ "$(states "$merge_job")" = CANCELLED ] || fail "merge job $merge_job ended $(states "$merge_job"), not CANCELLED"
scontrol -o show job "$requeued" | grep -q ' Restarts=1 ' || fail "task $requeued did not run again"
grep -q 'DUE TO JOB REQUEUE' "$tmp/b/slurm/shard_1.log" || fail "the log of task $requeued lost its first attempt"
resumed_1=$(resumed "$tmp/b/shard_1")
[ "$resumed_1" -ge "${done_before[1]}" ] ||
  fail "task $requeued resumed $resumed_1 chunks, but ${done_before[1]} were done before the requeue"
echo "slurm_e2e: task $requeued requeued after ${done_before[1]} chunks, resumed $resumed_1; task $killed killed after ${done_before[0]}"
submit "$tmp/b" "$long" --shards 2 --chunk-size 100
wait_merged 180
resumed_0=$(resumed "$tmp/b/shard_0")
[ "$resumed_0" -ge "${done_before[0]}" ] ||
  fail "the killed shard resumed $resumed_0 chunks, but ${done_before[0]} were done before the kill"
same_result "$tmp/long_one" "$tmp/b/merged"
echo "slurm_e2e: submitted again, the killed shard resumed $resumed_0 chunks; merged = one run, byte for byte"

# 3. An inference file (examples/infer_hh.yaml made small): 2 shards simulate round 1, the job after them trains on
# both; its draws equal those of one `neuronative infer` process, byte for byte.
sed -e "s#\.\./tests/data/#$root/tests/data/#" -e 's/n_samples: 15000/n_samples: 400/' -e 's/n_draws: 10000/n_draws: 100/' \
    -e 's/^  seed: 1$/  seed: 1\n  max_epochs: 3\n  sbc_simulations: 0/' "$root/examples/infer_hh.yaml" > "$tmp/infer.yaml"
nn infer "$tmp/infer.yaml" --out "$tmp/infer_one" --threads 1 --chunk-size 100 >/dev/null
submit "$tmp/c" "$tmp/infer.yaml" --shards 2 --chunk-size 100
wait_merged 180
cmp "$tmp/infer_one/samples.npy" "$tmp/c/merged/samples.npy" || fail "the inference trained on the shards' simulations drew other samples"
echo "slurm_e2e: inference from 2 shards = one process, byte for byte"
echo "slurm_e2e: passed in $((SECONDS - started)) s"
