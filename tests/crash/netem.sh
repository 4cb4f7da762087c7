#!/usr/bin/env bash
# A bad network: delegates behind loss, delay, duplication and reordering
# (Linux netem) still cast exactly once.
#
#   tests/crash/netem.sh BUILD MEETING WORK
#
# The delegates run in their own network namespace, joined to this one by a
# veth pair with private test addresses (10.200.N.1 here, the server's;
# 10.200.N.2 theirs; N from the process id). netem on both ends delays
# packets (60 ms ± 30 ms), drops 4%, duplicates 1% and reorders 25%; midway
# the link goes down for 2 s. Every delegate casts with `phieu vote` on its
# own connection, trying again while the server is unreachable (exit 5, the
# stored ballot is resent). Then crash_check: every receipt at its entry,
# every stored ballot counted, one ballot per delegate, chain and
# integrity_check.
#
# Needs root, `ip netns`, veth and the sch_netem qdisc. Where one is missing
# the test prints why and exits 77 (SKIPPED in ctest). With
# PHIEU_NETEM_ALLOW_PLAIN=1 it runs without netem when only the qdisc is
# missing (to try the rest of the script on such a machine). The namespace
# and the link are removed on every exit path.
set -uo pipefail
BUILD=$1 MEETING=$2 WORK=$3
skip() { echo "netem: SKIPPED: $*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "needs root (network namespaces and qdiscs)"
command -v ip > /dev/null || skip "no 'ip' command (Debian package iproute2)"
command -v tc > /dev/null || skip "no 'tc' command (Debian package iproute2)"

N=$(( $$ % 200 + 20 ))
NS="phieu-netem-$$"
HOST_IF="phn$$h"; PEER_IF="phn$$p"
HOST_IP="10.200.$N.1"; PEER_IP="10.200.$N.2"
BIN="$BUILD/bin"
ERR=$(mktemp)
net_cleanup() {
  rm -f "$ERR"
  ip link del "$HOST_IF" 2> /dev/null
  ip netns del "$NS" 2> /dev/null
}
cleanup_all() {
  declare -F meeting_cleanup > /dev/null && meeting_cleanup
  net_cleanup
}
trap cleanup_all EXIT
trap 'exit 130' INT TERM

ip netns add "$NS" 2> "$ERR" || skip "cannot create a network namespace: $(cat "$ERR")"
ip link add "$HOST_IF" type veth peer name "$PEER_IF" 2> "$ERR" ||
  skip "cannot create a veth pair: $(cat "$ERR")"
ip link set "$PEER_IF" netns "$NS" &&
  ip addr add "$HOST_IP/30" dev "$HOST_IF" && ip link set "$HOST_IF" up &&
  ip netns exec "$NS" ip addr add "$PEER_IP/30" dev "$PEER_IF" &&
  ip netns exec "$NS" ip link set "$PEER_IF" up &&
  ip netns exec "$NS" ip link set lo up || { echo "netem: cannot set up the link"; exit 1; }

IMPAIR="delay 60ms 30ms distribution normal loss 4% duplicate 1% reorder 25% 50%"
impaired=yes
if ! tc qdisc add dev "$HOST_IF" root netem $IMPAIR 2> "$ERR" ||
   ! ip netns exec "$NS" tc qdisc add dev "$PEER_IF" root netem $IMPAIR 2>> "$ERR"; then
  why=$(cat "$ERR")
  if [ "${PHIEU_NETEM_ALLOW_PLAIN:-0}" != 1 ]; then
    skip "the kernel has no netem qdisc (sch_netem): $why"
  fi
  echo "netem: no netem qdisc ($why); PHIEU_NETEM_ALLOW_PLAIN=1: running over a plain veth link"
  impaired=no
fi
echo "netem: delegates in namespace $NS at $PEER_IP, server at $HOST_IP; impairment: $([ $impaired = yes ] && echo "$IMPAIR" || echo none)"

LISTEN_HOST=$HOST_IP SANS=$HOST_IP
here=$(cd "$(dirname "$0")" && pwd)
source "$here/meeting_lib.sh"
[ -x "$BIN/crash_check" ] && [ -x "$BIN/phieu-server" ] || { echo "netem: build first"; exit 1; }
meeting_prepare || exit 1
meeting_restore
start_server "$PORT" || exit 1
began=$(date +%s)

start_casts ip netns exec "$NS"
# A flaky link: down for 2 s while the casts are under way.
sleep 0.5; ip link set "$HOST_IF" down; sleep 2; ip link set "$HOST_IF" up

failed=0
wait_casts || failed=1
attempts=$(cat "$WORK"/vote-*.log | grep -c -- "-- attempt")
kill_server TERM
out=$(check_board); rc=$?
echo "netem: $NVOTERS delegates, $attempts attempts in $(( $(date +%s) - began )) s: $out"
[ $rc = 0 ] && [ $failed = 0 ] || { echo "netem: FAILED"; exit 1; }
echo "netem: every delegate cast exactly once"
