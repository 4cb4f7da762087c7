#!/usr/bin/env python3
"""Independent re-implementation, from docs/crypto.md alone ("Hashing" and
"Tellers' key ceremony"), of the ceremony's context, commitment hash and share
encryption. Prints the known answers that tests/crypto/ceremony_test.cc
(CeremonyKatTest) checks the C++ code against. Needs only the standard library,
plus the `cryptography` package for the AES-GCM line.

Inputs: genesis hash = 32 bytes 0x42; attempt 1, threshold 2, tellers
teller-1, teller-2, teller-3; teller 1's commitments 3·G, 4·G; teller 1 sends
f(2) = 7 to teller 2 whose ceremony key is 11·G, with e = 5.
"""
import hashlib
import hmac
import struct


def b(x):
    return struct.pack(">I", len(x)) + x


def u64(v):
    return struct.pack(">Q", v)


def transcript(tag, items):
    t = b(tag)
    for label, value in items:
        t += b(label) + b(value)
    return hashlib.sha256(t).digest()


P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
G = (0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
     0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5)


def add(p1, p2):
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    if p1[0] == p2[0] and (p1[1] + p2[1]) % P == 0:
        return None
    if p1 == p2:
        lam = (3 * p1[0] * p1[0] - 3) * pow(2 * p1[1], -1, P) % P
    else:
        lam = (p2[1] - p1[1]) * pow(p2[0] - p1[0], -1, P) % P
    x = (lam * lam - p1[0] - p2[0]) % P
    return (x, (lam * (p1[0] - x) - p1[1]) % P)


def mul(k, pt):
    r = None
    while k:
        if k & 1:
            r = add(r, pt)
        pt = add(pt, pt)
        k >>= 1
    return r


def enc(pt):
    return bytes([2 + (pt[1] & 1)]) + pt[0].to_bytes(32, "big")


def hkdf_sha256(ikm, info, length):
    prk = hmac.new(b"\x00" * 32, ikm, hashlib.sha256).digest()  # empty salt
    okm, t, i = b"", b"", 1
    while len(okm) < length:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        okm += t
        i += 1
    return okm[:length]


def main():
    ctx = transcript(b"phieu.v1.ceremony-context",
                     [(b"genesis", b"\x42" * 32), (b"attempt", u64(1)), (b"threshold", u64(2)),
                      (b"tellers", u64(3))] +
                     [(b"teller", b"teller-%d" % i) for i in (1, 2, 3)])
    print("context        ", ctx.hex())
    h1 = transcript(b"phieu.v1.ceremony-commitment",
                    [(b"context", ctx), (b"index", u64(1)), (b"threshold", u64(2)),
                     (b"coefficient", enc(mul(3, G))), (b"coefficient", enc(mul(4, G)))])
    print("commitment hash", h1.hex())
    E, R = mul(11, G), mul(5, G)
    info = b(b"phieu.v1.ceremony-share") + b(ctx) + struct.pack(">II", 1, 2) + enc(R) + enc(E)
    okm = hkdf_sha256(enc(mul(5, E)), info, 44)
    print("ephemeral      ", enc(R).hex())
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        print("ciphertext     ",
              AESGCM(okm[:32]).encrypt(okm[32:], (7).to_bytes(32, "big"), info).hex())
    except ImportError:
        print("ciphertext      (install python3-cryptography)")


if __name__ == "__main__":
    main()
