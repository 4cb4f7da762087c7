#!/usr/bin/env bash
# The repository holds no private key (issue 6): tests, the fuzz targets and
# the demo make their own at run time. Fails when a tracked file is named
# *.key or *.pem, or holds a PEM private key (a line ending in the armour
# "-----BEGIN ... PRIVATE<space>KEY-----").
#
#   tests/no_private_keys.sh SOURCE_DIR
#
# Exit 77 (skipped) outside a git work tree, where there is no list of tracked files.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 SOURCE_DIR" >&2; exit 2; }
cd "$1"
if ! git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
  echo "$0: $1 is not a git work tree (or git is missing): skipped"
  exit 77
fi
named=$(git ls-files | grep -E '\.(key|pem)$' || true)
armored=$(git grep -lE 'BEGIN [A-Z0-9 ]*PRIVATE[ ]KEY-----$' || true)
if [ -n "$named$armored" ]; then
  echo "$0: private keys in the repository; tests must make their own:" >&2
  printf '%s\n' $named $armored | sort -u >&2
  exit 1
fi
echo "no private key among $(git ls-files | wc -l) tracked files"
