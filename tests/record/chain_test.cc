#include "core/record/chain.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "core/util/bytes.h"

namespace phieu::record {
namespace {

v1::SignedEntry MakeSigned(int i) {
  v1::EntryBody body;
  body.set_meeting_id("cum4-2024");
  body.mutable_check_in()->set_unit_id("unit-" + std::to_string(i));
  v1::SignedEntry s;
  s.set_body(body.SerializeAsString());
  s.set_author("pin-" + std::to_string(i));
  s.set_signature(std::string(64, static_cast<char>('a' + i % 26)));
  return s;
}

std::vector<v1::BoardEntry> MakeChain(int n) {
  std::vector<v1::BoardEntry> out;
  std::string prev = ZeroHash();
  for (int i = 0; i < n; ++i) {
    v1::BoardEntry e;
    e.set_seq(i);
    e.set_prev_hash(prev);
    e.set_server_time_ms(1700000000000 + i);
    *e.mutable_signed_() = MakeSigned(i);
    e.set_hash(ChainHash(e.seq(), e.prev_hash(), e.server_time_ms(), e.signed_()));
    prev = e.hash();
    out.push_back(e);
  }
  return out;
}

void Rehash(v1::BoardEntry* e) {
  e->set_hash(ChainHash(e->seq(), e->prev_hash(), e->server_time_ms(), e->signed_()));
}

TEST(ChainHashTest, KnownAnswer) {
  // Computed independently (Python hashlib) from the layout in docs/crypto.md:
  // SHA-256("phieu.v1.chain" 00 || u64 7 || 32x 0x11 || i64 -5 ||
  //         u32 5 "hello" || u32 6 "server" || u32 2 01 02).
  v1::SignedEntry s;
  s.set_body("hello");
  s.set_author("server");
  s.set_signature(std::string("\x01\x02", 2));
  EXPECT_EQ(Hex(ChainHash(7, std::string(32, '\x11'), -5, s)),
            "6a0c93e3076fb6e77032285d6f41fa15ad291d0bb0fc6c4ae5c879d4706aab62");
}

TEST(ChainHashTest, EveryFieldIsBound) {
  v1::SignedEntry s = MakeSigned(1);
  const std::string prev(32, '\x22');
  const std::string h = ChainHash(3, prev, 10, s);
  EXPECT_EQ(h.size(), kChainHashSize);
  EXPECT_NE(h, ChainHash(4, prev, 10, s));
  EXPECT_NE(h, ChainHash(3, std::string(32, '\x23'), 10, s));
  EXPECT_NE(h, ChainHash(3, prev, 11, s));
  v1::SignedEntry t = s;
  t.set_body(s.body() + "x");
  EXPECT_NE(h, ChainHash(3, prev, 10, t));
  t = s;
  t.set_author("other");
  EXPECT_NE(h, ChainHash(3, prev, 10, t));
  t = s;
  t.set_signature("sig");
  EXPECT_NE(h, ChainHash(3, prev, 10, t));
  // Length prefixes keep field boundaries apart: moving a byte from body to
  // author changes the hash.
  v1::SignedEntry a, b;
  a.set_body("ab");
  a.set_author("c");
  b.set_body("a");
  b.set_author("bc");
  EXPECT_NE(ChainHash(0, ZeroHash(), 0, a), ChainHash(0, ZeroHash(), 0, b));
}

TEST(VerifyChainTest, AcceptsGoodAndEmptyChains) {
  EXPECT_TRUE(VerifyChain(std::vector<v1::BoardEntry>()).ok());
  auto chain = MakeChain(8);
  EXPECT_TRUE(VerifyChain(chain).ok()) << VerifyChain(chain).ToString();
  v1::ElectionRecord record;
  for (const auto& e : chain) *record.add_entries() = e;
  EXPECT_TRUE(VerifyChain(record.entries()).ok());
}

TEST(VerifyChainTest, DeletedEntry) {
  auto chain = MakeChain(8);
  chain.erase(chain.begin() + 3);
  Status st = VerifyChain(chain);
  EXPECT_EQ(st.code(), StatusCode::kVerificationFailed);
  EXPECT_EQ(st.message(), "entry 4: seq 3 expected");
}

TEST(VerifyChainTest, DeletedEntryRenumberedDoesNotLink) {
  auto chain = MakeChain(8);
  chain.erase(chain.begin() + 3);
  for (size_t i = 3; i < chain.size(); ++i) {
    chain[i].set_seq(i);
    Rehash(&chain[i]);
  }
  EXPECT_EQ(VerifyChain(chain).message(), "entry 3: prev_hash does not link");
}

TEST(VerifyChainTest, ReorderedEntries) {
  auto chain = MakeChain(8);
  std::swap(chain[2], chain[3]);
  EXPECT_EQ(VerifyChain(chain).message(), "entry 3: seq 2 expected");
}

TEST(VerifyChainTest, DuplicatedEntry) {
  auto chain = MakeChain(8);
  chain.insert(chain.begin() + 5, chain[4]);
  EXPECT_EQ(VerifyChain(chain).message(), "entry 4: seq 5 expected");
}

TEST(VerifyChainTest, AlteredBody) {
  auto chain = MakeChain(8);
  chain[6].mutable_signed_()->set_body(MakeSigned(99).body());
  EXPECT_EQ(VerifyChain(chain).message(), "entry 6: hash does not match its contents");
}

TEST(VerifyChainTest, AlteredTimeAuthorOrSignature) {
  for (int field = 0; field < 3; ++field) {
    auto chain = MakeChain(5);
    if (field == 0) chain[2].set_server_time_ms(1);
    if (field == 1) chain[2].mutable_signed_()->set_author("ca");
    if (field == 2) chain[2].mutable_signed_()->set_signature("forged");
    EXPECT_EQ(VerifyChain(chain).message(), "entry 2: hash does not match its contents")
        << "field " << field;
  }
}

TEST(VerifyChainTest, AlteredAndRehashedBreaksTheNextLink) {
  auto chain = MakeChain(8);
  chain[4].mutable_signed_()->set_body(MakeSigned(99).body());
  Rehash(&chain[4]);
  EXPECT_EQ(VerifyChain(chain).message(), "entry 5: prev_hash does not link");
}

TEST(VerifyChainTest, FirstEntryNeedsZeroPrevHash) {
  auto chain = MakeChain(3);
  chain[0].set_prev_hash(std::string(32, '\x01'));
  Rehash(&chain[0]);
  Status st = VerifyChain(chain);
  EXPECT_EQ(st.code(), StatusCode::kVerificationFailed);
  EXPECT_EQ(st.message().rfind("entry 0: prev_hash does not link", 0), 0u) << st.message();
}

TEST(VerifyChainTest, MalformedHashLengths) {
  auto chain = MakeChain(3);
  chain[1].set_hash("short");
  EXPECT_EQ(VerifyChain(chain).message(), "entry 1: hash is 5 bytes, 32 expected");
  chain = MakeChain(3);
  chain[2].set_prev_hash("");
  EXPECT_EQ(VerifyChain(chain).message(), "entry 2: prev_hash is 0 bytes, 32 expected");
}

TEST(VerifyChainTest, ChainDoesNotStartAtZero) {
  auto chain = MakeChain(4);
  chain.erase(chain.begin());
  EXPECT_EQ(VerifyChain(chain).message(), "entry 1: seq 0 expected");
}

}  // namespace
}  // namespace phieu::record
